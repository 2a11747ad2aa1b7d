"""Delivery identity, retry timing, and what a withdrawal means for what was (or was not yet) sent."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from services.distribution.domain.channels import Channel, RetryPolicy, takes
from shared import events

Action = Literal["release", "withdraw"]
Status = Literal["pending", "retrying", "sending", "delivered", "failed", "cancelled", "skipped"]

#: Waiting to be sent (now or after a back-off).
OPEN: tuple[Status, ...] = ("pending", "retrying")
#: Not finished: waiting, or held by a dispatcher (``sending``, with a lease) right now.
IN_FLIGHT: tuple[Status, ...] = ("pending", "retrying", "sending")
#: A withdrawal cancels a release that was not sent yet, so withdrawn content is never posted.
CANCELLABLE: tuple[Status, ...] = ("pending", "retrying", "failed")


def delivery_id(channel_id: str, release_id: str, action: Action) -> str:
    """Exactly one delivery per (document version, channel, action)."""
    return f"{channel_id}:{release_id}:{action}"


def next_attempt(policy: RetryPolicy, attempts: int, now: datetime, rng: random.Random) -> datetime | None:
    """Exponential back-off with jitter (between half and all of the ceiling); None once the attempts are used up."""
    if attempts >= policy.max_attempts:
        return None
    ceiling = min(policy.max_delay_s, policy.base_delay_s * (2 ** (attempts - 1)))
    return now + timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


@dataclass(frozen=True)
class Work:
    """A delivery to attempt.

    For a withdrawal, ``references`` are what it retracts (post ids, article ids...) and ``released``
    the payload of the last delivered release (the withdrawal event carries no title).
    """

    delivery_id: str
    channel_id: str
    action: Action
    document_id: str
    release_id: str
    payload: dict[str, Any] = field(default_factory=dict)
    references: tuple[str, ...] = ()
    released: dict[str, Any] = field(default_factory=dict)


def work_for(channel: Channel, event: events.DocumentReleased | events.DocumentWithdrawn) -> Work | None:
    if isinstance(event, events.DocumentReleased):
        if not takes(channel, event.audience, [t.code for t in event.tags]):
            return None
        return Work(
            delivery_id(channel.id, event.release_id, "release"), channel.id, "release", event.document_id,
            event.release_id, event.model_dump(mode="json"),
        )
    if event.audience and not set(channel.takes.audiences) & set(event.audience):
        return None
    if not event.audience and not channel.takes.public:
        return None
    return Work(
        delivery_id(channel.id, event.release_id, "withdraw"), channel.id, "withdraw", event.document_id,
        event.release_id, event.model_dump(mode="json"),
    )


Retraction = Literal["send", "skip", "wait"]


def retraction(release_statuses: list[str]) -> Retraction:
    """What a withdrawal does on a channel, given the statuses of the document's release deliveries there.

    Wait while a release may still be in flight (its cancellation lost the race to a dispatcher);
    retract once something was delivered; otherwise there is nothing to retract.
    """
    if any(s in IN_FLIGHT for s in release_statuses):
        return "wait"
    if "delivered" in release_statuses:
        return "send"
    return "skip"


@dataclass(frozen=True)
class Outcome:
    """The result of one attempt, as the record to write. ``counted`` attempts use up the retry budget."""

    status: Status
    counted: bool = True
    next_attempt_at: datetime | None = None
    reference: str | None = None
    error: str | None = None
    permanent: bool = False


def after_failure(
    policy: RetryPolicy, attempts: int, now: datetime, rng: random.Random, error: str, *, permanent: bool
) -> Outcome:
    """A refused delivery fails at once; a temporary failure is retried until the attempts are used up."""
    if permanent:
        return Outcome("failed", error=error, permanent=True)
    retry_at = next_attempt(policy, attempts, now, rng)
    if retry_at is None:
        return Outcome("failed", error=error)
    return Outcome("retrying", next_attempt_at=retry_at, error=error)


def http_status_is_temporary(status: int) -> bool:
    """Timeouts, throttling and server errors are worth retrying; any other 4xx will never succeed."""
    return status in (408, 425, 429) or status >= 500
