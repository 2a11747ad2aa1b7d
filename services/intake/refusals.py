"""Refused submissions: the receipt an upstream system can ask for, the rejected event for Kafka input,
and the row the quality report counts."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.intake.domain import Problem
from services.intake.domain.quality import field_group, problem_kind
from services.intake.identity import document_id_for
from shared import events
from shared.outbox import Outgoing, UnitOfWork

if TYPE_CHECKING:
    from services.intake.handlers import Submission

SOURCE = "/govpub/intake"  # the CloudEvents source of everything intake emits


def source_ids(raw: object) -> tuple[str | None, str | None]:
    if isinstance(raw, dict):
        ss, sid = raw.get("source_system"), raw.get("source_id")
        return (ss if isinstance(ss, str) and ss else None, sid if isinstance(sid, str) and sid else None)
    return None, None


def rejection_row(
    submission: Submission, ss: str | None, sid: str | None, problems: list[Problem], now: datetime
) -> dict[str, Any]:
    """For the quality report: which fields were wrong and how, once per distinct faulty document."""
    try:
        canonical = json.dumps(submission.raw, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError, RecursionError):
        canonical = repr(submission.raw)
    digest = hashlib.sha256(f"{ss}\x1f{sid}\x1f{canonical}".encode("utf-8", "surrogatepass")).hexdigest()
    kinds = {(field_group(p.field), problem_kind(p)) for p in problems}
    return {
        "_id": digest,
        "source_system": ss or "(unknown)",
        "source_id": sid,
        "via": submission.via,
        "at": now,
        "problems": [{"field": f, "kind": k} for f, k in sorted(kinds)],
    }


def record_refusal(
    uow: UnitOfWork,
    receipts: dict[str, dict[str, Any]],
    submission: Submission,
    ss: str | None,
    sid: str | None,
    problems: list[Problem],
    now: datetime,
) -> None:
    rows = [p.__dict__ for p in problems]
    if ss and sid:
        receipts[f"{ss}/{sid}"] = {
            "_id": f"{ss}/{sid}",
            "status": "rejected",
            "document_id": None,
            "problems": rows,
            "via": submission.via,
            "at": now,
        }
    if submission.cause is None:
        return  # HTTP callers get the problems in the response
    subject = document_id_for(ss, sid) if ss and sid else submission.cause.envelope.subject
    event = events.DocumentRejected(
        document_id=subject,
        source_system=ss,
        source_id=sid,
        problems=[events.Problem(**row) for row in rows],
        rejected_at=now,
    )
    uow.emit(Outgoing.of(event, source=SOURCE, now=now, cause=submission.cause), submission.cause)
