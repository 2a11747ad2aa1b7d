"""Intake's HTTP API: how office systems submit, withdraw and follow their documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pymongo.errors import PyMongoError
from starlette.datastructures import UploadFile

from services.intake import handlers, upload
from services.intake.domain import Limits, Problem, validate
from services.intake.openapi import QUALITY_RESPONSES, SUBMIT_REQUEST_BODY, SUBMIT_RESPONSES, problems
from services.intake.repository import IntakeRepository
from shared.auth import require
from shared.http import ProblemError, problem
from shared.outbox import Outbox, is_transient, retrying

SUBMITTER = require("submitter", "operator", unless_open=True)
INVALID_DOCUMENT = "https://govpub.example/problems/invalid-document"
DEFAULT_QUALITY_WINDOW = timedelta(days=30)
# Stands in for the body while the metadata of a refused upload is checked, so every problem is listed at once.
_PLACEHOLDER_BODY = "正文"


def _refused(problems: list[Problem], status: int = 422) -> JSONResponse:
    return problem(
        status,
        "Document rejected",
        f"{len(problems)} problem(s) must be fixed before the document can be accepted",
        type_=INVALID_DOCUMENT,
        errors=[p.__dict__ for p in problems],
    )


async def _read_upload(part: UploadFile, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes: enough to tell that a file is too large without holding all of it."""
    return await part.read(max_bytes + 1)


def _public(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    row = dict(row)
    row["document_id"] = row.pop("_id")
    row.pop("fingerprint", None)
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

    async def submit(raw: dict[str, Any] | object, via: str) -> handlers.Result:
        try:
            # Copies of one document arriving together conflict on purpose (see IntakeRepository.claim).
            [result] = await retrying(
                lambda: handlers.submit_many(
                    repository(), outbox(), [handlers.Submission(raw, via)], limits=limits, now=datetime.now(UTC)
                ),
                attempts=8,
            )
        except PyMongoError as exc:
            if not is_transient(exc):
                raise
            raise ProblemError(
                503, "Busy", "Other submissions of the same document are being stored; send it again in a moment.",
            ) from exc
        return result

    async def submit_upload(request: Request) -> JSONResponse:
        """A body file plus metadata fields: extracted, then the same path as JSON; nothing stored if refused."""
        form = await request.form(max_files=2, max_fields=500)
        fields: list[tuple[str, str]] = []
        files: list[tuple[str, UploadFile]] = []
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                files.append((name, value))
            else:
                fields.append((name, value))
        problems: list[Problem] = []
        status = 422
        extracted: upload.Extracted | None = None
        described: dict[str, Any] | None = None
        parts = [part for name, part in files if name == upload.FILE_FIELD]
        problems += [
            Problem(name, f"unexpected file part '{name}'", f"send the body as the single '{upload.FILE_FIELD}' part")
            for name, _ in files if name != upload.FILE_FIELD
        ]
        if not parts:
            where = "was sent as text" if any(n == upload.FILE_FIELD for n, _ in fields) else "is missing"
            problems.append(Problem(
                upload.FILE_FIELD, f"the file part {where}", "attach the body as a .txt, .html or .docx file part"
            ))
            fields = [(n, v) for n, v in fields if n != upload.FILE_FIELD]
        else:
            part = parts[0]
            data = await _read_upload(part, limits.max_body_bytes)
            outcome = upload.extract(part.filename or "", part.content_type, data, max_bytes=limits.max_body_bytes)
            if isinstance(outcome, upload.FileRefused):
                problems.append(outcome.problem)
                status = outcome.status
            else:
                extracted = outcome
                described = outcome.describe(part.filename or "", len(data))
        raw, form_problems = upload.document_from_form(fields, extracted.text if extracted else None)
        problems += form_problems
        if problems:
            # Check the metadata too, so the sender learns everything wrong at once; nothing is stored.
            checked = raw if extracted else {**raw, "body": _PLACEHOLDER_BODY}
            _, more = validate(checked, limits)
            more = [p for p in more if extracted or p.field != "body"]
            everything = problems + more
            return _refused(everything, status if len(everything) == 1 else 422)
        result = await submit(raw, "upload")
        if isinstance(result, handlers.Refused):
            return _refused(result.problems)
        return JSONResponse({**result.response(), "file": described}, status_code=202)

    @router.post(
        "/documents",
        status_code=202,
        dependencies=[SUBMITTER],
        openapi_extra={"requestBody": SUBMIT_REQUEST_BODY},
        responses=SUBMIT_RESPONSES,
    )
    async def submit_document(request: Request) -> JSONResponse:
        """Submit one document: JSON in the upstream contract (contracts/schemas/UpstreamDocument.json),
        or ``multipart/form-data`` with the body as a .txt, .html or .docx ``file`` and the other fields as form fields.
        """
        media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media_type == "multipart/form-data":
            return await submit_upload(request)
        try:
            raw = json.loads(await request.body())
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            return problem(
                400, "Body is not JSON", f"The request body could not be parsed as JSON: {exc}",
                errors=[{"field": "(body)", "problem": str(exc), "hint": "send a UTF-8 JSON object"}],
            )
        result = await submit(raw, "http")
        if isinstance(result, handlers.Refused):
            return _refused(result.problems)
        return JSONResponse(result.response(), status_code=202)

    @router.get("/quality", dependencies=[SUBMITTER], responses=QUALITY_RESPONSES)
    async def quality(since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
        """Data quality per upstream system over [since, until) (default: the last 30 days), for 要素齐全、格式规范.

        Per system: versions accepted, submissions rejected with the fields and kinds of problem
        (missing, empty, malformed…), the repairs normalization made and the flags it raised (counted
        in documents), and the copies linked as duplicates of another system's document.
        """
        until = _aware(until) if until else datetime.now(UTC)
        since = _aware(since) if since else _window_start(until)
        if since >= until:
            raise ProblemError(
                422, "Invalid time range", f"since ({since.isoformat()}) must be before until ({until.isoformat()}).",
                errors=[{"field": "since", "problem": "since is not before until", "hint": "swap or widen the range"}],
            )
        figures = await repository().quality(since, until)
        systems = [{"source_system": name, **row, "acceptance_rate": _rate(row)} for name, row in sorted(figures.items())]
        totals = {
            key: sum(s[key] for s in systems)
            for key in ("versions_accepted", "documents", "submissions_rejected", "duplicates_linked")
        }
        return {
            "since": since.isoformat(),
            "until": until.isoformat(),
            "totals": {**totals, "acceptance_rate": _rate(totals)},
            "systems": systems,
        }

    @router.get("/documents/{document_id}", dependencies=[SUBMITTER], responses=problems(403, 404, 422))
    async def get_document(document_id: str) -> dict[str, Any]:
        row = _public(await repository().document(document_id))
        if row is None:
            raise ProblemError(404, "Unknown document", f"No document has the id {document_id!r}.")
        return row

    @router.delete(
        "/documents/{document_id}", status_code=202, dependencies=[SUBMITTER], responses=problems(403, 404, 422)
    )
    async def withdraw_document(document_id: str, reason: str = "撤回") -> dict[str, Any]:
        found = await retrying(
            lambda: handlers.withdraw(repository(), outbox(), document_id, reason, now=datetime.now(UTC))
        )
        if not found:
            raise ProblemError(404, "Unknown document", f"No document has the id {document_id!r}.")
        return {"document_id": document_id, "status": "withdrawn", "reason": reason}

    @router.get("/stuck", dependencies=[require("operator", unless_open=True)], responses=problems(403, 422))
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

    @router.get(
        "/submissions/{source_system}/{source_id}", dependencies=[SUBMITTER], responses=problems(403, 404, 422)
    )
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


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _window_start(until: datetime) -> datetime:
    try:
        return until - DEFAULT_QUALITY_WINDOW
    except OverflowError:  # until is in the first month of year 1
        return datetime.min.replace(tzinfo=UTC)


def _rate(row: dict[str, Any]) -> float | None:
    """Share of submissions accepted: versions accepted over versions accepted plus distinct refusals."""
    total = row["versions_accepted"] + row["submissions_rejected"]
    return round(row["versions_accepted"] / total, 4) if total else None
