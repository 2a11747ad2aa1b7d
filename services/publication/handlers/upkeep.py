"""Publication's use cases that start outside Kafka: the 三同步 deadline check and editors' validity changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.publication.domain import Validity, overdue
from services.publication.handlers import SOURCE
from services.publication.repository import PublicationRepository
from shared import events
from shared.envelope import derive_event_id
from shared.outbox import Outbox, Outgoing


async def raise_overdue(repo: PublicationRepository, outbox: Outbox, *, now: datetime, limit: timedelta) -> list[str]:
    """Raise InterpretationOverdue once for every policy held for its interpretation longer than ``limit``.

    Returns the candidate keys reported. The event id is derived from the held version, so a crash
    between the write and the relay re-publishes the same event, never a second one.
    """
    rows = [r for r in await repo.held_for_interpretation(now - limit) if overdue(r["held_since"], now, limit)]
    if not rows:
        return []
    async with outbox.unit_of_work() as uow:
        for row in rows:
            content = row.get("decision", {}).get("document") or {}
            event = events.InterpretationOverdue(
                document_id=row["document_id"],
                version=row["version"],
                doc_number=content.get("doc_number"),
                title=content.get("title", ""),
                waiting_since=row["held_since"],
                limit_hours=limit.total_seconds() / 3600,
                detected_at=now,
            )
            event_id = derive_event_id(f"{row['_id']}:interpretation-overdue", event.TYPE)
            uow.emit(Outgoing.of(event, source=SOURCE, now=now, event_id=event_id))
        await repo.mark_overdue([r["_id"] for r in rows], now, uow.session)
    return [r["_id"] for r in rows]


async def set_validity(
    repo: PublicationRepository, outbox: Outbox, document_id: str, validity: Validity, *, now: datetime
) -> bool:
    """Record a document's validity (有效/失效/废止); False when the library has no such entry."""
    async with outbox.unit_of_work() as uow:
        return await repo.set_validity(document_id, validity, now, uow.session)
