"""The e-mail adapter against a local aiosmtpd server: immediate mails, digests, refusals, deferrals, outages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from services.distribution.adapters import PermanentFailure, Progress, TemporaryFailure
from services.distribution.adapters.email import EmailAdapter, Mailer
from services.distribution.domain import Channel, EmailOptions, Takes
from services.distribution.domain.subscriptions import read_token
from services.distribution.rendering import Renderer
from tests.unit.distribution.fakes import Inbox, body_text, free_port, smtp_server
from tests.unit.distribution.memory import MemorySubscriptions
from tests.unit.distribution.samples import release_work, withdraw_work

SECRET = "test-secret"
T0 = datetime(2024, 3, 15, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai


@dataclass
class Fixture:
    inbox: Inbox
    subs: MemorySubscriptions
    adapter: EmailAdapter
    now: list[datetime]


def channel(host: str, port: int) -> Channel:
    return Channel(
        id="email-parks", type="email", name="政策进园区", takes=Takes(public=True, audiences=["园区", "企业"]),
        email=EmailOptions(smtp_host=host, smtp_port=port, sender="push@ipa.example.gov.cn", digest_hour=8),
    )


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def smtp(inbox: Inbox) -> Iterator[tuple[str, int]]:
    with smtp_server(inbox) as address:
        yield address


@pytest.fixture
def mail(inbox: Inbox, smtp: tuple[str, int]) -> Fixture:
    subs = MemorySubscriptions()
    now = [T0]
    ch = channel(*smtp)
    assert ch.email is not None
    adapter = EmailAdapter(ch, subs, Mailer(ch.email, timeout_s=2), Renderer(),  # type: ignore[arg-type]
                           base_url="https://push.example", secret=SECRET, clock=lambda: now[0])
    return Fixture(inbox, subs, adapter, now)


async def test_matching_subscribers_get_one_mail_each_with_one_click_unsubscribe(mail: Fixture) -> None:
    park = mail.subs.add("email-parks", "park@a.example", tags=["topic.patent"])
    mail.subs.add("email-parks", "other@a.example", tags=["topic.trademark"])
    mail.subs.add("email-parks", "pending@a.example", tags=["topic.patent"], status="pending")

    reference = await mail.adapter.deliver(release_work("email-parks"), Progress())

    assert reference.startswith("mailed 1,")
    [message] = mail.inbox.to("park@a.example")
    assert len(mail.inbox.messages) == 1
    assert "专利质押融资" in message["Subject"]
    text = body_text(message)
    assert "https://portal.example/documents/" in text and "政策解读" in text
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = unsubscribe.split("token=")[1]
    assert read_token(SECRET, "unsubscribe", token, now=T0) == park


async def test_targeted_documents_reach_subscribers_of_their_audience(mail: Fixture) -> None:
    mail.subs.add("email-parks", "park@a.example", audiences=["园区"])
    mail.subs.add("email-parks", "uni@a.example", audiences=["高校"])
    await mail.adapter.deliver(release_work("email-parks", audience=["园区", "企业"], tags=[]), Progress())
    assert [m["to"] for m in mail.inbox.messages] == [["park@a.example"]]


async def test_a_retry_mails_only_those_the_failed_attempt_did_not_reach(mail: Fixture) -> None:
    for name in ("a", "b", "c"):
        mail.subs.add("email-parks", f"{name}@a.example", tags=["topic"])
    mail.inbox.defer["b@a.example"] = 1

    with pytest.raises(TemporaryFailure, match="1 of 3 recipients deferred"):
        await mail.adapter.deliver(release_work("email-parks"), Progress())
    await mail.adapter.deliver(release_work("email-parks"), Progress())

    assert sorted(a for m in mail.inbox.messages for a in m["to"]) == ["a@a.example", "b@a.example", "c@a.example"]


async def test_a_refused_address_is_logged_and_not_retried(mail: Fixture) -> None:
    gone = mail.subs.add("email-parks", "gone@a.example", tags=["topic"])
    mail.subs.add("email-parks", "ok@a.example", tags=["topic"])
    mail.inbox.refuse.add("gone@a.example")

    await mail.adapter.deliver(release_work("email-parks"), Progress())
    work = release_work("email-parks")
    assert mail.subs.log[f"{work.delivery_id}:{gone}"]["status"] == "refused"
    assert [m["to"] for m in mail.inbox.messages] == [["ok@a.example"]]


async def test_an_unreachable_or_slow_server_is_a_temporary_failure(mail: Fixture) -> None:
    mail.subs.add("email-parks", "a@a.example", tags=["topic"])
    working = mail.adapter.mailer
    unreachable = channel("127.0.0.1", free_port()).email
    assert unreachable is not None
    mail.adapter.mailer = Mailer(unreachable, timeout_s=1)
    with pytest.raises(TemporaryFailure, match="SMTP"):
        await mail.adapter.deliver(release_work("email-parks"), Progress())

    mail.adapter.mailer = Mailer(working.options, timeout_s=0.5)
    mail.inbox.delay_s = 1.5
    with pytest.raises(TemporaryFailure, match="Timeout"):
        await mail.adapter.deliver(release_work("email-parks"), Progress())


async def test_digest_subscribers_get_one_mail_a_day_with_everything_queued(mail: Fixture) -> None:
    mail.subs.add("email-parks", "digest@a.example", tags=["topic"], mode="digest")
    await mail.adapter.deliver(release_work("email-parks", release_id="a:v1", document_id="a", title="文件甲"), Progress())
    await mail.adapter.deliver(release_work("email-parks", release_id="b:v1", document_id="b", title="文件乙"), Progress())
    assert mail.inbox.messages == []

    assert await mail.adapter.send_digests(T0) == 0  # queued after today's 08:00: tomorrow's digest
    mail.now[0] = T0 + timedelta(days=1)
    assert await mail.adapter.send_digests() == 1
    assert await mail.adapter.send_digests() == 0
    [message] = mail.inbox.to("digest@a.example")
    assert "2 篇" in message["Subject"]
    text = body_text(message)
    assert "文件甲" in text and "文件乙" in text


async def test_withdrawal_drops_queued_digest_items_and_tells_those_who_got_it(mail: Fixture) -> None:
    mail.subs.add("email-parks", "now@a.example", tags=["topic"])
    mail.subs.add("email-parks", "digest@a.example", tags=["topic"], mode="digest")
    await mail.adapter.deliver(release_work("email-parks"), Progress())

    await mail.adapter.deliver(withdraw_work("email-parks", ()), Progress())

    mail.now[0] = T0 + timedelta(days=1)
    assert await mail.adapter.send_digests() == 0
    subjects = [str(m["Subject"]) for m in mail.inbox.to("now@a.example")]
    assert len(subjects) == 2 and subjects[1].startswith("【已撤回】上海市知识产权局")
    assert mail.inbox.to("digest@a.example") == []


async def test_a_refused_confirmation_address_is_a_permanent_failure(mail: Fixture) -> None:
    mail.inbox.refuse.add("nobody@a.example")
    with pytest.raises(PermanentFailure):
        await mail.adapter.send_confirmation({"email": "nobody@a.example", "mode": "immediate"}, "https://x/confirm")
