"""The console's composition root."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.console import api, consumers, handlers, pages
from services.console.domain import Lag
from services.console.repository import ConsoleRepository
from services.console.settings import ConsoleSettings
from services.console.sources import Sources, make_client
from services.console.views import Views
from shared.auth import Principal
from shared.runtime import Runtime, serve


def create_app(settings: ConsoleSettings | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    runtime = Runtime("console", settings)
    http: dict[str, httpx.AsyncClient] = {}

    def repository() -> ConsoleRepository:
        return ConsoleRepository(runtime.db)

    def sources() -> Sources:
        return Sources(http["client"], settings.common)

    def own_lag() -> list[Lag]:
        return [Lag("console", g, t, p, lag) for (g, t, p), lag in sorted(runtime.consumers.lag().items())]

    async def publish(value: bytes, topic: str, key: bytes | None, headers: dict[str, str]) -> None:
        await runtime.broker.publish(value, topic, key=key, headers=headers)

    async def replay(dead_letter_id: str, principal: Principal) -> dict[str, Any]:
        return await handlers.replay(repository(), publish, dead_letter_id, principal, datetime.now(UTC))

    @runtime.on_started
    async def _prepare(rt: Runtime) -> None:
        await repository().ensure_indexes(timedelta(days=settings.trace_retention_days))
        http["client"] = make_client(settings.http_timeout_s, settings.api_key)

    @runtime.on_stopping
    async def _close(rt: Runtime) -> None:
        if "client" in http:
            await http["client"].aclose()

    consumers.register(runtime, repository)
    views = Views(repository, sources, own_lag, settings.page_size)
    app = runtime.create_app(
        title="govpub console", routers=[api.build_router(views, replay), pages.build_router(views, replay)],
        max_request_bytes=64_000,
    )
    pages.install(app)
    return app


def main() -> None:
    settings = ConsoleSettings()
    serve(create_app(settings), settings)
