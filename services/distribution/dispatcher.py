"""Sends one channel's due deliveries: claim (lease) → attempt through the adapter → record, fenced by the lease.

Failures are rescheduled in MongoDB with back-off and jitter, so nothing holds a Kafka partition.
A per-channel circuit breaker stops calls to an endpoint that keeps failing; deliveries wait, without
using up attempts, until the breaker lets a probe through.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.distribution.adapters import Adapter, PermanentFailure, Progress, TemporaryFailure
from services.distribution.domain import Channel, Outcome, Status, Work, after_failure, retraction
from services.distribution.domain import breaker as cb
from services.distribution.repository import DeliveryRepository, lease_expiry
from shared.logging import get_logger

log = get_logger(__name__)
Clock = Callable[[], datetime]
WITHDRAW_WAIT = timedelta(seconds=2)
FLUSH_EVERY = 16
FLUSH_AFTER_S = 0.2


@dataclass(frozen=True)
class Failed:
    """A delivery that just failed for good, with everything a DeliveryFailed event needs."""

    row: dict[str, Any]
    outcome: Outcome


FailedSink = Callable[[list[Failed], str, datetime], Awaitable[None]]


def waiting(row: dict[str, Any]) -> Status:
    """The status a claimed delivery goes back to when it is put off without an attempt."""
    status = row.get("resume_status") or "pending"
    return "retrying" if status == "retrying" else "pending"


class Dispatcher:
    def __init__(
        self,
        channel: Channel,
        adapter: Adapter,
        repo: DeliveryRepository,
        *,
        interval_s: float,
        lease_s: float = 30.0,
        on_outcome: Callable[[str, str], None] | None = None,
        on_failed: FailedSink | None = None,
        batch_size: int = 64,
        owner: str | None = None,
        clock: Clock = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
    ) -> None:
        self.channel = channel
        self.adapter = adapter
        self.repo = repo
        self.interval_s = interval_s
        self.lease_s = lease_s
        self.on_outcome = on_outcome
        self.on_failed = on_failed
        self.batch_size = batch_size
        self.owner = owner or uuid.uuid4().hex[:12]
        self.clock = clock
        self.breaker = cb.Breaker()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._rng = rng or random.Random()
        self._round = 0
        self._stopping = False
        self._next_due: datetime | None = None  # the earliest put-off delivery this dispatcher knows of

    # ---- lifecycle

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"dispatch-{self.channel.id}")

    async def stop(self, grace_s: float = 5.0) -> None:
        """Finish the round in flight, then stop: what was sent is recorded and its leases given back.

        Cancelling mid-round would lose the outcome of a request already made, and whoever takes the
        delivery over after the lease expires would send it again (with the same Idempotency-Key, but
        still twice). Only a round that outlasts ``grace_s`` is cancelled.
        """
        self._stopping = True
        self._wake.set()
        if self._task:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout=grace_s)
            except TimeoutError:
                log.warning("dispatch round still running at shutdown; cancelled", channel=self.channel.id)
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task
        await self.adapter.close()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                handled = await self.dispatch_once(self.clock())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("dispatch round failed; will retry", channel=self.channel.id, error=str(exc))
                handled = 0
            if handled >= self.batch_size or self._stopping:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle_wait_s())
            self._wake.clear()

    def _idle_wait_s(self) -> float:
        """Until the next round: new deliveries wake it, a put-off one is taken when due, else the interval.

        The interval is only a safety net (leases expired in a dead instance, work another instance added).
        Polling more often than that costs the database a claim query per channel for nothing.
        """
        if self._next_due is None:
            return self.interval_s
        return min(self.interval_s, max(0.0, (self._next_due - self.clock()).total_seconds()))

    def _note_due(self, at: datetime | None) -> None:
        if at is not None and (self._next_due is None or at < self._next_due):
            self._next_due = at

    # ---- one round

    async def dispatch_once(self, now: datetime) -> int:
        """Claim, attempt and record one batch; returns how many deliveries were handled."""
        policy = self.channel.breaker
        if self._next_due is not None and self._next_due <= now:
            self._next_due = None  # this round's claim takes it
        if self.breaker.state == "open" and now < cb.retry_at(self.breaker, policy, now):
            self._note_due(cb.retry_at(self.breaker, policy, now))
            await self.adapter.flush()
            return 0  # the endpoint is not called at all while the breaker is open
        limit = 1 if self.breaker.state != "closed" else self.batch_size
        self._round += 1
        token = f"{self.owner}:{self._round}"
        rows = await self.repo.claim(self.channel.id, now, limit, token, lease_expiry(now, self.lease_s))
        if not rows:
            await self.adapter.flush()
            return 0
        payloads = await self.repo.payloads(rows)
        for row in rows:
            row["payload"] = payloads[row["_id"]]
        # One document's deliveries go in order (release before withdrawal); documents go in parallel.
        by_document: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_document.setdefault(row["document_id"], []).append(row)
        limit_ = asyncio.Semaphore(self.channel.concurrency)
        done: list[tuple[dict[str, Any], Outcome]] = []
        flushing = asyncio.Lock()
        last_flush = [time.monotonic()]

        async def flush(force: bool = False) -> None:
            # Results are written a few at a time as they come, not at the end of the round: a
            # delivery is recorded (and its lease given back) within FLUSH_AFTER_S of being made.
            if not done or (not force and len(done) < FLUSH_EVERY and time.monotonic() - last_flush[0] < FLUSH_AFTER_S):
                return
            async with flushing:
                batch = done[:]
                done.clear()
                last_flush[0] = time.monotonic()
                if batch:
                    await self._record(batch, token)

        async def run_document(doc_rows: list[dict[str, Any]]) -> None:
            async with limit_:
                held_back: datetime | None = None
                for row in doc_rows:
                    if held_back is not None:
                        done.append((row, Outcome(waiting(row), counted=False, next_attempt_at=held_back)))
                        continue
                    outcome = await self._attempt(row, token)
                    done.append((row, outcome))
                    if outcome.status in ("pending", "retrying"):
                        held_back = outcome.next_attempt_at or self.clock()
                await flush()

        keeper = asyncio.create_task(self._keep_leases(token))
        try:
            await asyncio.gather(*(run_document(r) for r in by_document.values()))
            await flush(force=True)
        finally:
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
        await self.adapter.flush()
        return len(rows)

    async def _record(self, results: list[tuple[dict[str, Any], Outcome]], token: str) -> None:
        now = self.clock()
        for _, outcome in results:
            if outcome.status in ("pending", "retrying"):
                self._note_due(outcome.next_attempt_at)
        failed = [Failed(row, o) for row, o in results if o.status == "failed"]
        await self.repo.record([(row["_id"], o) for row, o in results if o.status != "failed"], token, now)
        if not failed:
            return
        if self.on_failed is not None:
            await self.on_failed(failed, token, now)
        else:
            await self.repo.record([(f.row["_id"], f.outcome) for f in failed], token, now)

    async def _attempt(self, row: dict[str, Any], token: str) -> Outcome:
        now = self.clock()
        admitted, self.breaker = cb.admit(self.breaker, self.channel.breaker, now)
        if not admitted:
            return Outcome(waiting(row), counted=False, next_attempt_at=cb.retry_at(self.breaker, self.channel.breaker, now))
        work = Work(row["_id"], row["channel_id"], row["action"], row["document_id"], row["release_id"], row["payload"])
        if work.action == "withdraw":
            prepared = await self._prepare_withdrawal(work, row, now)
            if isinstance(prepared, Outcome):
                self.breaker = cb.abandoned(self.breaker)
                return prepared
            work = prepared
        progress = Progress(row.get("progress"), self._saver(row["_id"], token))
        attempts = row.get("attempts", 0) + 1
        try:
            reference = await self.adapter.deliver(work, progress)
        except PermanentFailure as exc:
            self.breaker = cb.succeeded(self.breaker)  # it answered: the endpoint is up
            self._count("failed")
            log.error("delivery refused; not retried", channel=self.channel.id, delivery_id=work.delivery_id,
                      document_id=work.document_id, error=str(exc))
            return after_failure(self.channel.retry, attempts, self.clock(), self._rng, str(exc), permanent=True)
        except (TemporaryFailure, Exception) as exc:
            self.breaker = cb.failed(self.breaker, self.channel.breaker, self.clock())
            error = str(exc) if isinstance(exc, TemporaryFailure) else f"{type(exc).__name__}: {exc}"
            outcome = after_failure(self.channel.retry, attempts, self.clock(), self._rng, error, permanent=False)
            self._count(outcome.status)
            log.warning("delivery failed", channel=self.channel.id, delivery_id=work.delivery_id,
                        document_id=work.document_id, attempts=attempts, error=error, breaker=self.breaker.state)
            return outcome
        self.breaker = cb.succeeded(self.breaker)
        self._count("delivered")
        return Outcome("delivered", reference=reference)

    async def _prepare_withdrawal(self, work: Work, row: dict[str, Any], now: datetime) -> Work | Outcome:
        """Retract what was delivered; cancel what was not; wait for what may be in flight."""
        await self.repo.cancel_unsent(self.channel.id, work.document_id, now)
        releases = (await self.repo.releases_of(self.channel.id, [work.document_id])).get(work.document_id, [])
        plan = retraction([r["status"] for r in releases])
        if plan == "wait":
            return Outcome(waiting(row), counted=False, next_attempt_at=now + WITHDRAW_WAIT)
        if plan == "skip":
            self._count("skipped")
            return Outcome("skipped", counted=False)
        delivered = [r for r in releases if r["status"] == "delivered"]
        references = tuple(str(r["reference"]) for r in delivered if r.get("reference"))
        released = (await self.repo.payloads(delivered[-1:])).get(delivered[-1]["_id"], {})
        return Work(work.delivery_id, work.channel_id, work.action, work.document_id, work.release_id, work.payload,
                    references=references, released=released)

    async def _keep_leases(self, token: str) -> None:
        """Renew this round's leases while it runs, so a lease can be short and a crash heals quickly."""
        while True:
            await asyncio.sleep(self.lease_s / 3)
            await self.repo.extend(token, lease_expiry(self.clock(), self.lease_s))

    def _saver(self, delivery_id: str, token: str) -> Callable[[dict[str, Any]], Awaitable[None]]:
        async def save(values: dict[str, Any]) -> None:
            now = self.clock()
            if not await self.repo.checkpoint(delivery_id, token, values, lease_expiry(now, self.lease_s)):
                # Another dispatcher took over after our lease expired: stop before doing a step twice.
                raise TemporaryFailure("the lease on this delivery was lost; another dispatcher has it")

        return save

    def _count(self, status: str) -> None:
        if self.on_outcome:
            self.on_outcome(self.channel.id, status)

    def describe_breaker(self) -> dict[str, object]:
        return cb.describe(self.breaker, self.channel.breaker)
