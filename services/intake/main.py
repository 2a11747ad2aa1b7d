"""Intake's composition root."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI

from services.intake import api, consumers, handlers
from services.intake.domain import Limits
from services.intake.repository import IntakeRepository
from services.intake.settings import IntakeSettings
from shared.logging import get_logger
from shared.runtime import Runtime, serve

log = get_logger(__name__)


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    runtime = Runtime("intake", settings)
    tasks: list[asyncio.Task[None]] = []
    limits = Limits(max_body_bytes=settings.max_body_bytes, max_attachments=settings.max_attachments)

    def repository() -> IntakeRepository:
        return IntakeRepository(runtime.db)

    @runtime.on_started
    async def _indexes(rt: Runtime) -> None:
        await repository().ensure_indexes()

    @runtime.on_started
    async def _monitor(rt: Runtime) -> None:
        async def watch() -> None:
            while True:
                await asyncio.sleep(settings.stuck_check_interval_s)
                try:
                    await handlers.redrive_stuck(
                        repository(), rt.outbox, now=datetime.now(UTC),
                        limit=timedelta(seconds=settings.stuck_after_s), max_redrives=settings.max_redrives,
                        per_round=settings.max_redrives_per_check,
                    )
                except Exception as exc:  # the database may be restarting: try again next round
                    log.warning("stuck-document check failed", error=str(exc))

        tasks.append(asyncio.create_task(watch(), name="stuck-monitor"))

    @runtime.on_stopping
    async def _stop_monitor(rt: Runtime) -> None:
        for task in tasks:
            task.cancel()

    consumers.register(runtime, repository, limits)
    router = api.build_router(repository, lambda: runtime.outbox, limits)
    return runtime.create_app(title="govpub intake", routers=[router], max_request_bytes=settings.max_request_bytes)


def main() -> None:
    settings = IntakeSettings()
    serve(create_app(settings), settings)
