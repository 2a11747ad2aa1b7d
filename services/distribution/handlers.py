"""Distribution's use cases: record one delivery per channel and version; fail deliveries loudly."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from services.distribution.dispatcher import Dispatcher, Failed
from services.distribution.domain import Channel, Work, work_for
from services.distribution.repository import DeliveryRepository
from shared import events
from shared.envelope import derive_event_id
from shared.logging import get_logger
from shared.messaging import Incoming
from shared.outbox import Outbox, Outgoing

log = get_logger(__name__)
SOURCE = "/govpub/distribution"

__all__ = ["Dispatcher", "on_publications", "record_failures", "released_or_withdrawn"]


async def on_publications(
    channel: Channel,
    repo: DeliveryRepository,
    outbox: Outbox,
    batch: list[Incoming[Any]],
    *,
    consumer: str,
    now: datetime,
) -> int:
    """Turn released/withdrawn events into pending deliveries for ``channel``; returns how many were added.

    A withdrawal cancels the document's releases not sent yet, and is recorded only where something
    of the document was (or is being) sent: a channel that never got it has nothing to retract.
    """
    async with outbox.unit_of_work(consumer) as uow:
        works: list[Work] = []
        for message in await uow.fresh(batch):
            uow.handled(message)
            work = work_for(channel, message.payload)
            if work is not None:
                works.append(work)
        withdrawals = [w for w in works if w.action == "withdraw"]
        if withdrawals:
            documents = sorted({w.document_id for w in withdrawals})
            known = await repo.releases_of(channel.id, documents, uow.session)
            in_batch = {w.document_id for w in works if w.action == "release"}
            works = [w for w in works if w.action == "release" or w.document_id in known or w.document_id in in_batch]
            await repo.add(works, now, time.time_ns(), uow.session)
            for document_id in documents:
                await repo.cancel_unsent(channel.id, document_id, now, uow.session)
        else:
            await repo.add(works, now, time.time_ns(), uow.session)
    return len(works)


def delivery_failed(failed: Failed, row: dict[str, Any], now: datetime) -> events.DeliveryFailed:
    errors = [f"{e['at'].isoformat()} {e['error']}" for e in row.get("errors", [])]
    return events.DeliveryFailed(
        document_id=row["document_id"],
        delivery_id=row["_id"],
        channel_id=row["channel_id"],
        action=row["action"],
        release_id=row["release_id"],
        attempts=int(row.get("attempts", 0)),
        permanent=failed.outcome.permanent,
        errors=errors,
        failed_at=now,
    )


async def record_failures(
    repo: DeliveryRepository, outbox: Outbox, failures: list[Failed], token: str, now: datetime
) -> list[events.DeliveryFailed]:
    """Mark deliveries failed and emit DeliveryFailed with their whole error history, in one transaction."""
    emitted: list[events.DeliveryFailed] = []
    async with outbox.unit_of_work() as uow:
        for failed in failures:
            row = await repo.record_one(failed.row["_id"], failed.outcome, token, now, uow.session)
            if row is None:
                continue  # the lease was lost: the dispatcher that holds it now decides
            event = delivery_failed(failed, row, now)
            # One event per failure: replays count up, so a delivery that fails again alerts again.
            event_id = derive_event_id(f"{row['_id']}#{row.get('replays', 0)}", event.TYPE)
            uow.emit(Outgoing.of(event, source=SOURCE, now=now, event_id=event_id))
            emitted.append(event)
    for event in emitted:
        log.error("delivery failed for good; operator action needed", channel=event.channel_id,
                  delivery_id=event.delivery_id, document_id=event.document_id, attempts=event.attempts,
                  permanent=event.permanent, last_error=event.errors[-1] if event.errors else None)
    return emitted


def released_or_withdrawn() -> dict[str, type[events.EventPayload]]:
    return {events.DocumentReleased.TOPIC: events.DocumentReleased, events.DocumentWithdrawn.TOPIC: events.DocumentWithdrawn}
