"""Review's HTTP API: review results (no matched text) and the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from services.review import audit
from services.review.problems import ProblemRoute
from services.review.repository import ReviewRepository
from services.review.settings import ReviewSettings
from shared.auth import Principal, require
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


def _moment(name: str, value: str | None) -> date | datetime | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    except ValueError:
        raise ProblemError(
            422, "Invalid request", f"`{name}` is not a date",
            errors=[{"field": name, "problem": f"{value!r} is not a date",
                     "hint": "use YYYY-MM-DD (a whole day at the office's UTC offset) or an ISO 8601 date-time"}],
        ) from None


def build_audit_router(repository: Callable[[], ReviewRepository], settings: ReviewSettings) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["audit"], route_class=ProblemRoute)
    tz = audit.utc_offset(settings.audit_utc_offset)

    @router.get("/audit", response_model=None)
    async def audit_log(
        _: Annotated[Principal, require("reviewer", "admin")],
        document_id: str | None = None,
        reviewer: Annotated[str | None, Query(description="actor name; 'auto' for the rule engine")] = None,
        from_: Annotated[str | None, Query(alias="from", description="YYYY-MM-DD or ISO date-time, inclusive")] = None,
        to: Annotated[str | None, Query(description="YYYY-MM-DD (inclusive) or ISO date-time (exclusive)")] = None,
        format: Literal["json", "csv"] = "json",
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    ) -> dict[str, Any] | StreamingResponse:
        """Audit rows, oldest first. ``format=csv`` streams every matching row (no paging) as UTF-8 CSV."""
        start, end = audit.period_bounds(_moment("from", from_), _moment("to", to), tz)
        if start and end and start >= end:
            raise ProblemError(422, "Invalid request", "`from` is after `to`",
                               errors=[{"field": "from", "problem": "is after `to`",
                                        "hint": "swap the dates, or leave one out"}])
        log = repository().audit
        query = log.query(document_id=document_id, actor=reviewer, start=start, end=end)
        if format == "csv":
            return StreamingResponse(
                _csv(log.stream(query)), media_type="text/csv; charset=utf-8",
                headers={"content-disposition": 'attachment; filename="review-audit.csv"'},
            )
        size = settings.audit_page_size
        rows = await log.find(query, (page - 1) * size, size)
        return {"page": page, "page_size": size, "next_page": page + 1 if len(rows) == size else None,
                "entries": [audit.public(r) for r in rows]}

    return router


async def _csv(rows: AsyncIterator[dict[str, Any]], chunk: int = 200) -> AsyncIterator[bytes]:
    # A byte-order mark, so that Excel (what the office opens it with) reads the Chinese as UTF-8.
    lines = ["\ufeff" + audit.csv_line(audit.COLUMN_NAMES)]
    async for row in rows:
        lines.append(audit.csv_line(audit.csv_cells(audit.public(row))))
        if len(lines) >= chunk:
            yield "".join(lines).encode("utf-8")
            lines = []
    if lines:
        yield "".join(lines).encode("utf-8")
