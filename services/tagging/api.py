"""Tagging's HTTP API: the catalogue (JSON and a readable page), a document's tags, and editors' changes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.tagging import handlers, records
from services.tagging.catalogues import Catalogues
from services.tagging.domain.editing import Edit, EditProblem, validate_edit
from services.tagging.domain.publishing import CatalogueRejected
from services.tagging.pages import CataloguePage, wants_html
from services.tagging.repository import ConcurrentChange, TaggingRepository
from shared.auth import Principal, require
from shared.http import ProblemError
from shared.outbox import Outbox

DocumentId = Annotated[str, Path(min_length=1, max_length=200)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Editor = Annotated[Principal, require("editor")]
CATALOGUE_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "application/json",
                   "text/plain")


class TagChange(BaseModel):
    """An editor's change to a document's tags; every change needs a reason, kept in the history."""

    model_config = ConfigDict(extra="forbid")
    add: list[Code] = Field(default_factory=list, max_length=100, description="tag codes to add")
    remove: list[Code] = Field(default_factory=list, max_length=100, description="tag codes to remove")
    reason: Reason = Field(description="why, for the record (tag_changes)")


class SuggestionDecision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Reason | None = None


@dataclass(frozen=True)
class Deps:
    repository: Callable[[], TaggingRepository]
    outbox: Callable[[], Outbox]
    catalogues: Callable[[], Catalogues]


def _refused(problems: list[EditProblem], catalogue_version: int) -> ProblemError:
    unknown = [p for p in problems if p.close_matches or p.problem.startswith("unknown tag code")]
    first = problems[0]
    detail = f"{first.field}: {first.problem} in catalogue version {catalogue_version}; {first.hint}"
    return ProblemError(
        422,
        "Unknown tag code" if unknown else "Invalid tag change",
        detail,
        errors=[
            {"field": p.field, "problem": p.problem, "hint": p.hint, "code": p.code,
             "close_matches": list(p.close_matches)}
            for p in problems
        ],
    )


def _catalogue_refused(err: CatalogueRejected) -> ProblemError:
    first = err.problems[0]
    return ProblemError(
        422,
        "Invalid catalogue",
        f"{first.field}: {first.problem} ({len(err.problems)} problem(s) in all); nothing was published",
        errors=[{"field": p.field, "problem": p.problem, "hint": p.hint} for p in err.problems],
    )


def build_router(deps: Deps) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["tagging"])
    page = CataloguePage()

    async def published_info() -> dict[str, Any]:
        versions = await deps.repository().catalogue_versions()
        version = deps.catalogues().catalogue.version
        return next((v for v in versions if v["_id"] == version), {})

    # ---- the catalogue

    @router.get("/catalog", response_model=None, responses={200: {"content": {"text/html": {}}}})
    async def get_catalog(request: Request) -> Response:
        """The policy tag catalogue (政策文件标签目录): dimensions, tags and their matching rules.

        JSON, or a readable page when the client prefers ``text/html`` (as browsers do).
        """
        catalogue = deps.catalogues().catalogue
        if wants_html(request):
            return page.render(catalogue, published=await published_info())
        return JSONResponse(catalogue.to_dict(include_rules=True), headers={"Vary": "Accept"})

    @router.post(
        "/catalog",
        status_code=202,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {t: {"schema": {"type": "object"}} for t in ("application/yaml", "application/json")},
            }
        },
    )
    async def publish_catalog(request: Request, response: Response, by: Editor) -> dict[str, Any]:
        """Publish a new catalogue version (the whole catalogue, YAML or JSON, with a higher ``version``).

        Every document is then re-tagged in the background; editors' changes stay in effect.
        """
        media_type = request.headers.get("content-type", "application/yaml").split(";", 1)[0].strip().lower()
        if media_type not in CATALOGUE_TYPES:
            raise ProblemError(415, "Unsupported media type",
                               f"Send the catalogue as application/yaml or application/json, not {media_type!r}.")
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError as err:
            raise ProblemError(422, "Invalid catalogue", f"catalogue: not UTF-8 text ({err.reason})") from err
        try:
            result = await deps.catalogues().publish(text, media_type, by=by.name)
        except CatalogueRejected as err:
            raise _catalogue_refused(err) from err
        if result["status"] == "unchanged":
            response.status_code = 200
        else:
            response.headers["Location"] = "/v1/catalog/retag"
        return result

    @router.get("/catalog/retag")
    async def retag_progress(version: Annotated[int | None, Query(ge=1)] = None) -> dict[str, Any]:
        """Progress of re-tagging after a catalogue version was published: total, done, changed."""
        progress = await deps.catalogues().progress(version)
        if progress is None:
            raise ProblemError(404, "No re-tag", "No catalogue version has been re-tagged yet"
                               + (f" as version {version}." if version else "."))
        return progress

    @router.get("/catalog/versions")
    async def catalogue_versions() -> dict[str, Any]:
        """Every persisted catalogue version: who published it and when (``origin`` file or api)."""
        rows = await deps.repository().catalogue_versions()
        return {
            "in_force": deps.catalogues().catalogue.version,
            "versions": [
                {"version": r["_id"], "origin": r.get("origin"), "published_by": r.get("published_by"),
                 "published_at": r.get("published_at"), "sha256": r.get("sha256")}
                for r in rows
            ],
        }

    # ---- a document's tags

    @router.get("/documents/{document_id}/tags")
    async def get_tags(document_id: DocumentId) -> dict[str, Any]:
        state = await handlers.current_state(deps.repository(), document_id)
        if state is None:
            raise ProblemError(404, "Not tagged", f"Document {document_id!r} has not been tagged yet.")
        head, row = state
        return records.tags_view(row, head)

    @router.get("/documents/{document_id}/tags/history")
    async def tag_history(
        document_id: DocumentId, limit: Annotated[int, Query(ge=1, le=500)] = 100
    ) -> dict[str, Any]:
        """Every change to the document's tags, newest first: editors' changes and re-tags that changed them."""
        rows = await deps.repository().history(document_id, limit)
        changes = [{"change_id": r.pop("_id"), **r} for r in rows]
        return {"document_id": document_id, "changes": changes}

    async def apply(document_id: str, edit: Edit, by: Principal, reason: str, action: str,
                    suggested: str | None = None) -> dict[str, Any]:
        catalogue = deps.catalogues().catalogue
        problems = validate_edit(catalogue, edit)
        if problems:
            raise _refused(problems, catalogue.version)
        try:
            result = await handlers.edit_tags(
                deps.repository(), deps.outbox(), catalogue, document_id, edit,
                by=by, reason=reason, action=action, now=datetime.now(UTC), suggested=suggested,
            )
        except handlers.NotTagged as err:
            raise ProblemError(404, "Not tagged", f"Document {document_id!r} has not been tagged yet.") from err
        except ConcurrentChange as err:
            raise ProblemError(409, "Changed meanwhile",
                               f"Others kept changing the tags of {document_id!r}; send the change again.") from err
        except handlers.NotSuggested as err:
            raise ProblemError(
                404, "Not a suggestion",
                f"{err.code!r} is not among the current suggestions of {document_id!r}.",
                suggestions=err.current,
            ) from err
        return {**result.view, "changed": result.change is not None, "published": result.published,
                "change_id": result.change["_id"] if result.change else None}

    @router.put("/documents/{document_id}/tags")
    async def change_tags(document_id: DocumentId, change: TagChange, by: Editor) -> dict[str, Any]:
        """Add and remove tags (editor). The change outlives re-tagging and catalogue updates."""
        return await apply(document_id, Edit(add=tuple(change.add), remove=tuple(change.remove)),
                           by, change.reason, "edit")

    @router.post("/documents/{document_id}/suggestions/{code}/accept")
    async def accept_suggestion(
        document_id: DocumentId, code: Code, by: Editor,
        decision: Annotated[SuggestionDecision | None, Body()] = None,
    ) -> dict[str, Any]:
        """Make a suggested tag a tag (editor)."""
        reason = decision.reason if decision and decision.reason else "accepted suggestion"
        return await apply(document_id, Edit(add=(code,)), by, reason, "accept", suggested=code)

    @router.post("/documents/{document_id}/suggestions/{code}/dismiss")
    async def dismiss_suggestion(
        document_id: DocumentId, code: Code, by: Editor,
        decision: Annotated[SuggestionDecision | None, Body()] = None,
    ) -> dict[str, Any]:
        """Stop suggesting a tag for this document (editor)."""
        reason = decision.reason if decision and decision.reason else "dismissed suggestion"
        return await apply(document_id, Edit(dismiss=(code,)), by, reason, "dismiss", suggested=code)

    return router


def build_pages(catalogues: Callable[[], Catalogues], repository: Callable[[], TaggingRepository]) -> APIRouter:
    """``/catalog``: the catalogue page for people, whatever their browser's Accept header says."""
    router = APIRouter(include_in_schema=False)
    page = CataloguePage()

    @router.get("/catalog")
    async def catalogue_page() -> HTMLResponse:
        catalogue = catalogues().catalogue
        versions = await repository().catalogue_versions()
        published = next((v for v in versions if v["_id"] == catalogue.version), {})
        return page.render(catalogue, published=published)

    @router.get("/catalog/catalog.css")
    async def stylesheet() -> Response:
        return page.stylesheet()

    return router
