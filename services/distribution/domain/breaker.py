"""Per-channel circuit breaker, a pure state machine: closed → open → half-open → closed (or open again).

Only temporary failures (timeouts, 5xx, throttling) count: a channel that answers, even with a refusal,
is up. While open, the dispatcher does not call the endpoint at all; after the cool-down one probe
goes through (half-open); its success closes the breaker, its failure opens it for another cool-down.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from services.distribution.domain.channels import BreakerPolicy

State = Literal["closed", "open", "half_open"]
#: How long calls wait while the half-open probe is out.
PROBE_WAIT = timedelta(seconds=1)


@dataclass(frozen=True)
class Breaker:
    state: State = "closed"
    failures: int = 0
    opened_at: datetime | None = None
    probing: bool = False


def admit(b: Breaker, policy: BreakerPolicy, now: datetime) -> tuple[bool, Breaker]:
    """May a call go out now? Moves open → half-open once the cool-down is over."""
    if b.state == "closed":
        return True, b
    if b.state == "open":
        assert b.opened_at is not None
        if now < b.opened_at + timedelta(seconds=policy.cool_down_s):
            return False, b
        return True, replace(b, state="half_open", probing=True)
    if b.probing:
        return False, b
    return True, replace(b, probing=True)


def succeeded(b: Breaker) -> Breaker:
    return Breaker()


def failed(b: Breaker, policy: BreakerPolicy, now: datetime) -> Breaker:
    failures = b.failures + 1
    if b.state == "half_open" or (b.state == "closed" and failures >= policy.failure_threshold):
        return Breaker("open", failures, now, False)
    return replace(b, failures=failures)


def abandoned(b: Breaker) -> Breaker:
    """An admitted call that did not go out after all (e.g. deferred): the probe slot is free again."""
    return replace(b, probing=False) if b.state == "half_open" else b


def retry_at(b: Breaker, policy: BreakerPolicy, now: datetime) -> datetime:
    """When a call refused now should be tried again."""
    if b.state == "open" and b.opened_at is not None:
        return max(now, b.opened_at + timedelta(seconds=policy.cool_down_s))
    return now + PROBE_WAIT


def describe(b: Breaker, policy: BreakerPolicy) -> dict[str, object]:
    out: dict[str, object] = {"state": b.state, "consecutive_failures": b.failures}
    if b.opened_at is not None and b.state != "closed":
        out["opened_at"] = b.opened_at.isoformat()
        out["probe_after"] = (b.opened_at + timedelta(seconds=policy.cool_down_s)).isoformat()
    return out
