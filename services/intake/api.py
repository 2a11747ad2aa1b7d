"""Intake's HTTP API: how office systems submit, withdraw and follow their documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.intake import handlers
from services.intake.domain import Limits
from services.intake.repository import IntakeRepository
from shared.auth import require
from shared.http import ProblemError, problem
from shared.outbox import Outbox, retrying

SUBMITTER = require("submitter", "operator", unless_open=True)


def _public(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    row = dict(row)
    row["document_id"] = row.pop("_id")
    for key in ("updated_at", "at", "stage_since", "last_redrive_at"):
        if isinstance(row.get(key), datetime):
            row[key] = row[key].isoformat()
    if isinstance(row.get("withdrawal"), dict) and isinstance(row["withdrawal"].get("at"), datetime):
        row["withdrawal"]["at"] = row["withdrawal"]["at"].isoformat()
    return row


def build_router(
    repository: Callable[[], IntakeRepository], outbox: Callable[[], Outbox], limits: Limits
) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["intake"])

    @router.post("/documents", status_code=202, dependencies=[SUBMITTER])
    async def submit_document(request: Request) -> JSONResponse:
        """Submit one document (the upstream contract, contracts/schemas/UpstreamDocument.json)."""
        try:
            raw = json.loads(await request.body())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return problem(
                400, "Body is not JSON", f"The request body could not be parsed as JSON: {exc}",
                errors=[{"field": "(body)", "problem": str(exc), "hint": "send a UTF-8 JSON object"}],
            )
        [result] = await retrying(
            lambda: handlers.submit_many(
                repository(), outbox(), [handlers.Submission(raw, "http")], limits=limits, now=datetime.now(UTC)
            )
        )
        if isinstance(result, handlers.Refused):
            return problem(
                422,
                "Document rejected",
                f"{len(result.problems)} problem(s) must be fixed before the document can be accepted",
                type_="https://govpub.example/problems/invalid-document",
                errors=[p.__dict__ for p in result.problems],
            )
        return JSONResponse(result.response(), status_code=202)

    @router.get("/documents/{document_id}", dependencies=[SUBMITTER])
    async def get_document(document_id: str) -> dict[str, Any]:
        row = _public(await repository().document(document_id))
        if row is None:
            raise ProblemError(404, "Unknown document", f"No document has the id {document_id!r}.")
        return row

    @router.delete("/documents/{document_id}", status_code=202, dependencies=[SUBMITTER])
    async def withdraw_document(document_id: str, reason: str = "撤回") -> dict[str, Any]:
        found = await retrying(
            lambda: handlers.withdraw(repository(), outbox(), document_id, reason, now=datetime.now(UTC))
        )
        if not found:
            raise ProblemError(404, "Unknown document", f"No document has the id {document_id!r}.")
        return {"document_id": document_id, "status": "withdrawn", "reason": reason}

    @router.get("/stuck", dependencies=[require("operator", unless_open=True)])
    async def list_stuck(request: Request) -> dict[str, Any]:
        """Documents that have not reached a final stage within their time limit (re-driven automatically)."""
        settings = request.app.state.runtime.settings
        now = datetime.now(UTC)
        rows = await repository().stuck(now - timedelta(seconds=settings.stuck_after_s))
        return {
            "stuck_after_s": settings.stuck_after_s,
            "documents": [
                {
                    "document_id": r["_id"],
                    "version": r["version"],
                    "title": r.get("title"),
                    "stage": r.get("stage"),
                    "since": r["stage_since"].isoformat(),
                    "age_s": round((now - r["stage_since"]).total_seconds(), 1),
                    "redriven": r.get("redrives", 0),
                }
                for r in rows
            ],
        }

    @router.get("/submissions/{source_system}/{source_id}", dependencies=[SUBMITTER])
    async def get_submission(source_system: str, source_id: str) -> dict[str, Any]:
        row = await repository().submission(source_system, source_id)
        if row is None:
            raise ProblemError(
                404, "Unknown submission", f"Nothing was submitted as {source_system}/{source_id}."
            )
        row = dict(row)
        row.pop("_id")
        row["at"] = row["at"].isoformat()
        return {"source_system": source_system, "source_id": source_id, **row}

    return router
