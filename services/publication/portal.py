"""The public portal (门户): server-rendered pages in Chinese that work without JavaScript.

Home, search with facets, the document page (a tombstone with HTTP 410 once withdrawn), older
versions, the standard catalogue (标准目录), statistics (年报) and the Atom feed. Every response of
the service carries a strict Content-Security-Policy: the pages use no script at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.publication import charts, feed, render
from services.publication.api import OrganParam, QParam, TagParam, TypeParam, ValidityParam, filters_of
from services.publication.context import Publication
from services.publication.domain import VALIDITY
from services.publication.stats import year_stats

HERE = Path(__file__).resolve().parent
CSP = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]
DIMENSIONS = {"topic": "主题", "audience": "适用对象", "stage": "阶段"}
FACET_TITLES = {"type": "文种", "year": "成文年份", "organ": "发文机关", "validity": "效力状态"}


class SecurityHeaders:
    """Adds the CSP and friends to every HTTP response (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install(app: FastAPI, ctx: Publication) -> None:
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(build_router(ctx))


def _templates(ctx: Publication) -> Jinja2Templates:
    templates = Jinja2Templates(directory=HERE / "templates")
    env = templates.env
    env.globals.update(
        site_name=ctx.settings.site_name, search_url=render.search_url, safe_href=render.safe_href,
        dimensions=DIMENSIONS, facet_titles=FACET_TITLES, validities=VALIDITY,
    )
    env.filters.update(day=render.day, cn_date=render.cn_date, body_html=render.body_html, host=render.host_of)
    return templates


def build_router(ctx: Publication) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    templates = _templates(ctx)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> HTMLResponse:
        latest = await ctx.library.latest(ctx.settings.home_latest)
        overview = await ctx.library.search("", filters_of(None, None, None, None, None), page_size=1)
        return page(request, "home.html", latest=latest, facets=overview.facets, total=overview.total)

    @router.get("/search", response_class=HTMLResponse)
    async def search_page(
        request: Request,
        q: QParam = "",
        tag: TagParam = None,
        year: Annotated[str | None, Query(max_length=4, pattern=r"^(\d{4})?$")] = None,
        organ: OrganParam = None,
        type: TypeParam = None,  # the public parameter name
        validity: ValidityParam = None,
        page_: Annotated[int, Query(alias="page", ge=1, le=1000)] = 1,
    ) -> HTMLResponse:
        year_n = int(year) if year else None
        filters = filters_of(tag, year_n, organ, type, validity)
        result = await ctx.library.search(q, filters, page=page_, page_size=ctx.settings.page_size)
        current = {"q": q, "tag": tag, "year": year_n, "organ": organ, "type": type, "validity": validity,
                   "page": page_}
        tag_label = next((c.label for c in result.facets.get("tag", []) if c.value == tag), tag)
        return page(request, "search.html", result=result, current=current, filters=filters.active(),
                    tag_label=tag_label, pages=_pages(page_, result.pages))

    @router.get("/documents/{document_id}", response_class=HTMLResponse)
    async def document(request: Request, document_id: str) -> HTMLResponse:
        row = await ctx.repository().entry(document_id)
        if row is None or not row.get("public"):
            return page(request, "not_found.html", 404, document_id=document_id)
        if row.get("status") == "withdrawn":
            return page(request, "withdrawn.html", 410, entry=row)
        versions = await ctx.repository().versions_of(document_id)
        return page(request, "document.html", entry=row, versions=versions, current=True)

    @router.get("/documents/{document_id}/versions/{version}", response_class=HTMLResponse, response_model=None)
    async def document_version(request: Request, document_id: str, version: int) -> Response:
        row = await ctx.repository().entry(document_id)
        if row is None or not row.get("public"):
            return page(request, "not_found.html", 404, document_id=document_id)
        if row.get("status") == "withdrawn":
            return page(request, "withdrawn.html", 410, entry=row)
        if version == row.get("version"):
            return RedirectResponse(f"/documents/{document_id}", status_code=308)
        old = await ctx.repository().version(document_id, version)
        if old is None:
            return page(request, "not_found.html", 404, document_id=document_id)
        versions = await ctx.repository().versions_of(document_id)
        shown = {**row, **old, "_id": document_id, "version": version}
        return page(request, "document.html", entry=shown, versions=versions, current=False, latest=row)

    @router.get("/catalog", response_class=HTMLResponse)
    async def catalog(request: Request) -> HTMLResponse:
        groups = await ctx.library.catalogue(ctx.settings.catalog_per_group)
        topics = [g for g in groups["tag"] if g.dimension == "topic"]
        audiences = [g for g in groups["tag"] if g.dimension == "audience"]
        return page(request, "catalog.html", types=groups["type"], topics=topics, audiences=audiences)

    @router.get("/stats", response_class=HTMLResponse)
    async def stats_page(
        request: Request, year: Annotated[int | None, Query(ge=1949, le=2100)] = None
    ) -> HTMLResponse:
        this_year = ctx.now().year
        year = year or this_year
        figures = await year_stats(ctx.repository(), year)
        months = [f"{m}月" for m in range(1, 13)]
        svg = {
            "month": charts.column_chart("c-month", f"{year}年各月主动公开文件数", months, figures.by_month),
            "type": charts.bar_chart("c-type", f"{year}年按文种", [(c.label, c.count) for c in figures.by_type]),
            "tag": charts.bar_chart(
                "c-tag", f"{year}年按主题", [(c.label, c.count) for c in figures.by_tag if c.dimension == "topic"][:15]
            ),
        }
        return page(request, "stats.html", year=year, figures=figures, svg=svg, months=months,
                    years=list(range(this_year, this_year - 6, -1)))

    @router.get("/feed.atom")
    async def atom_feed(tag: TagParam = None) -> Response:
        filters = filters_of(tag, None, None, None, None)
        rows = await ctx.library.latest(ctx.settings.feed_size, filters)
        label = next((t["name_zh"] for r in rows for t in r.get("tags", []) if t["code"] == tag), None)
        body = feed.atom(rows, base_url=ctx.base_url, site_name=ctx.settings.site_name, now=ctx.now(), tag=tag,
                         tag_label=label)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    return router


def _pages(current: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers to offer: first, last and a window around the current one (None marks a gap)."""
    shown = sorted({1, last, *range(max(1, current - around), min(last, current + around) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and isinstance(out[-1], int) and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out
