"""Review's HTTP API. Nothing here returns matched personal data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from services.review.repository import ReviewRepository
from shared.http import ProblemError


def build_router(repository: Callable[[], ReviewRepository]) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["review"])

    @router.get("/reviews/{document_id}")
    async def get_review(document_id: str) -> dict[str, Any]:
        """The latest review of a document: decision, reason and findings without the matched text."""
        case = await repository().latest_case(document_id)
        if case is None:
            raise ProblemError(404, "Not reviewed", f"No review exists for document {document_id!r} yet.")
        return {
            "document_id": document_id,
            "case_id": case["_id"],
            "version": case["version"],
            "content_hash": case["content_hash"],
            "status": case["status"],
            "decision": case["decision"],
            "reason_code": case["reason_code"],
            "findings": [{k: v for k, v in f.items() if k != "text"} for f in case["findings"]],
            "decided_by": case.get("decided_by"),
        }

    return router
