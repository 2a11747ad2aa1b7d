"""The reviewer workbench's use cases: load the case → apply the rules → save, audit and emit together.

Every state change writes the case (guarded by its revision), one audit row and, for a final
decision, the DecisionMade event in one transaction (the outbox relays the event).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from services.review import audit
from services.review.domain import Finding, finding_public_view
from services.review.domain.redaction import MaskRef, MaskSpan, Texts, text_hash
from services.review.domain.workbench import (
    Case,
    Decided,
    Lock,
    Proposal,
    Verdict,
    WorkbenchError,
    confirm_case,
    decide_case,
    lock_case,
    unlock_case,
)
from services.review.handlers import SOURCE
from services.review.repository import ReviewRepository
from shared import events
from shared.logging import get_logger
from shared.outbox import Outbox, Outgoing, UnitOfWork

log = get_logger(__name__)


class UnknownCase(WorkbenchError):
    pass


class CaseChanged(WorkbenchError):
    """Someone changed the case between our read and our write."""


@dataclass(frozen=True)
class Actor:
    name: str
    role: str


# ---------------------------------------------------------------- rows ⇄ domain


def case_from_row(row: Mapping[str, Any], latest_version: int) -> Case:
    doc = row["received"]["document"]
    automatic = row.get("automatic") or {"decision": row["decision"], "reason_code": row["reason_code"]}
    lock = row.get("lock")
    return Case(
        case_id=row["_id"],
        version=row["version"],
        latest_version=max(latest_version, row["version"]),
        status=row["status"],
        decided_by=row.get("decided_by"),
        automatic_decision=automatic["decision"],
        automatic_reason_code=automatic.get("reason_code"),
        texts=Texts(doc["title"], doc["body"], doc.get("note")),
        findings=tuple(Finding(**f) for f in row["findings"]),
        classification=doc.get("classification"),
        disclosure=doc.get("disclosure"),
        lock=Lock(lock["holder"], lock["expires_at"]) if lock else None,
        proposal=proposal_from(row.get("proposal")),
    )


def proposal_from(row: Mapping[str, Any] | None) -> Proposal | None:
    if not row:
        return None
    return Proposal(
        decision=row["decision"], reason=row["reason"], reviewer=row["reviewer"], at=row["at"],
        reason_code=row.get("reason_code"), disclosure=row.get("disclosure"),
        add_masks=tuple(MaskSpan(m["field"], m["start"], m["end"]) for m in row.get("add_masks", [])),
        remove_masks=tuple(MaskRef(m["rule_id"], m["start"], m.get("field")) for m in row.get("remove_masks", [])),
    )


def proposal_row(p: Proposal) -> dict[str, Any]:
    return {
        "decision": p.decision, "reason": p.reason, "reviewer": p.reviewer, "at": p.at,
        "reason_code": p.reason_code, "disclosure": p.disclosure,
        "add_masks": [{"field": m.field, "start": m.start, "end": m.end} for m in p.add_masks],
        "remove_masks": [{"rule_id": m.rule_id, "start": m.start, "field": m.field} for m in p.remove_masks],
    }


def lock_row(lock: Lock | None) -> dict[str, Any] | None:
    return None if lock is None else {"holder": lock.holder, "expires_at": lock.expires_at}


# ---------------------------------------------------------------- use cases


async def _load(repo: ReviewRepository, case_id: str, session: AsyncClientSession) -> tuple[dict[str, Any], Case]:
    row = await repo.case(case_id, session)
    if row is None:
        raise UnknownCase("Unknown case", f"No review case {case_id!r}; case ids look like <document_id>:v<version>.")
    return row, case_from_row(row, await repo.latest_version(row["document_id"], session))


async def _save(repo: ReviewRepository, row: Mapping[str, Any], changes: Mapping[str, Any],
                session: AsyncClientSession) -> None:
    if not await repo.update_case(row, changes, session):
        raise CaseChanged("Case changed meanwhile", f"Case {row['_id']} changed while this request ran; reload it and retry.")


def _entry(row: Mapping[str, Any], case: Case, actor: Actor, action: str, now: datetime,
           **extra: Any) -> dict[str, Any]:
    return audit.entry(
        at=now, actor=actor.name, actor_role=actor.role, action=action, case_id=case.case_id,
        document_id=row["document_id"], version=case.version, content_hash=row["content_hash"],
        rules_version=row.get("rules_version"), **extra,
    )


async def lock(repo: ReviewRepository, outbox: Outbox, case_id: str, actor: Actor, *,
               now: datetime, ttl: timedelta) -> Lock:
    async with outbox.unit_of_work() as uow:
        row, case = await _load(repo, case_id, uow.session)
        taken = lock_case(case, actor.name, now, ttl)
        await _save(repo, row, {"lock": lock_row(taken), "updated_at": now}, uow.session)
        await repo.audit.append([_entry(row, case, actor, "lock", now)], uow.session)
    return taken


async def unlock(repo: ReviewRepository, outbox: Outbox, case_id: str, actor: Actor, *, now: datetime) -> None:
    async with outbox.unit_of_work() as uow:
        row, case = await _load(repo, case_id, uow.session)
        unlock_case(case, actor.name, now)
        if case.lock is None:
            return
        await _save(repo, row, {"lock": None, "updated_at": now}, uow.session)
        await repo.audit.append([_entry(row, case, actor, "unlock", now)], uow.session)


async def decide(repo: ReviewRepository, outbox: Outbox, case_id: str, request: Proposal, actor: Actor, *,
                 event_id: str) -> dict[str, Any]:
    """A reviewer's decision; ``request.at`` is now."""
    async with outbox.unit_of_work() as uow:
        row, case = await _load(repo, case_id, uow.session)
        verdict = decide_case(case, request)
        return await _record(repo, uow, row, case, verdict, actor, request.at, event_id,
                             reason=request.reason)


async def confirm(repo: ReviewRepository, outbox: Outbox, case_id: str, actor: Actor, *, now: datetime,
                  event_id: str, note: str | None = None) -> dict[str, Any]:
    """The second reviewer's confirmation of a pending proposal."""
    async with outbox.unit_of_work() as uow:
        row, case = await _load(repo, case_id, uow.session)
        verdict = confirm_case(case, actor.name, now)
        return await _record(repo, uow, row, case, verdict, actor, now, event_id, reason=note)


async def _record(repo: ReviewRepository, uow: UnitOfWork, row: Mapping[str, Any],
                  case: Case, verdict: Verdict, actor: Actor, now: datetime, event_id: str,
                  reason: str | None) -> dict[str, Any]:
    request, final, redaction = verdict.proposal, verdict.final, verdict.redaction
    changes: dict[str, Any] = {"status": verdict.status, "lock": lock_row(verdict.lock), "updated_at": now,
                               "proposal": None if verdict.pending is None else proposal_row(verdict.pending)}
    if final is not None:
        released = None
        if final.redaction is not None:
            released = {**final.redaction.texts.as_dict(), "disclosure": final.disclosure}
        changes.update({
            "decision": final.decision, "reason_code": final.reason_code, "decided_by": final.decided_by,
            "decided_at": now, "released": released,
            "human": {**proposal_row(request), "confirmed_by": final.decided_by if final.proposed_by else None},
        })
    await _save(repo, row, changes, uow.session)
    await repo.audit.append([_entry(
        row, case, actor, verdict.action, now,
        decision=request.decision, reason_code=final.reason_code if final else request.reason_code,
        reason=reason, proposed_by=final.proposed_by if final else None, findings=case.findings,
        masks_added=request.add_masks, masks_removed=redaction.removed if redaction else request.remove_masks,
        text_hash_before=text_hash(case.texts), text_hash_after=text_hash(redaction.texts) if redaction else None,
    )], uow.session)
    if final is not None:
        event = decision_event(row, case, final, now)
        uow.emit(Outgoing.of(event, source=SOURCE, now=now, event_id=event_id, correlation_id=row.get("correlation_id")))
    log.info("case " + verdict.action, case_id=case.case_id, document_id=row["document_id"], version=case.version,
             decision=request.decision, reviewer=actor.name, status=verdict.status)
    return {
        "case_id": case.case_id, "document_id": row["document_id"], "version": case.version,
        "status": verdict.status, "decision": final.decision if final else None,
        "reason_code": final.reason_code if final else None, "decided_by": final.decided_by if final else None,
        "proposed_by": final.proposed_by if final else None,
        "awaiting_confirmation": None if verdict.pending is None else {
            "decision": verdict.pending.decision, "proposed_by": verdict.pending.reviewer,
            "at": verdict.pending.at.isoformat(),
        },
    }


def decision_event(row: Mapping[str, Any], case: Case, final: Decided, now: datetime) -> events.DecisionMade:
    """DecisionMade for a human decision: the same content hash; the masked document only on approval."""
    received = events.DocumentReceived.model_validate(row["received"])
    masked = None
    findings: list[Finding] = list(case.findings)
    if final.redaction is not None:
        t = final.redaction.texts
        masked = received.document.model_copy(
            update={"title": t.title, "body": t.body, "note": t.note, "disclosure": final.disclosure}
        )
        # The masks as applied replace the automatic ones; the other findings stay for the record.
        findings = [f for f in case.findings if f.action != "mask"] + list(final.redaction.applied)
    return events.DecisionMade(
        document_id=received.document_id,
        version=received.version,
        content_hash=received.content_hash,
        decision=final.decision,
        reason_code=final.reason_code,
        rules_version=str(row.get("rules_version", "")),
        findings=[events.FindingSummary.model_validate(finding_public_view(f)) for f in findings],
        document=masked,
        decided_by=final.decided_by,
        decided_at=now,
    )
