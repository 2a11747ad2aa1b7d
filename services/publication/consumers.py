"""Publication's subscriber: review decisions, tags and withdrawals, in one consumer group."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from services.publication import handlers
from services.publication.repository import PublicationRepository
from shared import events
from shared.messaging import Incoming
from shared.runtime import Runtime


def register(
    runtime: Runtime,
    repository: Callable[[], PublicationRepository],
    base_url: str,
    changed: Callable[[], None] = lambda: None,
) -> None:
    """``changed`` is called after every handled batch (the library may have changed)."""

    async def on_publication_inputs(batch: list[Incoming[Any]]) -> None:
        await handlers.on_events(
            repository(), runtime.outbox, batch, consumer=runtime.group(), base_url=base_url, now=datetime.now(UTC)
        )
        changed()

    runtime.subscribe(
        {
            events.DecisionMade.TOPIC: events.DecisionMade,
            events.DocumentTagged.TOPIC: events.DocumentTagged,
            events.WithdrawalRequested.TOPIC: events.WithdrawalRequested,
        },
        on_publication_inputs,
    )
