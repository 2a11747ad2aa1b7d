"""Distribution's pure rules: circuit breaker, failures, withdrawals, platform error codes, Weibo length, subscriptions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from services.distribution.domain import BreakerPolicy, RetryPolicy, after_failure, http_status_is_temporary, retraction
from services.distribution.domain import breaker as cb
from services.distribution.domain.platforms import (
    fit_weibo,
    wechat_publish_state,
    wechat_verdict,
    weibo_verdict,
    weibo_weight,
)
from services.distribution.domain.subscriptions import (
    SubscriptionRequest,
    digest_cutoff,
    make_token,
    read_token,
    subscription_id,
    wants,
)
from services.distribution.rendering import Renderer
from tests.unit.distribution.samples import released

T0 = datetime(2024, 3, 15, 1, 0, tzinfo=UTC)
POLICY = BreakerPolicy(failure_threshold=3, cool_down_s=30)


# ---------------------------------------------------------------- circuit breaker


def test_breaker_opens_after_n_consecutive_failures_and_refuses_calls_until_the_cool_down() -> None:
    b = cb.Breaker()
    for _ in range(2):
        b = cb.failed(b, POLICY, T0)
    assert b.state == "closed"
    b = cb.failed(b, POLICY, T0)
    assert b.state == "open"
    admitted, b = cb.admit(b, POLICY, T0 + timedelta(seconds=29))
    assert not admitted and cb.retry_at(b, POLICY, T0) == T0 + timedelta(seconds=30)


def test_breaker_lets_one_probe_through_when_half_open_and_closes_on_its_success() -> None:
    b = cb.Breaker("open", 3, T0)
    admitted, b = cb.admit(b, POLICY, T0 + timedelta(seconds=30))
    assert admitted and b.state == "half_open"
    second, b = cb.admit(b, POLICY, T0 + timedelta(seconds=30))
    assert not second
    assert cb.succeeded(b) == cb.Breaker()


def test_a_failed_probe_opens_the_breaker_for_another_cool_down() -> None:
    _, b = cb.admit(cb.Breaker("open", 3, T0), POLICY, T0 + timedelta(seconds=31))
    b = cb.failed(b, POLICY, T0 + timedelta(seconds=32))
    assert b.state == "open" and b.opened_at == T0 + timedelta(seconds=32)


def test_a_success_resets_the_count_of_consecutive_failures() -> None:
    b = cb.failed(cb.failed(cb.Breaker(), POLICY, T0), POLICY, T0)
    b = cb.failed(cb.succeeded(b), POLICY, T0)
    assert b.state == "closed" and b.failures == 1


def test_an_abandoned_probe_frees_the_probe_slot() -> None:
    _, b = cb.admit(cb.Breaker("open", 3, T0), POLICY, T0 + timedelta(seconds=31))
    admitted, _ = cb.admit(cb.abandoned(b), POLICY, T0 + timedelta(seconds=31))
    assert admitted


# ---------------------------------------------------------------- failures and withdrawals


def test_a_permanent_failure_fails_at_once_and_a_temporary_one_is_retried_until_the_budget_is_spent() -> None:
    policy = RetryPolicy(max_attempts=3)
    rng = random.Random(1)
    assert after_failure(policy, 1, T0, rng, "HTTP 410", permanent=True).status == "failed"
    retry = after_failure(policy, 1, T0, rng, "HTTP 503", permanent=False)
    assert retry.status == "retrying" and retry.next_attempt_at is not None and retry.next_attempt_at > T0
    last = after_failure(policy, 3, T0, rng, "HTTP 503", permanent=False)
    assert last.status == "failed" and not last.permanent


@pytest.mark.parametrize(("status", "temporary"), [(500, True), (503, True), (429, True), (408, True),
                                                   (400, False), (401, False), (404, False), (410, False)])
def test_only_timeouts_throttling_and_server_errors_are_retried(status: int, temporary: bool) -> None:
    assert http_status_is_temporary(status) is temporary


def test_withdrawal_retracts_what_was_delivered_waits_for_what_is_in_flight_and_skips_the_rest() -> None:
    assert retraction(["delivered"]) == "send"
    assert retraction(["delivered", "cancelled"]) == "send"
    assert retraction(["delivered", "retrying"]) == "wait"
    assert retraction(["sending"]) == "wait"
    assert retraction(["cancelled"]) == "skip"
    assert retraction([]) == "skip"


# ---------------------------------------------------------------- platforms


def test_wechat_errcodes_map_to_refresh_retry_or_give_up() -> None:
    assert wechat_verdict(0) == "ok"
    assert wechat_verdict(40001) == wechat_verdict(42001) == "refresh"
    assert wechat_verdict(45009) == wechat_verdict(-1) == "temporary"
    assert wechat_verdict(40007) == wechat_verdict(87014) == "permanent"


def test_wechat_publish_states() -> None:
    assert [wechat_publish_state(s) for s in range(7)] == [
        "published", "publishing", "refused", "resubmit", "refused", "refused", "refused",
    ]


def test_weibo_error_codes() -> None:
    assert weibo_verdict(200, None) == "ok"
    assert weibo_verdict(403, 10023) == "temporary"  # user rate limit
    assert weibo_verdict(502, None) == "temporary"
    assert weibo_verdict(400, 20012) == "permanent"  # text too long
    assert weibo_verdict(403, 21332) == "permanent"  # bad token


def test_weibo_counts_chinese_as_one_ascii_as_half_and_a_link_as_a_fixed_weight() -> None:
    assert weibo_weight("知识产权", 12) == 4
    assert weibo_weight("IP 2024", 12) == 3.5
    assert weibo_weight("详见 https://portal.example/documents/very-long-path?x=1", 12) == 2 + 0.5 + 12


def test_a_long_post_is_cut_in_the_summary_first_and_keeps_its_links() -> None:
    def render(title: str, summary: str) -> str:
        return f"【{title}】{summary} 全文：https://p.example/d/1"

    text = fit_weibo(render, "标题" * 5, "摘要内容" * 100, limit=140, url_weight=12)
    assert weibo_weight(text, 12) <= 140 and text.startswith("【标题标题") and text.endswith("https://p.example/d/1")
    assert "…" in text
    only_title = fit_weibo(render, "很长的标题" * 60, "摘要", limit=140, url_weight=12)
    assert weibo_weight(only_title, 12) <= 140 and "https://p.example/d/1" in only_title


# ---------------------------------------------------------------- subscriptions


def test_subscribers_match_by_audience_or_by_tag_and_its_sub_tags() -> None:
    assert wants(["园区"], [], ["园区", "企业"], [])
    assert wants([], ["audience.enterprise"], [], ["audience.enterprise.sme"])
    assert not wants([], ["audience.enterprise"], [], ["audience.enterprises"])
    assert not wants(["高校"], ["topic.trademark"], ["园区"], ["topic.patent"])


def test_tokens_are_signed_per_purpose_and_confirmation_links_expire() -> None:
    sid = subscription_id("email-parks", "A@Example.cn")
    assert sid == subscription_id("email-parks", "a@example.cn")
    confirm = make_token("k", "confirm", sid, now=T0)
    assert read_token("k", "confirm", confirm, now=T0) == sid
    assert read_token("k", "unsubscribe", confirm, now=T0) is None
    assert read_token("other", "confirm", confirm, now=T0) is None
    assert read_token("k", "confirm", confirm, now=T0 + timedelta(days=8)) is None
    unsubscribe = make_token("k", "unsubscribe", sid, now=T0)
    assert read_token("k", "unsubscribe", unsubscribe, now=T0 + timedelta(days=3650)) == sid


def test_the_digest_cutoff_is_the_last_digest_hour_in_the_channel_time_zone() -> None:
    # 01:00 UTC is 09:00 in Shanghai: today's 08:00 has passed.
    assert digest_cutoff(T0, 8, "Asia/Shanghai") == datetime(2024, 3, 15, 0, 0, tzinfo=UTC)
    assert digest_cutoff(T0 - timedelta(hours=2), 8, "Asia/Shanghai") == datetime(2024, 3, 14, 0, 0, tzinfo=UTC)


def test_a_subscription_request_names_the_bad_field() -> None:
    with pytest.raises(ValueError, match="not an e-mail address"):
        SubscriptionRequest(email="not-an-address", tags=["topic.patent"])
    assert SubscriptionRequest(email=" Someone@Example.CN ").email == "Someone@example.cn"


# ---------------------------------------------------------------- rendering


def test_wechat_article_html_escapes_the_body_and_links_the_interpretation() -> None:
    article = Renderer().wechat_article(released(body="第一段<script>alert(1)</script>\n第二段"))
    assert "<script>" not in article.html and "&lt;script&gt;" in article.html
    assert article.html.count("<p style=\"text-indent") == 2
    assert "https://portal.example/documents/i-1" in article.html
    assert len(article.digest) <= 120


def test_an_interpretation_links_back_to_its_policy_everywhere() -> None:
    doc = released(interpretation=None, interprets={"document_id": "p", "title": "某政策", "url": "https://p.example/p"})
    r = Renderer()
    assert "https://p.example/p" in r.wechat_article(doc).html
    assert "https://p.example/p" in r.weibo_post(doc, limit=140, url_weight=12)
    mail = r.release_mail(doc, "https://push.example/u")
    assert "https://p.example/p" in mail.text and "https://p.example/p" in mail.html
