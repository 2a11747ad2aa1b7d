"""HTTP plumbing: RFC 9457 problem+json errors and request-size limits."""

from __future__ import annotations

import re
from typing import Any

import h11
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response
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


class BodySizeLimit(BaseHTTPMiddleware):
    """Refuses request bodies over ``max_bytes`` before they are read into memory."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return problem(
                413,
                "Request body too large",
                f"The body is {length} bytes; the limit is {self.max_bytes}. Send a smaller document "
                "or raise the service's max_request_bytes setting.",
            )
        return await call_next(request)


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
