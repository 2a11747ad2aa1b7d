"""Publication's HTTP API: the library of proactively disclosed documents, statistics and link checks."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from services.publication import search
from services.publication.context import Publication
from services.publication.domain import Validity
from services.publication.handlers import upkeep
from services.publication.stats import year_stats
from shared.auth import require
from shared.http import ProblemError

_PUBLIC_FIELDS = (
    "release_id", "version", "url", "doc_number", "title", "issuing_organ", "doc_type", "written_date",
    "released_at", "summary", "tags", "audience", "interpretation", "interprets", "validity", "history",
)
TagParam = Annotated[str | None, Query(max_length=100, pattern=r"^[a-z0-9_.\-]+$", description="A tag code")]
YearParam = Annotated[int | None, Query(ge=1949, le=2100, description="Year written (成文年份)")]
OrganParam = Annotated[str | None, Query(max_length=100, description="Issuing organ (发文机关), exactly")]
TypeParam = Annotated[str | None, Query(max_length=20, description="Document type (文种), e.g. 通知")]
ValidityParam = Annotated[Validity | None, Query(description="效力状态: 有效, 失效 or 废止")]
QParam = Annotated[str, Query(max_length=200, description="Words, \"quoted phrases\" or a document number")]
PageParam = Annotated[int, Query(ge=1, le=1000)]


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def _card(row: dict[str, Any]) -> dict[str, Any]:
    card = {"document_id": row["_id"], **{k: _json(row.get(k)) for k in _PUBLIC_FIELDS}}
    card["validity"] = card["validity"] or "有效"
    return card


def filters_of(tag: str | None, year: int | None, organ: str | None, type_: str | None,
               validity: str | None) -> search.Filters:
    return search.Filters(tag=tag or None, year=year, organ=organ or None, doc_type=type_ or None,
                          validity=validity or None)


def build_router(ctx: Publication) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["library"])

    @router.get("/library")
    async def search_library(
        q: QParam = "",
        tag: TagParam = None,
        year: YearParam = None,
        organ: OrganParam = None,
        type: TypeParam = None,  # the public parameter name
        validity: ValidityParam = None,
        page: PageParam = 1,
    ) -> dict[str, Any]:
        """Search the public library (统一入口、一键查询). Only public, released documents appear.

        Ranked by how many query words the title has, then most recent first; ``facets`` counts the
        results by tag, year, issuing organ, document type and validity. ``total_exact`` is false only
        for a quoted phrase whose candidates were not all checked yet: ``total`` and the facet counts
        are then an upper bound.
        """
        result = await ctx.library.search(
            q, filters_of(tag, year, organ, type, validity), page=page, page_size=ctx.settings.page_size
        )
        return {
            "query": q,
            "total": result.total,
            "total_exact": result.total_exact,
            "page": page,
            "page_size": result.page_size,
            "results": [_card(r) for r in result.rows],
            "facets": {name: [c.as_dict() for c in counts] for name, counts in result.facets.items()},
        }

    @router.get("/library/{document_id}")
    async def get_document(document_id: str) -> dict[str, Any]:
        row = await ctx.repository().entry(document_id)
        if row is None or not row.get("public"):
            # Targeted (定向公开) and never-released documents are not in the public library.
            raise ProblemError(404, "Not in the library", f"No published document has the id {document_id!r}.")
        if row.get("status") == "withdrawn":
            raise ProblemError(
                410, "已撤回 (withdrawn)", f"Document {document_id!r} was withdrawn.",
                withdrawal=_json(row.get("withdrawal")),
            )
        return {**_card(row), "body": row.get("body"), "attachments": row.get("attachments", [])}

    @router.put("/library/{document_id}/validity", dependencies=[require("editor")])
    async def set_validity(
        document_id: str,
        validity: Annotated[Validity, Body(embed=True, description="有效, 失效 or 废止")],
    ) -> dict[str, Any]:
        """Record whether a published document is still in force (效力状态); editors only."""
        found = await upkeep.set_validity(
            ctx.repository(), ctx.runtime.outbox, document_id, validity, now=ctx.now()
        )
        if not found:
            raise ProblemError(404, "Not in the library", f"No library entry has the id {document_id!r}.")
        ctx.library.invalidate()
        return {"document_id": document_id, "validity": validity}

    @router.get("/publications/{document_id}")
    async def publication_status(document_id: str) -> dict[str, Any]:
        """Where publication stands on a document (for operators and `govpub status`)."""
        entry = await ctx.repository().entry(document_id)
        candidate = await ctx.repository().candidate_status(document_id)
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

    @router.get("/stats", tags=["statistics"])
    async def statistics(
        year: Annotated[int | None, Query(ge=1949, le=2100, description="Calendar year (UTC); default this year")]
        = None,
    ) -> dict[str, Any]:
        """Figures for the annual disclosure report (政府信息公开年报)."""
        return (await year_stats(ctx.repository(), year or ctx.now().year)).as_dict()

    @router.get("/links/broken", tags=["links"])
    async def broken_links(limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> dict[str, Any]:
        """Links and attachments of published documents that do not work (broken) or may not be fetched (refused)."""
        rows = await ctx.repository().broken_links(limit)
        return {"count": len(rows), "links": [_link(r) for r in rows]}

    @router.post("/links/check", tags=["links"], dependencies=[require("operator")])
    async def check_links_now(
        document_id: Annotated[list[str] | None, Query(max_length=500, description="Only these documents")] = None,
    ) -> dict[str, Any]:
        """Check links now (operators); with ``document_id`` only those documents' links, whatever their age."""
        report = await ctx.check_links(document_id)
        return report.as_dict()

    return router


def _link(row: dict[str, Any]) -> dict[str, Any]:
    fields = ("document_id", "title", "document_url", "url", "field", "name", "state", "status", "error",
              "redirects", "final_url", "checked_at", "broken_since")
    return {k: _json(row.get(k)) for k in fields}
