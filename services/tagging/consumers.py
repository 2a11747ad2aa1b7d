"""Tagging's subscriber."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from services.tagging import handlers
from services.tagging.domain import Tagger
from services.tagging.repository import TaggingRepository
from shared import events
from shared.messaging import Incoming
from shared.runtime import Runtime


def register(runtime: Runtime, repository: Callable[[], TaggingRepository], tagger: Callable[[], Tagger]) -> None:
    async def on_intake_document_received(batch: list[Incoming[events.DocumentReceived]]) -> None:
        await handlers.on_documents_received(
            repository(), runtime.outbox, tagger(), batch, consumer=runtime.group(), now=datetime.now(UTC)
        )

    runtime.subscribe({events.DocumentReceived.TOPIC: events.DocumentReceived}, on_intake_document_received)
