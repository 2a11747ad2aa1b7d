"""Review's use case: scan each received version, decide, keep the case, emit only masked content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.review.domain import ReviewInput, ReviewOutcome, RuleSet, finding_public_view, review
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


async def on_documents_received(
    repo: ReviewRepository,
    outbox: Outbox,
    rules: RuleSet,
    batch: list[Incoming[events.DocumentReceived]],
    *,
    consumer: str,
    now: datetime,
) -> None:
    async with outbox.unit_of_work(consumer) as uow:
        cases: list[dict[str, Any]] = []
        audit: list[dict[str, Any]] = []
        for message in await uow.fresh(batch):
            received = message.payload
            outcome = review_received(received, rules)
            event = decision_event(received, outcome, rules, now, "auto")
            status = "pending" if outcome.decision == "needs_human" else outcome.decision
            cases.append(
                {
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
                    "received_at": received.received_at,
                    "decided_at": now if status != "pending" else None,
                    "decided_by": "auto" if status != "pending" else None,
                }
            )
            audit.append(
                {
                    "document_id": received.document_id,
                    "version": received.version,
                    "content_hash": received.content_hash,
                    "actor": "auto",
                    "action": "automatic_review",
                    "decision": outcome.decision,
                    "reason_code": outcome.reason_code,
                    "findings": [f.rule_id for f in outcome.findings],
                    "at": now,
                }
            )
            uow.emit(Outgoing.of(event, source=SOURCE, now=now, cause=message), message)
        await repo.save_cases(cases, audit, uow.session)
