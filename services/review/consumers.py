"""Review's subscriber: every received document version is reviewed once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from services.review import handlers
from services.review.domain import RuleSet
from services.review.repository import ReviewRepository
from shared import events
from shared.messaging import Incoming
from shared.runtime import Runtime


def register(runtime: Runtime, repository: Callable[[], ReviewRepository], rules: Callable[[], RuleSet]) -> None:
    async def on_intake_document_received(batch: list[Incoming[events.DocumentReceived]]) -> None:
        await handlers.on_documents_received(
            repository(), runtime.outbox, rules(), batch, consumer=runtime.group(), now=datetime.now(UTC)
        )

    runtime.subscribe({events.DocumentReceived.TOPIC: events.DocumentReceived}, on_intake_document_received)
