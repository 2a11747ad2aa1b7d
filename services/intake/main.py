"""Intake's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake import api, consumers
from services.intake.domain import Limits
from services.intake.repository import IntakeRepository
from services.intake.settings import IntakeSettings
from shared.runtime import Runtime, serve


def create_app(settings: IntakeSettings | None = None) -> FastAPI:
    settings = settings or IntakeSettings()
    runtime = Runtime("intake", settings)
    limits = Limits(max_body_bytes=settings.max_body_bytes, max_attachments=settings.max_attachments)

    def repository() -> IntakeRepository:
        return IntakeRepository(runtime.db)

    @runtime.on_started
    async def _indexes(rt: Runtime) -> None:
        await repository().ensure_indexes()

    consumers.register(runtime, repository, limits)
    router = api.build_router(repository, lambda: runtime.outbox, limits)
    return runtime.create_app(title="govpub intake", routers=[router], max_request_bytes=settings.max_request_bytes)


def main() -> None:
    settings = IntakeSettings()
    serve(create_app(settings), settings)
