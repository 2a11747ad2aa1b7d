"""Tagging's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.tagging import api, consumers
from services.tagging.catalogues import Catalogues
from services.tagging.domain import Tagger
from services.tagging.repository import TaggingRepository
from services.tagging.settings import TaggingSettings
from shared.outbox import Outbox
from shared.runtime import Runtime, serve


def create_app(settings: TaggingSettings | None = None) -> FastAPI:
    settings = settings or TaggingSettings()
    runtime = Runtime("tagging", settings)

    def repository() -> TaggingRepository:
        return TaggingRepository(runtime.db)

    def outbox() -> Outbox:
        return runtime.outbox

    catalogues = Catalogues(
        repository,
        outbox,
        file=settings.catalogue_path,
        page_size=settings.retag_page_size,
        refresh_s=settings.catalogue_refresh_s,
    )

    def current() -> Catalogues:
        return catalogues

    def tagger() -> Tagger:
        return catalogues.tagger

    @runtime.on_started
    async def _prepare(rt: Runtime) -> None:
        await repository().ensure_indexes()
        await catalogues.start()

    @runtime.on_stopping
    async def _stop(rt: Runtime) -> None:
        await catalogues.stop()

    consumers.register(runtime, repository, tagger)
    routers = [api.build_router(api.Deps(repository, outbox, current)), api.build_pages(current, repository)]
    return runtime.create_app(title="govpub tagging", routers=routers)


def main() -> None:
    settings = TaggingSettings()
    serve(create_app(settings), settings)
