"""Review's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from services.review import api, consumers, workbench_api
from services.review.domain import RuleSet, load_rules
from services.review.repository import ReviewRepository
from services.review.settings import ReviewSettings
from shared.runtime import Runtime, serve


def create_app(settings: ReviewSettings | None = None) -> FastAPI:
    settings = settings or ReviewSettings()
    runtime = Runtime("review", settings)
    loaded: dict[str, RuleSet] = {}

    def repository() -> ReviewRepository:
        return ReviewRepository(runtime.db)

    def rules() -> RuleSet:
        return loaded["rules"]

    @runtime.on_started
    async def _prepare(rt: Runtime) -> None:
        loaded["rules"] = load_rules(settings.rules_path, settings.allowlist_path)
        await repository().ensure_indexes()

    consumers.register(runtime, repository, rules)
    routers = [
        api.build_router(repository),
        workbench_api.build_router(repository, lambda: runtime.outbox, settings),
        api.build_audit_router(repository, settings),
    ]
    return runtime.create_app(title="govpub review", routers=routers)


def main() -> None:
    settings = ReviewSettings()
    serve(create_app(settings), settings)
