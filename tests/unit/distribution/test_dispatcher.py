"""The dispatcher over an in-memory repository: breaker, failures, withdrawals, ordering, lost leases."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from services.distribution.adapters import PermanentFailure, Progress, TemporaryFailure
from services.distribution.dispatcher import Dispatcher, Failed
from services.distribution.domain import BreakerPolicy, Channel, RetryPolicy, Work
from tests.unit.distribution.memory import MemoryDeliveries
from tests.unit.distribution.samples import release_work, withdraw_work

T0 = datetime(2024, 3, 15, 1, 0, tzinfo=UTC)
CHANNEL = Channel(id="ch", type="webhook", name="c", concurrency=1,
                  breaker=BreakerPolicy(failure_threshold=3, cool_down_s=30), retry=RetryPolicy(max_attempts=5))


@dataclass
class FakeAdapter:
    fail: type[Exception] | None = None
    calls: list[Work] = field(default_factory=list)

    async def deliver(self, work: Work, progress: Progress) -> str:
        self.calls.append(work)
        if self.fail is not None:
            raise self.fail("scripted")
        return f"ref-{len(self.calls)}"

    async def flush(self) -> None:
        return None

    async def close(self) -> None:
        return None


def setup(adapter: FakeAdapter, n: int = 0) -> tuple[Dispatcher, MemoryDeliveries, list[datetime], list[Failed]]:
    repo = MemoryDeliveries()
    for i in range(n):
        repo.put(release_work("ch", document_id=f"d{i}", release_id=f"d{i}:v1"), at=T0)
    now = [T0]
    failed: list[Failed] = []

    async def sink(items: list[Failed], token: str, at: datetime) -> None:
        failed.extend(items)
        await repo.record([(f.row["_id"], f.outcome) for f in items], token, at)

    dispatcher = Dispatcher(CHANNEL, adapter, repo, interval_s=0.1, on_failed=sink,  # type: ignore[arg-type]
                            clock=lambda: now[0], rng=random.Random(3))
    return dispatcher, repo, now, failed


async def test_the_breaker_opens_after_consecutive_failures_and_the_endpoint_is_not_called_while_open() -> None:
    adapter = FakeAdapter(fail=TemporaryFailure)
    dispatcher, repo, now, _ = setup(adapter, n=5)

    await dispatcher.dispatch_once(T0)
    assert len(adapter.calls) == 3 and dispatcher.breaker.state == "open"
    untouched = [r for r in repo.rows.values() if r["attempts"] == 0]
    assert len(untouched) == 2 and all(r["next_attempt_at"] == T0 + timedelta(seconds=30) for r in untouched)

    now[0] = T0 + timedelta(seconds=29)
    assert await dispatcher.dispatch_once(now[0]) == 0
    assert len(adapter.calls) == 3

    adapter.fail = None
    now[0] = T0 + timedelta(seconds=30)
    assert await dispatcher.dispatch_once(now[0]) == 1  # half-open: one probe
    assert dispatcher.breaker.state == "closed"
    await dispatcher.dispatch_once(now[0])
    assert [r["status"] for r in repo.rows.values()] == ["delivered"] * 5


async def test_a_refusal_fails_at_once_and_reaches_the_failure_sink_with_its_history() -> None:
    adapter = FakeAdapter(fail=PermanentFailure)
    dispatcher, repo, _, failed = setup(adapter, n=1)
    await dispatcher.dispatch_once(T0)
    [f] = failed
    assert f.outcome.permanent and f.outcome.status == "failed"
    row = next(iter(repo.rows.values()))
    assert row["status"] == "failed" and row["attempts"] == 1 and row["errors"][0]["permanent"]
    assert dispatcher.breaker.state == "closed"  # it answered: the endpoint is up


async def test_the_last_temporary_failure_is_reported_too() -> None:
    adapter = FakeAdapter(fail=TemporaryFailure)
    dispatcher, repo, _, failed = setup(adapter, n=1)
    row = next(iter(repo.rows.values()))
    row["attempts"] = CHANNEL.retry.max_attempts - 1
    await dispatcher.dispatch_once(T0)
    assert failed and not failed[0].outcome.permanent and row["status"] == "failed"


async def test_a_withdrawal_retracts_the_delivered_references() -> None:
    adapter = FakeAdapter()
    dispatcher, repo, _, _ = setup(adapter)
    release = release_work("ch")
    repo.put(release, status="delivered", reference="post-1", at=T0)
    repo.put(withdraw_work("ch", ()), at=T0)

    await dispatcher.dispatch_once(T0)
    [work] = adapter.calls
    assert work.action == "withdraw" and work.references == ("post-1",)
    assert work.released["title"] == release.payload["title"]


async def test_a_withdrawal_before_delivery_cancels_the_release_and_sends_nothing() -> None:
    adapter = FakeAdapter()
    dispatcher, repo, _, _ = setup(adapter)
    repo.put(release_work("ch"), status="retrying", at=T0 + timedelta(hours=1))
    repo.put(withdraw_work("ch", ()), at=T0)

    await dispatcher.dispatch_once(T0)
    assert adapter.calls == []
    assert sorted(r["status"] for r in repo.rows.values()) == ["cancelled", "skipped"]


async def test_a_documents_later_deliveries_wait_while_an_earlier_one_is_retried() -> None:
    adapter = FakeAdapter(fail=TemporaryFailure)
    dispatcher, repo, _, _ = setup(adapter)
    repo.put(release_work("ch", release_id="d:v1", document_id="d"), at=T0)
    repo.put(release_work("ch", release_id="d:v2", document_id="d"), at=T0)
    await dispatcher.dispatch_once(T0)
    assert len(adapter.calls) == 1
    v2 = repo.rows["ch:d:v2:release"]
    assert v2["attempts"] == 0 and v2["next_attempt_at"] == repo.rows["ch:d:v1:release"]["next_attempt_at"]


async def test_a_dispatcher_that_lost_its_lease_stops_before_the_next_step() -> None:
    class TwoSteps(FakeAdapter):
        async def deliver(self, work: Work, progress: Progress) -> str:
            repo.rows[work.delivery_id]["lease"] = "someone-else"  # our lease expired and was taken over
            await progress.set(step=1)
            raise AssertionError("not reached")

    adapter = TwoSteps()
    dispatcher, repo, _, _ = setup(adapter, n=1)
    await dispatcher.dispatch_once(T0)
    row = next(iter(repo.rows.values()))
    assert row["lease"] == "someone-else" and row["attempts"] == 0 and row["status"] == "sending"  # the holder decides


async def test_stopping_lets_the_round_in_flight_finish_and_record_what_it_sent() -> None:
    class Slow(FakeAdapter):
        async def deliver(self, work: Work, progress: Progress) -> str:
            started.set()
            await asyncio.sleep(0.2)  # the request is out when the service is told to stop
            return await super().deliver(work, progress)

    started = asyncio.Event()
    adapter = Slow()
    dispatcher, repo, _, _ = setup(adapter, n=1)
    dispatcher.start()
    await asyncio.wait_for(started.wait(), 5)
    await dispatcher.stop()
    row = next(iter(repo.rows.values()))
    assert len(adapter.calls) == 1 and row["status"] == "delivered"  # not left leased, to be sent again


async def test_a_round_that_outlasts_the_grace_period_is_cancelled() -> None:
    class Hanging(FakeAdapter):
        async def deliver(self, work: Work, progress: Progress) -> str:
            started.set()
            await asyncio.sleep(3600)
            raise AssertionError("not reached")

    started = asyncio.Event()
    dispatcher, repo, _, _ = setup(Hanging(), n=1)
    dispatcher.start()
    await asyncio.wait_for(started.wait(), 5)
    await asyncio.wait_for(dispatcher.stop(grace_s=0.2), 5)
    assert next(iter(repo.rows.values()))["status"] == "sending"  # its lease expires; another takes it over


async def test_an_idle_dispatcher_waits_the_interval_but_wakes_for_a_retry_when_it_falls_due() -> None:
    adapter = FakeAdapter(fail=TemporaryFailure)
    dispatcher, repo, now, _ = setup(adapter, n=1)
    dispatcher.interval_s = 60.0
    assert dispatcher._idle_wait_s() == 60.0  # nothing put off: only the safety-net poll

    await dispatcher.dispatch_once(T0)
    [row] = repo.rows.values()
    due = row["next_attempt_at"]
    assert row["status"] == "retrying" and due > T0
    assert dispatcher._idle_wait_s() == (due - T0).total_seconds()  # not the 60 s interval

    now[0] = due
    adapter.fail = None
    assert dispatcher._idle_wait_s() == 0.0
    await dispatcher.dispatch_once(now[0])
    assert row["status"] == "delivered" and dispatcher._idle_wait_s() == 60.0


async def test_an_open_breaker_wakes_the_dispatcher_when_the_probe_is_due() -> None:
    adapter = FakeAdapter(fail=TemporaryFailure)
    dispatcher, _, now, _ = setup(adapter, n=5)
    dispatcher.interval_s = 600.0
    await dispatcher.dispatch_once(T0)
    assert dispatcher.breaker.state == "open"
    now[0] = T0 + timedelta(seconds=10)
    assert await dispatcher.dispatch_once(now[0]) == 0
    assert dispatcher._idle_wait_s() == 20.0  # the cool-down's end, not the interval
