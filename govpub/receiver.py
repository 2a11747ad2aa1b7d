"""A local webhook receiver for the demo and the tests: verifies signatures, counts every delivery.

``GET /received`` lists what arrived; ``POST /control/fail`` makes it answer with errors for a while,
so tests can watch distribution retry.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.distribution.adapters.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify


def create_app(secret: str) -> FastAPI:
    app = FastAPI(title="govpub demo webhook receiver")
    received: list[dict[str, Any]] = []
    posts: dict[str, int] = {}
    failing = {"remaining": 0, "status": 500}

    @app.post("/hooks/{name}")
    async def hook(name: str, request: Request) -> JSONResponse:
        body = await request.body()
        if failing["remaining"] > 0:
            failing["remaining"] -= 1
            return JSONResponse({"error": "failing on purpose"}, status_code=failing["status"])
        ok = verify(
            secret, request.headers.get(TIMESTAMP_HEADER, ""), body, request.headers.get(SIGNATURE_HEADER, ""),
            now=time.time(),
        )
        if not ok:
            return JSONResponse({"error": "bad signature"}, status_code=401)
        key = request.headers.get("Idempotency-Key", "")
        posts[key] = posts.get(key, 0) + 1
        if posts[key] == 1:
            payload = await request.json()
            received.append({"hook": name, "idempotency_key": key, **payload})
        return JSONResponse({"ok": True, "duplicate": posts[key] > 1})

    @app.get("/received")
    async def list_received() -> dict[str, Any]:
        return {"received": received, "posts": posts}

    @app.post("/control/fail")
    async def fail(count: int = 5, status: int = 500) -> dict[str, int]:
        failing.update(remaining=count, status=status)
        return failing

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    args = parser.parse_args()
    secret = os.environ.get("GOVPUB_DISTRIBUTION_WEBHOOK_SECRET", "govpub-demo-secret")
    uvicorn.run(create_app(secret), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
