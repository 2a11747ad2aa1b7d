"""The console's JSON API: one ``/v1`` twin for every page, and the replay of a dead letter (operators only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from services.console.handlers import ReplayRefused
from services.console.views import Views
from shared.auth import Principal, require
from shared.http import ProblemError
from shared.topics import SERVICES

Replay = Callable[[str, Principal], Awaitable[dict[str, Any]]]
DeadLetterId = Annotated[str, Path(max_length=100, pattern=r"^[a-z0-9\-]+$")]
DocumentId = Annotated[str, Path(min_length=1, max_length=200)]


async def replay_or_problem(replay: Replay, dead_letter_id: str, principal: Principal) -> dict[str, Any]:
    try:
        return await replay(dead_letter_id, principal)
    except LookupError:
        raise ProblemError(
            404, "Unknown dead letter", f"No dead letter {dead_letter_id!r}; list them at /v1/dead-letters."
        ) from None
    except ReplayRefused as exc:
        raise ProblemError(409, "Cannot replay", f"{exc}; it cannot be replayed from the console.") from None


def build_router(views: Views, replay: Replay) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["console"])

    @router.get("/overview")
    async def overview() -> dict[str, Any]:
        """Events traced, dead letters, total lag, stuck documents and the latest events."""
        return await views.overview(datetime.now(UTC))

    @router.get("/topics")
    async def topics() -> dict[str, Any]:
        """Every topic of the catalogue: partitions, messages seen and the rate over the last minute."""
        return await views.topics(datetime.now(UTC))

    @router.get("/groups")
    async def groups() -> dict[str, Any]:
        """Consumer groups of every service with their lag per partition, from each service's /metrics."""
        return await views.groups()

    @router.get("/dead-letters")
    async def dead_letters(
        service: Annotated[str | None, Query(description=f"One of {', '.join(SERVICES)}", max_length=40)] = None,
    ) -> dict[str, Any]:
        """Dead letters, newest first, with their errors (without the bytes)."""
        if service is not None and service not in SERVICES:
            raise ProblemError(422, "Unknown service", f"service must be one of {', '.join(SERVICES)}; got {service!r}.")
        return await views.dead_letters(service)

    @router.get("/dead-letters/{dead_letter_id}", dependencies=[require("operator", unless_open=True)])
    async def dead_letter(dead_letter_id: DeadLetterId) -> dict[str, Any]:
        """One dead letter with its original bytes (base64 and as text) and headers (role operator: the bytes
        may be a document before review)."""
        found = await views.dead_letter(dead_letter_id)
        if found is None:
            raise ProblemError(
                404, "Unknown dead letter", f"No dead letter {dead_letter_id!r}; list them at /v1/dead-letters."
            )
        return found

    @router.post("/dead-letters/{dead_letter_id}/replay")
    async def replay_dead_letter(
        dead_letter_id: DeadLetterId, principal: Annotated[Principal, require("operator")]
    ) -> dict[str, Any]:
        """Republish the original bytes and headers to the source topic (role operator)."""
        return await replay_or_problem(replay, dead_letter_id, principal)

    @router.get("/stuck")
    async def stuck() -> dict[str, Any]:
        """Documents intake reports as stuck; ``available`` is false when intake cannot tell."""
        return await views.stuck()

    @router.get("/documents/{document_id}/trace")
    async def trace(document_id: DocumentId) -> dict[str, Any]:
        """A document's events in order, and per channel where it stands and why."""
        return await views.document(document_id)

    return router
