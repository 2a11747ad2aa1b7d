"""Publication's public HTTP API: the library of proactively disclosed documents."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.publication import search
from services.publication.repository import PublicationRepository
from shared.http import ProblemError

_PUBLIC_FIELDS = (
    "release_id", "version", "url", "doc_number", "title", "issuing_organ", "doc_type", "written_date",
    "released_at", "summary", "tags", "audience", "interpretation", "interprets", "validity", "history",
)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def _card(row: dict[str, Any]) -> dict[str, Any]:
    return {"document_id": row["_id"], **{k: _json(row.get(k)) for k in _PUBLIC_FIELDS}}


def build_router(repository: Callable[[], PublicationRepository], page_size: int, max_candidates: int) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["library"])

    @router.get("/library")
    async def search_library(
        q: Annotated[str, Query(max_length=200, description="Words, \"quoted phrases\" or a document number")] = "",
        tag: Annotated[str | None, Query(max_length=100, pattern=r"^[a-z0-9_.\-]+$")] = None,
        year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
        organ: Annotated[str | None, Query(max_length=100)] = None,
        type: Annotated[str | None, Query(max_length=20)] = None,  # noqa: A002 - the public parameter name
        page: Annotated[int, Query(ge=1, le=1000)] = 1,
    ) -> dict[str, Any]:
        """Search the public library (统一入口、一键查询). Only public, released documents appear."""
        query = search.parse_query(q)
        filter_: dict[str, Any] = {"public": True, "status": "released"}
        if query.doc_number:
            filter_["doc_number"] = query.doc_number
        elif query.terms:
            filter_["tokens"] = {"$all": query.terms}
        if tag:
            filter_["tag_codes"] = tag
        if year:
            filter_["year"] = year
        if organ:
            filter_["issuing_organ"] = organ
        if type:
            filter_["doc_type"] = type
        rows = await repository().search(filter_, max_candidates)
        if not query.empty:
            scored = [
                (search.score(query, r.get("title", ""), r.get("body", ""), r["released_at"].timestamp()), r)
                for r in rows
            ]
            rows = [r for key, r in sorted(scored, key=lambda p: p[0], reverse=True) if key[0] >= 0]
        start = (page - 1) * page_size
        return {
            "query": q,
            "total": len(rows),
            "page": page,
            "page_size": page_size,
            "results": [_card(r) for r in rows[start : start + page_size]],
        }

    @router.get("/library/{document_id}")
    async def get_document(document_id: str) -> dict[str, Any]:
        row = await repository().entry(document_id)
        if row is None or (not row.get("public") and row.get("status") == "released"):
            raise ProblemError(404, "Not in the library", f"No published document has the id {document_id!r}.")
        if row.get("status") == "withdrawn":
            raise ProblemError(
                410, "已撤回 (withdrawn)", f"Document {document_id!r} was withdrawn.",
                withdrawal=_json(row.get("withdrawal")),
            )
        return {**_card(row), "body": row.get("body"), "attachments": row.get("attachments", [])}

    @router.get("/publications/{document_id}")
    async def publication_status(document_id: str) -> dict[str, Any]:
        """Where publication stands on a document (for operators and `govpub status`)."""
        entry = await repository().entry(document_id)
        candidate = await repository().candidate_status(document_id)
        if entry is None and candidate is None:
            raise ProblemError(404, "Unknown document", f"Publication has heard nothing of {document_id!r}.")
        return {
            "document_id": document_id,
            "library_status": entry.get("status") if entry else None,
            "public": entry.get("public") if entry else None,
            "released_version": entry.get("version") if entry else None,
            "candidate_version": candidate.get("version") if candidate else None,
            "candidate_status": candidate.get("status") if candidate else None,
        }

    return router
