"""Review's use case: scan each received version, decide, keep the case, emit only masked content."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from services.review import audit
from services.review.domain import ReviewInput, ReviewOutcome, RuleSet, finding_public_view, review
from services.review.domain.redaction import Texts, text_hash
from services.review.repository import ReviewRepository
from shared import events
from shared.messaging import Incoming
from shared.outbox import Outbox, Outgoing

SOURCE = "/govpub/review"
APPROVED = ("approved", "approved_with_redactions")


def review_received(received: events.DocumentReceived, rules: RuleSet) -> ReviewOutcome:
    doc = received.document
    return review(
        ReviewInput(
            title=doc.title,
            body=doc.body,
            note=doc.note,
            classification=doc.classification,
            disclosure=doc.disclosure,
        ),
        rules,
    )


def decision_event(
    received: events.DocumentReceived, outcome: ReviewOutcome, rules: RuleSet, now: datetime, decided_by: str
) -> events.DecisionMade:
    masked = None
    if outcome.decision in APPROVED:
        masked = received.document.model_copy(
            update={"title": outcome.redacted_title, "body": outcome.redacted_body, "note": outcome.redacted_note}
        )
    return events.DecisionMade(
        document_id=received.document_id,
        version=received.version,
        content_hash=received.content_hash,
        decision=outcome.decision,
        reason_code=outcome.reason_code,
        rules_version=str(rules.version),
        findings=[events.FindingSummary.model_validate(finding_public_view(f)) for f in outcome.findings],
        document=masked,
        decided_by=decided_by,
        decided_at=now,
    )


def new_case(received: events.DocumentReceived, outcome: ReviewOutcome, rules: RuleSet, now: datetime,
             correlation_id: str | None) -> dict[str, Any]:
    """The case of a version just reviewed automatically; it holds the original text and matched data."""
    status = "pending" if outcome.decision == "needs_human" else outcome.decision
    return {
        "_id": f"{received.document_id}:v{received.version}",
        "document_id": received.document_id,
        "version": received.version,
        "content_hash": received.content_hash,
        "status": status,
        "decision": outcome.decision,
        "reason_code": outcome.reason_code,
        "rules_version": str(rules.version),
        "findings": [{**finding_public_view(f), "text": f.text} for f in outcome.findings],
        "received": received.model_dump(mode="json"),
        "redacted": {
            "title": outcome.redacted_title,
            "body": outcome.redacted_body,
            "note": outcome.redacted_note,
        },
        "automatic": {"decision": outcome.decision, "reason_code": outcome.reason_code, "decided_at": now},
        "correlation_id": correlation_id,
        "received_at": received.received_at,
        "decided_at": now if status != "pending" else None,
        "decided_by": "auto" if status != "pending" else None,
        "lock": None,
        "proposal": None,
        "revision": 0,
    }


def automatic_audit(received: events.DocumentReceived, outcome: ReviewOutcome, rules: RuleSet,
                    now: datetime) -> dict[str, Any]:
    """The audit row of an automatic review, in the same shape as a reviewer's."""
    doc = received.document
    released = outcome.decision in APPROVED
    after = Texts(outcome.redacted_title, outcome.redacted_body, outcome.redacted_note)
    return audit.entry(
        at=now, actor="auto", actor_role="system", action="automatic_review",
        case_id=f"{received.document_id}:v{received.version}", document_id=received.document_id,
        version=received.version, content_hash=received.content_hash, decision=outcome.decision,
        reason_code=outcome.reason_code, findings=outcome.findings,
        text_hash_before=text_hash(Texts(doc.title, doc.body, doc.note)),
        text_hash_after=text_hash(after) if released else None, rules_version=str(rules.version),
    )


async def on_documents_received(
    repo: ReviewRepository,
    outbox: Outbox,
    rules: RuleSet,
    batch: list[Incoming[events.DocumentReceived]],
    *,
    consumer: str,
    now: datetime,
) -> None:
    # Scanning is CPU work: it runs in a worker thread, before the transaction opens, so neither the
    # event loop (heartbeats, HTTP) nor the transaction waits on it. A redelivered message is scanned
    # again for nothing, which is rare and cheap next to holding a transaction open.
    outcomes = await asyncio.to_thread(lambda: [review_received(m.payload, rules) for m in batch])
    by_message = {id(m): outcome for m, outcome in zip(batch, outcomes, strict=True)}
    async with outbox.unit_of_work(consumer) as uow:
        cases: list[dict[str, Any]] = []
        audit_rows: list[dict[str, Any]] = []
        newest: dict[str, int] = {}
        for message in await uow.fresh(batch):
            received = message.payload
            outcome = by_message[id(message)]
            event = decision_event(received, outcome, rules, now, "auto")
            cases.append(new_case(received, outcome, rules, now, message.envelope.correlation_id))
            audit_rows.append(automatic_audit(received, outcome, rules, now))
            newest[received.document_id] = max(newest.get(received.document_id, 0), received.version)
            uow.emit(Outgoing.of(event, source=SOURCE, now=now, cause=message), message)
        await repo.save_cases(cases, audit_rows, uow.session)
        await _supersede_older(repo, newest, now, uow.session)


async def _supersede_older(repo: ReviewRepository, newest: dict[str, int], now: datetime,
                           session: AsyncClientSession) -> None:
    """A new version takes its older open cases out of the queue: nobody decides them any more."""
    if not newest:
        return
    older = [row for row in await repo.open_cases_of(list(newest), session)
             if row["version"] < newest[row["document_id"]]]
    await repo.supersede({row["_id"]: newest[row["document_id"]] for row in older}, now, session)
    await repo.audit.append(
        [
            audit.entry(
                at=now, actor="auto", actor_role="system", action="superseded", case_id=row["_id"],
                document_id=row["document_id"], version=row["version"], content_hash=row["content_hash"],
                reason_code="superseded", reason=f"version {newest[row['document_id']]} arrived",
            )
            for row in older
        ],
        session,
    )
