"""Publication's composition root."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import FastAPI

from services.publication import api, consumers, portal, search
from services.publication.context import Publication
from services.publication.handlers import upkeep
from services.publication.library import Library
from services.publication.repository import PublicationRepository
from services.publication.settings import PublicationSettings
from services.publication.tasks import Periodic
from shared.logging import get_logger
from shared.runtime import Runtime, serve

log = get_logger(__name__)


def create_app(settings: PublicationSettings | None = None) -> FastAPI:
    settings = settings or PublicationSettings()
    runtime = Runtime("publication", settings)

    def repository() -> PublicationRepository:
        return PublicationRepository(runtime.db)

    library = Library(
        repository, max_candidates=settings.max_candidates, refresh_interval_s=settings.search_refresh_interval_s
    )
    ctx = Publication(runtime, settings, library)

    async def overdue_job() -> None:
        await upkeep.raise_overdue(
            repository(), runtime.outbox, now=ctx.now(), limit=timedelta(hours=settings.interpretation_limit_hours)
        )

    jobs = [
        Periodic("interpretation-overdue", settings.overdue_check_interval_s, overdue_job),
        Periodic("link-check", settings.links_interval_s, ctx.check_links),
        Periodic("search-snapshot", settings.search_snapshot_interval_s, library.save_snapshot),
    ]
    loading: list[asyncio.Task[None]] = []

    async def load_index() -> None:
        while True:
            try:
                await library.load()
                return
            except Exception:
                log.exception("loading the search index failed; trying again", retry_in_s=5)
                await asyncio.sleep(5)

    @runtime.on_started
    async def _start(rt: Runtime) -> None:
        # Load jieba's dictionary now, off the event loop: loaded lazily by the first release it would
        # stall every request for seconds.
        await asyncio.to_thread(search.tokens, "知识产权")
        await repository().ensure_indexes()
        # In the background, so the service answers /health while a large library is scanned; /ready
        # says not ready (and a search waits) until the index is loaded.
        loading.append(asyncio.create_task(load_index(), name="search-index-load"))
        for job in jobs:
            job.start()

    @runtime.on_stopping
    async def _stop(rt: Runtime) -> None:
        for task in loading:
            task.cancel()
        await library.close()
        for job in jobs:
            await job.stop()

    runtime.ready_when("search_index", lambda: library.loaded)

    consumers.register(runtime, repository, settings.common.public_base_url, library.invalidate)
    app = runtime.create_app(title="govpub publication", routers=[api.build_router(ctx)])
    portal.install(app, ctx)
    return app


def main() -> None:
    settings = PublicationSettings()
    serve(create_app(settings), settings)
