"""Intake's subscribers: documents and withdrawals sent by office systems over Kafka."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, RootModel

from services.intake import handlers
from services.intake.domain import Limits
from services.intake.identity import document_id_for
from services.intake.repository import IntakeRepository
from shared import events
from shared.messaging import Incoming
from shared.runtime import Runtime
from shared.topics import OA_DOCUMENT_ISSUED, OA_DOCUMENT_WITHDRAWN


class RawDocument(RootModel[Any]):
    """Any JSON: intake validates it itself, so that every problem is reported at once."""


class UpstreamWithdrawal(BaseModel):
    model_config = ConfigDict(extra="forbid", title="UpstreamWithdrawal")
    source_system: str
    source_id: str
    reason: str


def register(runtime: Runtime, repository: Callable[[], IntakeRepository], limits: Limits) -> None:
    async def on_oa_documents(batch: list[Incoming[Any]]) -> None:
        issued = [m for m in batch if m.topic == OA_DOCUMENT_ISSUED]
        if issued:
            submissions = [handlers.Submission(m.payload.root, "kafka", m) for m in issued]
            await handlers.submit_many(
                repository(), runtime.outbox, submissions, limits=limits, now=datetime.now(UTC),
                consumer=runtime.group(),
            )
        for message in (m for m in batch if m.topic == OA_DOCUMENT_WITHDRAWN):
            p = message.payload
            await handlers.withdraw(
                repository(), runtime.outbox, document_id_for(p.source_system, p.source_id), p.reason,
                now=datetime.now(UTC), cause=message, consumer=runtime.group(),
            )

    runtime.subscribe({OA_DOCUMENT_ISSUED: RawDocument, OA_DOCUMENT_WITHDRAWN: UpstreamWithdrawal}, on_oa_documents)

    async def on_downstream_progress(batch: list[Incoming[Any]]) -> None:
        await handlers.on_progress(
            repository(), runtime.outbox, batch, consumer=runtime.group("progress"), now=datetime.now(UTC)
        )

    runtime.subscribe(
        {
            events.DecisionMade.TOPIC: events.DecisionMade,
            events.DocumentReleased.TOPIC: events.DocumentReleased,
            events.DocumentWithdrawn.TOPIC: events.DocumentWithdrawn,
        },
        on_downstream_progress,
        group=runtime.group("progress"),
        background=True,  # following progress for status and stuck documents: half a second later is fine
    )
