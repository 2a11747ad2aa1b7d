"""Intake's view of a document's progress, and the stuck rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.intake.progress import advances, due_for_redrive, is_stuck, progress_of
from shared import events

AT = datetime(2024, 1, 1, tzinfo=UTC)


def decision(kind: str, disclosure: str | None = "主动公开") -> events.DecisionMade:
    content = events.DocumentContent(
        title="t", issuing_organ="o", doc_type="通知", written_date="2024-01-01", disclosure=disclosure, body="b"
    )
    approved = kind.startswith("approved")
    return events.DecisionMade(
        document_id="d", version=2, content_hash="h", decision=kind, rules_version="1",  # type: ignore[arg-type]
        document=content if approved else None, decided_by="auto", decided_at=AT,
    )


def test_review_outcomes_map_to_stages() -> None:
    assert progress_of(decision("rejected")).stage == "rejected"  # type: ignore[union-attr]
    assert progress_of(decision("needs_human")).stage == "awaiting_reviewer"  # type: ignore[union-attr]
    assert progress_of(decision("approved", "依申请公开")).stage == "not_public"  # type: ignore[union-attr]
    assert progress_of(decision("approved")).stage == "approved"  # type: ignore[union-attr]


def test_stage_never_goes_back_when_events_arrive_out_of_order() -> None:
    assert advances("received", "approved")
    assert not advances("released", "approved")


def test_only_unfinished_documents_past_their_limit_are_stuck() -> None:
    limit = timedelta(minutes=2)
    assert is_stuck("received", AT, AT + timedelta(minutes=3), limit)
    assert not is_stuck("received", AT, AT + timedelta(minutes=1), limit)
    assert not is_stuck("released", AT, AT + timedelta(hours=3), limit)
    assert not is_stuck("awaiting_reviewer", AT, AT + timedelta(hours=3), limit)


def test_a_stuck_document_is_re_driven_each_time_only_after_twice_as_long_and_at_most_max_times() -> None:
    limit = timedelta(minutes=2)
    assert due_for_redrive(0, None, AT, limit, 5)
    assert not due_for_redrive(1, AT, AT + timedelta(minutes=3), limit, 5)  # needs 4 minutes after the first
    assert due_for_redrive(1, AT, AT + timedelta(minutes=4), limit, 5)
    assert not due_for_redrive(2, AT, AT + timedelta(minutes=7), limit, 5)
    assert due_for_redrive(2, AT, AT + timedelta(minutes=8), limit, 5)
    assert not due_for_redrive(5, AT, AT + timedelta(days=1), limit, 5)
