"""HTTP plumbing: RFC 9457 problem+json errors and request-size limits."""

from __future__ import annotations

import re
from typing import Any

import h11
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, *, type_: str = "about:blank", **extra: Any) -> JSONResponse:
    body = {"type": type_, "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


class ProblemError(Exception):
    """Raise from an endpoint to answer with problem+json."""

    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


MAX_JSON_DEPTH = 64
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nesting_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (strings are skipped; no parsing)."""
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in (0x5B, 0x7B) else -1
        deepest = max(deepest, depth)
    return deepest


class BodySizeLimit:
    """Refuses request bodies over ``max_bytes`` and JSON nested deeper than ``max_depth``.

    A declared Content-Length over the limit is refused before anything is read. A body sent without
    one (chunked transfer encoding) is counted as it arrives and refused as soon as it passes the
    limit, so no client can make a service buffer more than ``max_bytes``. A body (any but a form)
    whose brackets nest deeper than ``max_depth`` is refused before any parser sees it: Python's JSON
    and YAML parsers recurse and fail with a RecursionError (a 500) on a few kilobytes of brackets.
    """

    def __init__(self, app: Any, max_bytes: int, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self._too_large(length, scope, receive, send)
            return
        if length is None and "chunked" not in headers.get("transfer-encoding", "").lower():
            await self.app(scope, receive, send)  # no body at all
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; the app will see it too
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(f"more than {self.max_bytes}", scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        # Any body but a form may reach a JSON or YAML parser (some endpoints parse whatever they get).
        if body and media_type not in FORM_TYPES:
            depth = nesting_depth(body)
            if depth > self.max_depth:
                await problem(
                    422, "Request body nested too deeply",
                    f"The body nests arrays or objects {depth} levels deep; the limit is {self.max_depth}. "
                    "Send the document in the flat shape its schema describes.",
                )(scope, receive, send)
                return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, length: str, scope: Scope, receive: Receive, send: Send) -> None:
        await problem(
            413,
            "Request body too large",
            f"The body is {length} bytes; the limit is {self.max_bytes}. Send a smaller document "
            "or raise the service's max_request_bytes setting.",
        )(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p not in ("body", "query", "path")),
                "problem": e["msg"],
                "hint": "check the parameter's type and allowed values in the OpenAPI document at /docs",
            }
            for e in exc.errors()
        ]
        return problem(422, "Invalid request", f"{len(errors)} problem(s) in the request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), str(exc.detail))


class Utf8TargetProtocol(H11Protocol):
    """Accepts raw UTF-8 in the request target, as ``curl 'host/v1/library?q=知识产权'`` sends it.

    HTTP/1.1 only allows ASCII there and both of uvicorn's parsers refuse anything else with a 400,
    but people type Chinese into URLs. Before h11 parses a request line, its non-ASCII bytes are
    percent-encoded, which is exactly what a browser would have sent; header values are untouched.
    """

    _head = b""

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            self._head += data
            end = self._head.find(b"\r\n")
            if end < 0 and len(self._head) < 65536:
                return
            head, self._head = self._head, b""
            end = end if end >= 0 else len(head)
            data = _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], head[:end]) + head[end:]
        super().data_received(data)


_NON_ASCII = re.compile(rb"[\x80-\xff]")


class RateLimit(BaseHTTPMiddleware):
    """Per-client token bucket for public endpoints; operational paths are never limited."""

    EXEMPT = ("/health", "/ready", "/metrics")

    def __init__(self, app: Any, per_second: float, burst: int, clock: Any = None) -> None:
        super().__init__(app)
        self.per_second = per_second
        self.burst = burst
        self.clock = clock or _monotonic
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> bool:
        now = self.clock()
        tokens, last = self.buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
        if tokens < 1.0:
            self.buckets[client] = (tokens, now)
            return False
        self.buckets[client] = (tokens - 1.0, now)
        if len(self.buckets) > 100_000:  # forget idle clients rather than grow without bound
            self.buckets.clear()
        return True

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self.per_second <= 0 or request.url.path.startswith(self.EXEMPT):
            return await call_next(request)
        client = request.client.host if request.client else "unknown"
        if not self.allow(client):
            response = problem(
                429, "Too many requests",
                f"More than {self.per_second:g} requests per second from {client}; slow down and retry.",
            )
            response.headers["Retry-After"] = "1"
            return response
        return await call_next(request)


def _monotonic() -> float:
    import time

    return time.monotonic()
