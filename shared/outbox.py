"""Transactional outbox and idempotent inbox.

A state change and the events it causes are written in one MongoDB transaction: the events land in
the service's ``outbox`` collection, and a relay publishes them to Kafka and marks them. The
``inbox`` records every consumed event id with the ids of the events it caused, so a redelivered
event changes nothing but re-emits the same events: a crash between "saved" and "published" heals.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from faststream.kafka import KafkaBroker
from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared.envelope import Envelope, derive_event_id, encode, new_event_id
from shared.events import EventPayload
from shared.logging import get_logger
from shared.messaging import Incoming

log = get_logger(__name__)


T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """A write conflict or a lost primary: the whole transaction can simply run again."""
    return isinstance(exc, PyMongoError) and (
        exc.has_error_label("TransientTransactionError") or exc.has_error_label("UnknownTransactionCommitResult")
    )


async def retrying(
    operation: Callable[[], Awaitable[T]],
    attempts: int = 5,
    *,
    retry_if: Callable[[BaseException], bool] = is_transient,
) -> T:
    """Run a transactional operation again after an error worth retrying: by default a transient one
    (two writers touched one document); a service with optimistic checks of its own passes its test."""
    for attempt in range(1, attempts + 1):
        try:
            return await operation()
        except Exception as exc:
            if attempt == attempts or not retry_if(exc):
                raise
            # Jitter: writers that collided once must not retry in lockstep and collide again.
            await asyncio.sleep(0.01 * 2**attempt * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Outgoing:
    """An event ready for the outbox."""

    envelope: Envelope
    topic: str
    key: str
    payload: dict[str, Any]

    @classmethod
    def of(
        cls,
        event: EventPayload,
        *,
        source: str,
        now: datetime,
        cause: Incoming[Any] | None = None,
        correlation_id: str | None = None,
        event_id: str | None = None,
    ) -> Outgoing:
        """Wrap ``event``; caused events get an id derived from their cause, so re-handling repeats it."""
        if event_id is None:
            event_id = derive_event_id(cause.envelope.id, event.TYPE) if cause else new_event_id()
        envelope = Envelope(
            id=event_id,
            type=event.TYPE,
            source=source,
            subject=event.document_id,
            time=now,
            correlation_id=correlation_id or (cause.envelope.correlation_id if cause else event_id),
            causation_id=cause.envelope.id if cause else None,
        )
        return cls(envelope, event.TOPIC, event.document_id, event.model_dump(mode="json"))


async def ensure_indexes(db: AsyncDatabase) -> None:
    await db.outbox.create_index([("pending", ASCENDING), ("seq", ASCENDING)], sparse=True)
    await db.outbox.create_index([("subject", ASCENDING), ("seq", ASCENDING)])
    await db.outbox.create_index([("created_at", ASCENDING)])


@dataclass
class UnitOfWork:
    """One transaction: state writes, inbox records and staged events commit together."""

    db: AsyncDatabase
    session: AsyncClientSession
    consumer: str | None
    staged: list[Outgoing] = field(default_factory=list)
    outputs: dict[str, list[str]] = field(default_factory=dict)
    replay_ids: list[str] = field(default_factory=list)

    async def fresh(self, batch: Sequence[Incoming[Any]]) -> list[Incoming[Any]]:
        """The events of ``batch`` this consumer has not handled yet; repeats are scheduled for re-emission."""
        assert self.consumer, "fresh() needs a consumer name"
        ids = [f"{self.consumer}:{m.envelope.id}" for m in batch]
        seen: dict[str, list[str]] = {}
        async for row in self.db.inbox.find({"_id": {"$in": ids}}, session=self.session):
            seen[row["_id"]] = row.get("outputs", [])
        result: list[Incoming[Any]] = []
        in_batch: set[str] = set()
        for message, inbox_id in zip(batch, ids, strict=True):
            if inbox_id in seen:
                self.replay_ids.extend(seen[inbox_id])
            elif inbox_id not in in_batch:
                in_batch.add(inbox_id)
                result.append(message)
        return result

    def emit(self, outgoing: Outgoing, cause: Incoming[Any] | None = None) -> None:
        self.staged.append(outgoing)
        if cause is not None:
            self.outputs.setdefault(cause.envelope.id, []).append(outgoing.envelope.id)

    def handled(self, cause: Incoming[Any]) -> None:
        """Record ``cause`` in the inbox even if it caused no event."""
        self.outputs.setdefault(cause.envelope.id, [])


class Outbox:
    """Opens units of work and relays their events to Kafka."""

    def __init__(
        self,
        client: Any,
        db: AsyncDatabase,
        broker: KafkaBroker,
        *,
        poll_interval_s: float = 0.5,
        batch_size: int = 500,
        on_published: Callable[[str, int], None] | None = None,
    ) -> None:
        self.client = client
        self.db = db
        self.broker = broker
        self.poll_interval_s = poll_interval_s
        self.batch_size = batch_size
        self.on_published = on_published
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._seq_lock = asyncio.Lock()
        self._seq = 0

    @contextlib.asynccontextmanager
    async def unit_of_work(self, consumer: str | None = None):
        async with self.client.start_session() as session:
            uow = UnitOfWork(self.db, session, consumer)
            async with await session.start_transaction():
                yield uow
                await self._stage(uow)
        if uow.replay_ids:
            await self.db.outbox.update_many({"_id": {"$in": uow.replay_ids}}, {"$set": {"pending": True}})
        if uow.staged or uow.replay_ids:
            self._wake.set()

    async def _next_seq(self, n: int) -> int:
        # Sequence numbers keep outbox order within this process; time breaks ties across restarts.
        async with self._seq_lock:
            start = self._seq
            self._seq += n
            return start

    async def _stage(self, uow: UnitOfWork) -> None:
        now = datetime.now(UTC)
        if uow.staged:
            base = await self._next_seq(len(uow.staged))
            stamp = int(now.timestamp() * 1_000_000) * 1000
            rows = []
            for i, out in enumerate(uow.staged):
                headers, value = encode(out.envelope, out.payload)
                rows.append(
                    {
                        "_id": out.envelope.id,
                        "seq": stamp + base + i,
                        "topic": out.topic,
                        "key": out.key,
                        "subject": out.envelope.subject,
                        "type": out.envelope.type,
                        "headers": {k: v.decode() for k, v in headers.items()},
                        "value": value,
                        "created_at": now,
                        "pending": True,
                    }
                )
            await self._insert_ignoring_duplicates(rows, uow.session)
        if uow.consumer and uow.outputs:
            await uow.db.inbox.insert_many(
                [
                    {"_id": f"{uow.consumer}:{cause}", "outputs": outs, "at": now}
                    for cause, outs in uow.outputs.items()
                ],
                session=uow.session,
                ordered=False,
            )

    async def _insert_ignoring_duplicates(self, rows: list[dict[str, Any]], session: AsyncClientSession) -> None:
        ids = [r["_id"] for r in rows]
        existing = {r["_id"] async for r in self.db.outbox.find({"_id": {"$in": ids}}, {"_id": 1}, session=session)}
        new_rows = [r for r in rows if r["_id"] not in existing]
        if new_rows:
            await self.db.outbox.insert_many(new_rows, session=session, ordered=True)
        if existing:
            await self.db.outbox.update_many(
                {"_id": {"$in": list(existing)}}, {"$set": {"pending": True}}, session=session
            )

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def replay(self, since: datetime) -> int:
        """Publish again every event created since ``since`` (after the broker lost its data).

        Consumers are idempotent, so what they already handled costs only an inbox lookup.
        """
        result = await self.db.outbox.update_many({"created_at": {"$gte": since}}, {"$set": {"pending": True}})
        self._wake.set()
        return int(result.modified_count)

    async def redrive(self, event_ids: list[str]) -> int:
        """Publish these events again (the stuck-document monitor's re-drive)."""
        result = await self.db.outbox.update_many({"_id": {"$in": event_ids}}, {"$set": {"pending": True}})
        self._wake.set()
        return int(result.modified_count)

    async def backlog(self) -> int:
        return await self.db.outbox.count_documents({"pending": True})

    async def _run(self) -> None:
        while True:
            try:
                published = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # broker or database down: keep trying, never lose the outbox
                log.warning("outbox relay failed; will retry", error=str(exc))
                await asyncio.sleep(1.0)
                continue
            if published >= self.batch_size:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval_s)
            self._wake.clear()

    async def relay_once(self) -> int:
        """Publish one batch of pending events in order; returns how many were published."""
        rows = await self.db.outbox.find({"pending": True}).sort("seq", ASCENDING).to_list(self.batch_size)
        if not rows:
            return 0
        futures = []
        for row in rows:
            future = await self.broker.publish(
                bytes(row["value"]),
                row["topic"],
                key=row["key"].encode(),
                headers=row["headers"],
                no_confirm=True,
            )
            futures.append(future)
        await asyncio.gather(*futures)
        try:
            await self.db.outbox.bulk_write(
                [
                    UpdateOne({"_id": r["_id"]}, {"$unset": {"pending": ""}, "$set": {"published_at": datetime.now(UTC)}})
                    for r in rows
                ],
                ordered=False,
            )
        except PyMongoError as exc:
            # Published but not marked: they will be published again, which consumers absorb.
            log.warning("could not mark outbox rows published", error=str(exc))
        if self.on_published:
            for row in rows:
                self.on_published(row["topic"], 1)
        return len(rows)
