"""Publication's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.publication import api, consumers
from services.publication.repository import PublicationRepository
from services.publication.settings import PublicationSettings
from shared.runtime import Runtime, serve


def create_app(settings: PublicationSettings | None = None) -> FastAPI:
    settings = settings or PublicationSettings()
    runtime = Runtime("publication", settings)

    def repository() -> PublicationRepository:
        return PublicationRepository(runtime.db)

    @runtime.on_started
    async def _indexes(rt: Runtime) -> None:
        await repository().ensure_indexes()

    consumers.register(runtime, repository, settings.common.public_base_url)
    router = api.build_router(repository, settings.page_size, settings.max_candidates)
    return runtime.create_app(title="govpub publication", routers=[router])


def main() -> None:
    settings = PublicationSettings()
    serve(create_app(settings), settings)
