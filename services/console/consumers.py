"""The console's two consumer groups: every event topic into the trace, every dead-letter topic into ``dead_letters``.

The console only watches. A record it cannot read on an event topic is the owning service's to
dead-letter; the console notes it in the trace and publishes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaMessage
from pydantic import BaseModel, ConfigDict

from services.console import handlers
from services.console.repository import ConsoleRepository
from shared.messaging import DeadLetters, Incoming, consumer_options, note_high_water
from shared.runtime import Runtime


class AnyEvent(BaseModel):
    """Any event payload: the console reads a few fields of each (``domain.summarize``) and keeps no body."""

    model_config = ConfigDict(extra="allow", frozen=True)


class WatchOnly(DeadLetters):
    """Takes the place of the runtime's dead-letter publisher: the console notes an unreadable record, no more."""

    def __init__(self, runtime: Runtime, note: Callable[[ConsumerRecord, str], Awaitable[None]]) -> None:
        super().__init__(runtime.broker, runtime.service, lambda _topic: None)
        self.note = note

    async def send(self, record: ConsumerRecord, group: str, error: str) -> None:
        await self.note(record, error)


def subscribe_raw(
    runtime: Runtime, topics: tuple[str, ...], group: str, handler: Callable[[list[ConsumerRecord]], Awaitable[None]]
) -> None:
    """A batch subscriber that hands over records as they are: dead letters are not CloudEvents.

    Subscribed like every other group (``shared.messaging.consumer_options``), as a background one,
    and it reports assignment and lag to the runtime, so /ready and /metrics cover it.
    """
    state = runtime.consumers
    if group not in runtime.groups:
        runtime.groups.append(group)

    async def on_batch(body: list[Any], message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord, ...] = message.raw_message
        started = asyncio.get_running_loop().time()
        for record in records:
            state.position[(group, record.topic, record.partition)] = record.offset + 1
        await handler(list(records))
        note_high_water(message, group, state)
        elapsed = asyncio.get_running_loop().time() - started
        for record in records:
            runtime.metrics.on_consumed(record.topic, 1, elapsed / len(records))

    options = consumer_options(runtime.settings.common, group, state, background=True)
    runtime.broker.subscriber(*topics, **options)(on_batch)


def register(runtime: Runtime, repository: Callable[[], ConsoleRepository]) -> None:
    async def note_unreadable(record: ConsumerRecord, error: str) -> None:
        await handlers.record_unreadable(repository(), record, error, datetime.now(UTC))

    async def on_events(batch: list[Incoming[Any]]) -> None:
        await handlers.record_events(repository(), batch, datetime.now(UTC))

    async def on_dead_letters(records: list[ConsumerRecord]) -> None:
        await handlers.record_dead_letters(repository(), records, datetime.now(UTC))

    runtime.dead_letters = WatchOnly(runtime, note_unreadable)
    runtime.subscribe({topic: AnyEvent for topic in handlers.EVENT_TOPICS}, on_events, background=True)
    subscribe_raw(runtime, handlers.DEAD_LETTER_TOPICS, runtime.group("dead-letters"), on_dead_letters)
