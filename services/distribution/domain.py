"""Which channel takes which publication, delivery identity and retry timing: pure rules."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared import events


class Takes(BaseModel):
    """Which publications a channel takes: public ones, and/or those targeted at given audiences or tags."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    public: bool = True
    audiences: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class RetryPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    max_attempts: int = Field(8, ge=1, le=100)
    base_delay_s: float = Field(1.0, gt=0)
    max_delay_s: float = Field(300.0, gt=0)


class Channel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,40}$")
    type: Literal["webhook", "feed"]
    name: str
    endpoint: str | None = None
    secret_env: str | None = None
    takes: Takes = Field(default_factory=Takes)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)


def takes(channel: Channel, audience: list[str], tag_codes: list[str]) -> bool:
    """Public documents go to public channels; targeted ones (定向公开) only to channels for their audience."""
    if not audience:
        if not channel.takes.public:
            return False
        return not channel.takes.tags or bool(set(channel.takes.tags) & set(tag_codes))
    return bool(set(channel.takes.audiences) & set(audience))


Action = Literal["release", "withdraw"]


def delivery_id(channel_id: str, release_id: str, action: Action) -> str:
    """Exactly one delivery per (document version, channel, action)."""
    return f"{channel_id}:{release_id}:{action}"


def next_attempt(policy: RetryPolicy, attempts: int, now: datetime, rng: random.Random) -> datetime | None:
    """Exponential back-off with full jitter; None once the attempts are used up."""
    if attempts >= policy.max_attempts:
        return None
    ceiling = min(policy.max_delay_s, policy.base_delay_s * (2 ** (attempts - 1)))
    return now + timedelta(seconds=rng.uniform(ceiling / 2, ceiling))


@dataclass(frozen=True)
class Work:
    """A delivery to attempt."""

    delivery_id: str
    channel_id: str
    action: Action
    document_id: str
    release_id: str
    payload: dict[str, object] = field(default_factory=dict)


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
