"""Distribution's use cases: record one delivery per channel and version; dispatch them with retries."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from datetime import UTC, datetime
from typing import Any

from services.distribution.adapters import Adapter, PermanentFailure, TemporaryFailure
from services.distribution.domain import Channel, Work, delivery_id, next_attempt, work_for
from services.distribution.repository import DeliveryRepository
from shared import events
from shared.logging import get_logger
from shared.messaging import Incoming
from shared.outbox import Outbox

log = get_logger(__name__)


async def on_publications(
    channel: Channel,
    repo: DeliveryRepository,
    outbox: Outbox,
    batch: list[Incoming[Any]],
    *,
    consumer: str,
    now: datetime,
) -> int:
    """Turn released/withdrawn events into pending deliveries for ``channel``; returns how many were added."""
    async with outbox.unit_of_work(consumer) as uow:
        works: list[Work] = []
        for message in await uow.fresh(batch):
            uow.handled(message)
            work = work_for(channel, message.payload)
            if work is not None:
                works.append(work)
        withdrawals = [w for w in works if w.action == "withdraw"]
        if withdrawals:
            # Retract only where the document was sent: a channel that never got it has nothing to retract.
            sent = await repo.existing(
                [delivery_id(channel.id, w.release_id, "release") for w in withdrawals], uow.session
            )
            releases_here = {w.release_id for w in works if w.action == "release"}
            works = [
                w for w in works
                if w.action == "release"
                or delivery_id(channel.id, w.release_id, "release") in sent
                or w.release_id in releases_here
            ]
        await repo.add(works, now, time.time_ns(), uow.session)
    return len(works)


class Dispatcher:
    """Sends a channel's due deliveries in order; failures are rescheduled without holding the partition."""

    def __init__(
        self,
        channel: Channel,
        adapter: Adapter,
        repo: DeliveryRepository,
        *,
        interval_s: float,
        on_outcome: Any = None,
        batch_size: int = 100,
        concurrency: int = 8,
    ) -> None:
        self.channel = channel
        self.adapter = adapter
        self.repo = repo
        self.interval_s = interval_s
        self.on_outcome = on_outcome
        self.batch_size = batch_size
        self.concurrency = concurrency
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._rng = random.Random()

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"dispatch-{self.channel.id}")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.adapter.close()

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.dispatch_once(datetime.now(UTC))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dispatch round failed; will retry", channel=self.channel.id, error=str(exc))
                sent = 0
            if sent >= self.batch_size:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval_s)
            self._wake.clear()

    async def dispatch_once(self, now: datetime) -> int:
        due = await self.repo.due(self.channel.id, now, self.batch_size)
        if not due:
            return 0
        # One document's deliveries go in order (release before withdrawal); documents go in parallel.
        by_document: dict[str, list[dict[str, Any]]] = {}
        for row in due:
            by_document.setdefault(row["document_id"], []).append(row)
        limit = asyncio.Semaphore(self.concurrency)
        updates: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []

        async def run_document(rows: list[dict[str, Any]]) -> None:
            async with limit:
                for row in rows:
                    updates.append(await self._attempt(row))

        await asyncio.gather(*(run_document(rows) for rows in by_document.values()))
        await self.repo.record(updates)
        return len(due)

    async def _attempt(self, row: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
        work = Work(row["_id"], row["channel_id"], row["action"], row["document_id"], row["release_id"], row["payload"])
        now = datetime.now(UTC)
        attempts = row.get("attempts", 0) + 1
        try:
            reference = await self.adapter.deliver(work)
        except PermanentFailure as exc:
            self._outcome("failed")
            log.error("delivery refused; not retried", channel=self.channel.id, delivery_id=work.delivery_id,
                      document_id=work.document_id, error=str(exc))
            return work.delivery_id, {"status": "failed", "failed_at": now}, {"at": now, "error": str(exc),
                                                                              "permanent": True}
        except (TemporaryFailure, Exception) as exc:
            retry_at = next_attempt(self.channel.retry, attempts, now, self._rng)
            status = "retrying" if retry_at else "failed"
            self._outcome(status)
            log.warning("delivery failed", channel=self.channel.id, delivery_id=work.delivery_id,
                        document_id=work.document_id, attempts=attempts, error=str(exc))
            set_: dict[str, Any] = {"status": status, "next_attempt_at": retry_at or now}
            return work.delivery_id, set_, {"at": now, "error": f"{type(exc).__name__}: {exc}"}
        self._outcome("delivered")
        return work.delivery_id, {"status": "delivered", "delivered_at": now, "reference": reference}, None

    def _outcome(self, status: str) -> None:
        if self.on_outcome:
            self.on_outcome(self.channel.id, status)


def released_or_withdrawn() -> dict[str, type[events.EventPayload]]:
    return {events.DocumentReleased.TOPIC: events.DocumentReleased, events.DocumentWithdrawn.TOPIC: events.DocumentWithdrawn}
