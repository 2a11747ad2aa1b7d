"""Tagging's HTTP API: the catalogue and the tags of a document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from services.tagging.domain import Catalogue
from services.tagging.repository import TaggingRepository
from shared.http import ProblemError


def build_router(repository: Callable[[], TaggingRepository], catalogue: Callable[[], Catalogue]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["tagging"])

    @router.get("/catalog")
    async def get_catalog() -> dict[str, Any]:
        """The policy tag catalogue (政策文件标签目录): dimensions, tags and their matching rules."""
        return catalogue().to_dict()

    @router.get("/documents/{document_id}/tags")
    async def get_tags(document_id: str) -> dict[str, Any]:
        row = await repository().latest(document_id)
        if row is None:
            raise ProblemError(404, "Not tagged", f"Document {document_id!r} has not been tagged yet.")
        return {
            "document_id": document_id,
            "version": row["version"],
            "catalogue_version": row["catalogue_version"],
            "tags": row["tags"],
            "suggestions": row["suggestions"],
        }

    return router
