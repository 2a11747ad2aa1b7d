"""The reviewer workbench over HTTP: the queue, a case, locks, decisions and four-eyes confirmations.

Every endpoint needs the reviewer role. The case view is the one place the original text and the
matched personal data leave the service, to the reviewer deciding it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from pymongo.errors import PyMongoError

from services.review import workbench
from services.review.domain import Finding
from services.review.domain.model import TEXT_FIELDS
from services.review.domain.redaction import MaskRef, MaskSpan, apply_masks, automatic_masks, render_marked
from services.review.domain.workbench import (
    InvalidDecision,
    LockHeld,
    Proposal,
    WorkbenchError,
    decidable,
    needs_second_reviewer,
)
from services.review.problems import ProblemRoute, workbench_problem
from services.review.repository import ReviewRepository
from services.review.settings import ReviewSettings
from shared.auth import Principal, require
from shared.outbox import Outbox

T = TypeVar("T")
Reviewer = Annotated[Principal, require("reviewer")]
TextField = Literal["title", "body", "note"]
CaseStatus = Literal["pending", "awaiting_confirmation", "approved", "approved_with_redactions", "rejected",
                     "superseded"]


class AddMask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: TextField
    start: int = Field(ge=0, description="First character to hide (0-based)")
    end: int = Field(ge=1, description="One past the last character to hide")


class RemoveMask(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule_id: str = Field(min_length=1, max_length=100, description="rule_id of an automatic mask")
    start: int = Field(ge=0, description="start of that mask")
    field: TextField | None = Field(None, description="needed only when the rule masks the same offset in two fields")


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approved", "approved_with_redactions", "rejected"]
    reason: str = Field(min_length=1, max_length=4000, description="Why; kept in the audit log")
    reason_code: str | None = Field(None, max_length=64, description="Defaults from the decision and the case")
    disclosure: str | None = Field(None, max_length=10, description="公开属性, only when the document has none")
    add_masks: list[AddMask] = Field(default_factory=list, max_length=1000)
    remove_masks: list[RemoveMask] = Field(default_factory=list, max_length=1000)


class ConfirmRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=4000, description="The second reviewer's remark for the audit log")


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _active_lock(row: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
    lock = row.get("lock")
    if not lock or lock["expires_at"] <= now:
        return None
    return {"holder": lock["holder"], "expires_at": lock["expires_at"].isoformat()}


def _pending(row: Mapping[str, Any]) -> dict[str, Any] | None:
    proposal = row.get("proposal")
    if not proposal:
        return None
    return {"decision": proposal.get("decision"), "proposed_by": proposal.get("reviewer"), "at": _iso(proposal.get("at"))}


def queue_item(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A case in the queue: masked title and counts only, never the original text."""
    automatic = row.get("automatic") or {"decision": row.get("decision"), "reason_code": row.get("reason_code")}
    return {
        "case_id": row["_id"],
        "document_id": row["document_id"],
        "version": row["version"],
        "status": row["status"],
        "title": (row.get("redacted") or {}).get("title"),
        "received_at": _iso(row.get("received_at")),
        "automatic": {"decision": automatic.get("decision"), "reason_code": automatic.get("reason_code")},
        "findings": dict(Counter(f"{f.get('kind')}/{f.get('action')}" for f in row.get("findings", []))),
        "lock": _active_lock(row, now),
        "awaiting_confirmation": _pending(row),
    }


def _span(i: int, f: Finding) -> dict[str, Any]:
    return {"finding": i, "rule_id": f.rule_id, "kind": f.kind, "field": f.field, "start": f.start, "end": f.end,
            "confidence": f.confidence, "reason": f.reason, "action": f.action}


def case_view(row: Mapping[str, Any], latest_version: int, now: datetime) -> dict[str, Any]:
    """The reviewer's view of a case: text, findings as spans and as marked-up HTML, masks, outcome."""
    case = workbench.case_from_row(row, latest_version)
    doc = row["received"]["document"]
    fields: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        text = case.texts.get(name)
        if text is None:
            continue
        found = [f for f in case.findings if f.field == name]
        fields[name] = {"text": text, "html": render_marked(text, found),
                        "spans": [_span(i, f) for i, f in enumerate(found)]}
    masks = automatic_masks(case.findings)
    preview = apply_masks(case.texts, case.findings).texts
    automatic = row.get("automatic") or {"decision": row["decision"], "reason_code": row["reason_code"],
                                         "decided_at": row.get("decided_at")}
    return {
        "case_id": case.case_id,
        "document_id": row["document_id"],
        "version": case.version,
        "latest_version": case.latest_version,
        "content_hash": row["content_hash"],
        "status": case.status,
        "decidable": decidable(case) and case.latest_version == case.version,
        "approval_needs_second_reviewer": needs_second_reviewer(case, "approved"),
        "automatic": {"decision": automatic["decision"], "reason_code": automatic.get("reason_code"),
                      "rules_version": row.get("rules_version"), "decided_at": _iso(automatic.get("decided_at"))},
        "decision": row.get("decision"),
        "reason_code": row.get("reason_code"),
        "decided_by": row.get("decided_by"),
        "decided_at": _iso(row.get("decided_at")),
        "lock": _active_lock(row, now),
        "awaiting_confirmation": _pending(row),
        "document": {k: doc.get(k) for k in ("doc_number", "issuing_organ", "doc_type", "written_date",
                                             "disclosure", "classification", "audience")},
        "fields": fields,
        "metadata_findings": [_span(i, f) for i, f in enumerate(case.findings) if f.field not in TEXT_FIELDS],
        "masks": [{"rule_id": f.rule_id, "kind": f.kind, "field": f.field, "start": f.start, "end": f.end}
                  for f in masks],
        "redacted": preview.as_dict(),
        "released": row.get("released"),
    }


def build_router(
    repository: Callable[[], ReviewRepository], outbox: Callable[[], Outbox], settings: ReviewSettings
) -> APIRouter:
    router = APIRouter(prefix="/v1/cases", tags=["workbench"], route_class=ProblemRoute)
    ttl = timedelta(seconds=settings.lock_ttl_s)

    def actor(p: Principal) -> workbench.Actor:
        return workbench.Actor(p.name, p.role)

    @router.get("")
    async def queue(
        _: Reviewer,
        status: CaseStatus = "pending",
        page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    ) -> dict[str, Any]:
        """Cases in ``status`` (default: waiting for a reviewer), oldest first."""
        size = settings.queue_page_size
        total, rows = await repository().queue(status, (page - 1) * size, size)
        now = datetime.now(UTC)
        return {"status": status, "page": page, "page_size": size, "total": total,
                "next_page": page + 1 if page * size < total else None,
                "cases": [queue_item(r, now) for r in rows]}

    @router.get("/{case_id}")
    async def get_case(case_id: str, _: Reviewer) -> dict[str, Any]:
        repo = repository()
        row = await repo.case(case_id)
        if row is None:
            raise workbench_problem(workbench.UnknownCase(
                "Unknown case", f"No review case {case_id!r}; case ids look like <document_id>:v<version>."))
        return case_view(row, await repo.latest_version(row["document_id"]), datetime.now(UTC))

    @router.post("/{case_id}/lock")
    async def lock_case(case_id: str, principal: Reviewer) -> dict[str, Any]:
        """Open the case for yourself; the lock lasts GOVPUB_REVIEW_LOCK_TTL_S seconds and is renewed by locking again."""
        lock = await _call(lambda: workbench.lock(repository(), outbox(), case_id, actor(principal),
                                                  now=datetime.now(UTC), ttl=ttl))
        return {"case_id": case_id, "lock": {"holder": lock.holder, "expires_at": lock.expires_at.isoformat()}}

    @router.delete("/{case_id}/lock")
    async def unlock_case(case_id: str, principal: Reviewer) -> dict[str, Any]:
        await _call(lambda: workbench.unlock(repository(), outbox(), case_id, actor(principal), now=datetime.now(UTC)))
        return {"case_id": case_id, "lock": None}

    @router.post("/{case_id}/decision")
    async def decide(case_id: str, body: DecisionRequest, principal: Reviewer) -> dict[str, Any]:
        """Decide the case. Overturning an automatic rejection waits for a second reviewer's confirmation."""
        request = Proposal(
            decision=body.decision, reason=body.reason, reviewer=principal.name, at=datetime.now(UTC),
            reason_code=body.reason_code, disclosure=body.disclosure,
            add_masks=tuple(MaskSpan(m.field, m.start, m.end) for m in body.add_masks),
            remove_masks=tuple(MaskRef(m.rule_id, m.start, m.field) for m in body.remove_masks),
        )
        return await _call(lambda: workbench.decide(repository(), outbox(), case_id, request, actor(principal),
                                                    event_id=str(uuid.uuid4())))

    @router.post("/{case_id}/confirm")
    async def confirm(case_id: str, principal: Reviewer, body: ConfirmRequest | None = None) -> dict[str, Any]:
        """Confirm another reviewer's proposal (four-eyes); the approval is then made and published."""
        note = body.note if body else None
        return await _call(lambda: workbench.confirm(repository(), outbox(), case_id, actor(principal),
                                                     now=datetime.now(UTC), event_id=str(uuid.uuid4()), note=note))

    return router


async def _call(use_case: Callable[[], Awaitable[T]]) -> T:
    """Run a use case; rule violations and concurrent changes become problem+json."""
    try:
        return await use_case()
    except LockHeld as exc:
        extra = {} if exc.lock is None else {"locked_by": exc.lock.holder,
                                             "expires_at": exc.lock.expires_at.isoformat()}
        raise workbench_problem(exc, **extra) from None
    except (WorkbenchError, InvalidDecision) as exc:
        raise workbench_problem(exc) from None
    except PyMongoError as exc:
        # Two reviewers writing the same case at once: one transaction loses.
        if exc.has_error_label("TransientTransactionError"):
            raise workbench_problem(workbench.CaseChanged(
                "Case changed meanwhile", "Another request changed this case at the same moment; reload it and retry."
            )) from None
        raise
