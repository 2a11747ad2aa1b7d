"""Tagging's composition root."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.tagging import api, consumers
from services.tagging.domain import Catalogue, Tagger, load_catalogue
from services.tagging.repository import TaggingRepository
from services.tagging.settings import TaggingSettings
from shared.runtime import Runtime, serve


def create_app(settings: TaggingSettings | None = None) -> FastAPI:
    settings = settings or TaggingSettings()
    runtime = Runtime("tagging", settings)
    loaded: dict[str, Any] = {}

    def repository() -> TaggingRepository:
        return TaggingRepository(runtime.db)

    def catalogue() -> Catalogue:
        return loaded["catalogue"]

    def tagger() -> Tagger:
        return loaded["tagger"]

    @runtime.on_started
    async def _prepare(rt: Runtime) -> None:
        loaded["catalogue"] = load_catalogue(settings.catalogue_path)
        loaded["tagger"] = Tagger(loaded["catalogue"])
        await repository().ensure_indexes()

    consumers.register(runtime, repository, tagger)
    return runtime.create_app(title="govpub tagging", routers=[api.build_router(repository, catalogue)])


def main() -> None:
    settings = TaggingSettings()
    serve(create_app(settings), settings)
