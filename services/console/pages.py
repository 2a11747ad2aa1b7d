"""The console's HTML pages: server-rendered, no JavaScript, every value escaped, a strict CSP.

The replay form carries the operator's key in its body and nothing is kept in a cookie: with no
ambient credential there is nothing for another site to ride on (CSRF), and a cross-site POST is
refused anyway by its Origin header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader

from services.console.api import DeadLetterId, DocumentId, Replay
from services.console.handlers import ReplayRefused
from services.console.views import Views
from shared.auth import KeyStore, Principal

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
REPLAY_ROLES = ("operator", "admin")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with its own forms.
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


# FastAPI's own /docs page loads its scripts from a CDN; everything else gets the strict policy.
_OWN_POLICY = ("/docs", "/redoc", "/openapi.json")


def install(app: FastAPI) -> None:
    """The stylesheet, and the security headers on every response."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if not request.url.path.startswith(_OWN_POLICY):
            response.headers.update(SECURITY_HEADERS)
        return response


def when(value: Any) -> str:
    """An ISO time as ``2024-07-01 09:30:05`` (UTC)."""
    if isinstance(value, datetime):
        value = value.isoformat()
    text = str(value or "")
    return text[:19].replace("T", " ") if len(text) >= 19 else text


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = when
    env.filters["path"] = lambda v: quote(str(v), safe="")
    return env


def same_origin(request: Request) -> bool:
    """A browser names the page a form was sent from; refuse forms sent from another site."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


def check_key(keys: KeyStore, key: str, action: str = "replay") -> tuple[Principal | None, int, str]:
    """Who the key belongs to, or the status and message to show instead."""
    key = key.strip()
    if not key:
        return None, 401, f"Enter an operator key to {action} (create one with `govpub keys create --role operator`)."
    principal = keys.authenticate(key)
    if principal is None:
        return None, 401, "The key is not valid or was revoked."
    if principal.role not in REPLAY_ROLES:
        return None, 403, f"This needs the role operator; the key of {principal.name!r} has {principal.role!r}."
    return principal, 200, ""


def build_router(views: Views, replay: Replay) -> APIRouter:
    router = APIRouter(tags=["pages"], include_in_schema=False)
    env = environment()

    def page(name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(now=datetime.now(UTC), **context)
        return HTMLResponse(html, status_code=status_code)

    @router.get("/")
    async def overview() -> HTMLResponse:
        return page("overview.html", view=await views.overview(datetime.now(UTC)), nav="overview")

    @router.get("/topics")
    async def topics() -> HTMLResponse:
        return page("topics.html", view=await views.topics(datetime.now(UTC)), nav="topics")

    @router.get("/groups")
    async def groups() -> HTMLResponse:
        return page("groups.html", view=await views.groups(), nav="groups")

    @router.get("/dead-letters")
    async def dead_letters() -> HTMLResponse:
        return page("dead_letters.html", view=await views.dead_letters(), nav="dead-letters")

    async def dead_letter_page(
        request: Request, dead_letter_id: str, status_code: int = 200, *, revealed: bool = False, **context: Any
    ) -> HTMLResponse:
        found = await views.dead_letter(dead_letter_id)
        if found is None:
            return page("missing.html", 404, what="dead letter", id=dead_letter_id, nav="dead-letters")
        # The original bytes may be a document before review (personal data unmasked): where keys are
        # required, the page shows them only to an operator who enters a key, for that one response.
        show_bytes = revealed or not request.app.state.auth_required
        return page("dead_letter.html", status_code, view=found, nav="dead-letters", show_bytes=show_bytes, **context)

    @router.get("/dead-letters/{dead_letter_id}")
    async def dead_letter(
        request: Request, dead_letter_id: DeadLetterId, replayed: Annotated[bool, Query()] = False
    ) -> HTMLResponse:
        return await dead_letter_page(request, dead_letter_id, replayed=replayed)

    async def operator_from_form(
        request: Request, dead_letter_id: str, key: str, action: str
    ) -> Principal | HTMLResponse:
        """The operator a dead-letter form's key belongs to, or the page that says why not."""
        if not same_origin(request):
            return await dead_letter_page(request, dead_letter_id, 403, error="The form was sent from another site.")
        principal, status_code, message = check_key(request.app.state.keys, key, action)
        if principal is None:
            return await dead_letter_page(request, dead_letter_id, status_code, error=message)
        return principal

    @router.post("/dead-letters/{dead_letter_id}/bytes", response_model=None)
    async def reveal_form(
        request: Request, dead_letter_id: DeadLetterId, key: Annotated[str, Form(max_length=300)] = ""
    ) -> Response:
        principal = await operator_from_form(request, dead_letter_id, key, "see the original bytes")
        if isinstance(principal, HTMLResponse):
            return principal
        return await dead_letter_page(request, dead_letter_id, revealed=True)

    @router.post("/dead-letters/{dead_letter_id}/replay", response_model=None)
    async def replay_form(
        request: Request, dead_letter_id: DeadLetterId, key: Annotated[str, Form(max_length=300)] = ""
    ) -> Response:
        principal = await operator_from_form(request, dead_letter_id, key, "replay")
        if isinstance(principal, HTMLResponse):
            return principal
        try:
            await replay(dead_letter_id, principal)
        except LookupError:
            return page("missing.html", 404, what="dead letter", id=dead_letter_id, nav="dead-letters")
        except ReplayRefused as exc:
            return await dead_letter_page(request, dead_letter_id, 409, error=str(exc))
        # Post/Redirect/Get: reloading the result page does not replay again.
        return RedirectResponse(f"/dead-letters/{quote(dead_letter_id)}?replayed=true", status_code=303)

    @router.get("/stuck")
    async def stuck() -> HTMLResponse:
        return page("stuck.html", view=await views.stuck(), nav="stuck")

    @router.get("/documents", response_model=None)
    async def find_document(id: Annotated[str, Query(max_length=200)] = "") -> Response:
        if not id.strip():
            return RedirectResponse("/", status_code=303)
        return RedirectResponse(f"/documents/{quote(id.strip(), safe='')}", status_code=303)

    @router.get("/documents/{document_id}")
    async def document(document_id: DocumentId) -> HTMLResponse:
        return page("document.html", view=await views.document(document_id), nav="documents")

    return router
