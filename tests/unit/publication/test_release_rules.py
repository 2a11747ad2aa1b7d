"""Release rules (先审查、后公开; 三同步), without I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.publication.domain import Candidate, Plan, Readiness, plan_release, readiness
from shared import events

AT = datetime(2024, 1, 1, tzinfo=UTC)
HASH = "sha256:" + "a" * 64


def content(**changes: Any) -> events.DocumentContent:
    base: dict[str, Any] = {
        "doc_number": "沪知局〔2024〕1号", "title": "关于专利的通知", "issuing_organ": "上海市知识产权局",
        "doc_type": "通知", "written_date": "2024-01-01", "disclosure": "主动公开", "body": "正文",
    }
    return events.DocumentContent(**{**base, **changes})


def decision(kind: str = "approved", content_hash: str = HASH, **changes: Any) -> events.DecisionMade:
    approved = kind in ("approved", "approved_with_redactions")
    return events.DecisionMade(
        document_id="d1", version=1, content_hash=content_hash, decision=kind, rules_version="1",  # type: ignore[arg-type]
        document=content(**changes) if approved else None, decided_by="auto", decided_at=AT,
    )


def tagged(content_hash: str = HASH) -> events.DocumentTagged:
    return events.DocumentTagged(
        document_id="d1", version=1, content_hash=content_hash, catalogue_version=1, tags=[], tagged_at=AT
    )


def candidate(d: events.DecisionMade | None = None, t: events.DocumentTagged | None = None, **kw: Any) -> Candidate:
    return Candidate("d1", kw.pop("version", 1), d, t, **kw)


def test_approved_tagged_proactive_document_is_released() -> None:
    plan = plan_release(candidate(decision(), tagged()), None, partner=None, partner_released=False)
    assert plan.plan is Plan.RELEASE


def test_nothing_is_released_without_review_or_without_tags() -> None:
    assert readiness(candidate(None, tagged())) is Readiness.WAITING_FOR_REVIEW
    assert readiness(candidate(decision(), None)) is Readiness.WAITING_FOR_TAGS


def test_tags_of_other_content_never_release_the_reviewed_version() -> None:
    c = candidate(decision(), tagged(content_hash="sha256:" + "b" * 64))
    assert readiness(c) is Readiness.HASH_MISMATCH
    assert plan_release(c, None, partner=None, partner_released=False).plan is Plan.NOTHING


def test_rejected_and_human_review_cases_are_not_released() -> None:
    assert readiness(candidate(decision("rejected"), tagged())) is Readiness.NOT_APPROVED
    assert readiness(candidate(decision("needs_human"), tagged())) is Readiness.AWAITING_REVIEWER


def test_only_proactive_disclosure_is_released() -> None:
    for attribute in ("依申请公开", "不予公开", None):
        c = candidate(decision(disclosure=attribute), tagged())
        assert readiness(c) is Readiness.NOT_PROACTIVE


def test_withdrawn_document_is_never_released() -> None:
    assert readiness(candidate(decision(), tagged(), withdrawn=True)) is Readiness.WITHDRAWN


def test_older_version_is_not_released_over_a_newer_one() -> None:
    plan = plan_release(candidate(decision(), tagged()), 2, partner=None, partner_released=False)
    assert plan.plan is Plan.NOTHING
    assert plan.reason == "already_released"


def test_policy_waits_for_its_interpretation_then_both_go_together() -> None:
    policy = candidate(decision(requires_interpretation=True), tagged())
    held = plan_release(policy, None, partner=None, partner_released=False)
    assert held.plan is Plan.HOLD_FOR_PARTNER and held.reason == "waiting_for_interpretation"

    interpretation = Candidate("d2", 1, decision(interprets="沪知局〔2024〕1号", doc_number=None), tagged())
    together = plan_release(policy, None, partner=interpretation, partner_released=False)
    assert together.plan is Plan.RELEASE_WITH_PARTNER


def test_interpretation_is_held_until_its_policy_can_be_released() -> None:
    interpretation = candidate(decision(interprets="沪知局〔2024〕1号", doc_number=None), tagged())
    unapproved_policy = Candidate("d0", 1, decision("needs_human"), tagged())
    assert plan_release(interpretation, None, partner=None, partner_released=False).plan is Plan.HOLD_FOR_PARTNER
    held = plan_release(interpretation, None, partner=unapproved_policy, partner_released=False)
    assert held.plan is Plan.HOLD_FOR_PARTNER and held.reason == "waiting_for_policy"
    assert plan_release(interpretation, None, partner=None, partner_released=True).plan is Plan.RELEASE
