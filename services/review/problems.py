"""Review's HTTP errors: workbench rule violations and invalid requests as RFC 9457 problem+json.

Invalid requests get a hint per field that says how to fix it, instead of the generic one.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Final

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from services.review.domain.redaction import InvalidRedaction
from services.review.domain.workbench import (
    CannotApprove,
    CaseClosed,
    LockHeld,
    NothingToConfirm,
    SameReviewer,
    Superseded,
    WorkbenchError,
)
from services.review.workbench import CaseChanged, UnknownCase
from shared.http import ProblemError

FIELD_HINTS: Final = {
    "decision": "send approved, approved_with_redactions or rejected",
    "reason": "say why in a sentence (1 to 4000 characters); it goes to the audit log",
    "reason_code": "a lower_snake_case code of at most 64 characters, e.g. trade_secret",
    "disclosure": "send 主动公开 (proactive) or 依申请公开 (on request)",
    "add_masks": "a list of {field: title|body|note, start, end}: character offsets, end exclusive",
    "add_masks.field": "title, body or note",
    "add_masks.start": "the 0-based offset of the first character to hide",
    "add_masks.end": "one past the last character to hide; greater than start",
    "remove_masks": "a list of {rule_id, start} (and field when ambiguous) from `masks` in GET /v1/cases/{case_id}",
    "note": "an optional sentence for the audit log, at most 4000 characters",
    "status": "one of pending, awaiting_confirmation, approved, approved_with_redactions, rejected, superseded",
    "page": "a page number, from 1",
    "format": "json or csv",
}
_STATUS: Final[dict[type[WorkbenchError], tuple[int, str]]] = {
    UnknownCase: (404, "unknown_case"),
    LockHeld: (403, "locked_by_another_reviewer"),
    SameReviewer: (403, "second_reviewer_required"),
    Superseded: (409, "version_superseded"),
    CaseClosed: (409, "case_closed"),
    CannotApprove: (409, "cannot_approve"),
    NothingToConfirm: (409, "nothing_to_confirm"),
    CaseChanged: (409, "case_changed"),
}


def workbench_problem(exc: WorkbenchError | InvalidRedaction, **extra: Any) -> ProblemError:
    if isinstance(exc, InvalidRedaction):
        errors = [{"field": p.field, "problem": p.problem, "hint": p.hint} for p in exc.problems]
        return ProblemError(422, "Invalid decision", f"{len(errors)} problem(s) in the decision", errors=errors)
    status, code = next(((s, c) for kind, (s, c) in _STATUS.items() if isinstance(exc, kind)), (409, "conflict"))
    return ProblemError(status, exc.title, exc.detail, code=code, **extra)


def invalid_request(errors: list[Mapping[str, Any]]) -> ProblemError:
    """Pydantic's errors, each with the field's own hint. The rejected input is not echoed back."""
    problems = []
    for e in errors:
        path = [str(p) for p in e["loc"] if p not in ("body", "query", "path")]
        field = ".".join(path)
        if e.get("type") == "extra_forbidden":
            hint = "remove it; check the spelling against the OpenAPI document at /docs"
        else:
            named = ".".join(p for p in path if not p.isdigit())
            hint = FIELD_HINTS.get(named) or FIELD_HINTS.get(path[0] if path else "",
                                                             "send a JSON object as described at /docs")
        problems.append({"field": field or "body", "problem": e["msg"], "hint": hint})
    return ProblemError(422, "Invalid request", f"{len(problems)} problem(s) in the request", errors=problems)


class ProblemRoute(APIRoute):
    """An APIRoute whose validation errors carry per-field hints."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                raise invalid_request(list(exc.errors())) from None

        return route
