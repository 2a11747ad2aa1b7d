"""The console's use cases: record what it sees on the topics, and replay a dead letter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from aiokafka import ConsumerRecord

from services.console import domain
from services.console.repository import ConsoleRepository
from shared.auth import Principal
from shared.logging import get_logger
from shared.messaging import Incoming
from shared.topics import BY_NAME, SERVICES, dead_letter_topic

log = get_logger(__name__)
Publish = Callable[[bytes, str, bytes | None, dict[str, str]], Awaitable[None]]
DEAD_LETTER_TOPICS = tuple(dead_letter_topic(s) for s in SERVICES)
EVENT_TOPICS = tuple(t.name for t in BY_NAME.values() if t.name not in DEAD_LETTER_TOPICS)


class ReplayRefused(ValueError):
    """The dead letter cannot be replayed (it names no source topic the console knows)."""


async def record_events(repo: ConsoleRepository, batch: Sequence[Incoming[Any]], now: datetime) -> None:
    rows = [
        domain.trace_row(m.envelope, m.payload.model_dump(mode="json"), m.topic, m.partition, m.offset, now)
        for m in batch
    ]
    await repo.save_trace(rows)


async def record_unreadable(repo: ConsoleRepository, record: ConsumerRecord, error: str, now: datetime) -> None:
    row = domain.unreadable_row(record.topic, record.partition, record.offset, record.key, error, record.timestamp, now)
    await repo.save_trace([row])


async def record_dead_letters(repo: ConsoleRepository, records: Sequence[ConsumerRecord], now: datetime) -> None:
    rows = [
        domain.dead_letter_row(
            r.topic, r.partition, r.offset, r.key, r.value, list(r.headers or ()), r.timestamp, now
        )
        for r in records
    ]
    await repo.save_dead_letters(rows)


async def replay(
    repo: ConsoleRepository, publish: Publish, dead_letter_id: str, principal: Principal, now: datetime
) -> dict[str, Any]:
    """Send the original bytes and headers back to the topic they came from; the replay is recorded."""
    row = await repo.dead_letter(dead_letter_id)
    if row is None:
        raise LookupError(dead_letter_id)
    topic = row["source_topic"]
    if topic not in EVENT_TOPICS:
        raise ReplayRefused(f"the dead letter names the source topic {topic!r}, which is not an event topic of govpub")
    headers = domain.replay_headers(row["headers"])
    await publish(row["value"], topic, row["key"] or None, headers)
    await repo.record_replay(dead_letter_id, principal.name, now)
    log.info("dead letter replayed", dead_letter=dead_letter_id, topic=topic, by=principal.name, role=principal.role)
    return {"dead_letter_id": dead_letter_id, "topic": topic, "bytes": len(row["value"]), "replayed_by": principal.name,
            "replayed_at": now.isoformat()}
