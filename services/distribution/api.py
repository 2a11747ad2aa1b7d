"""Distribution's HTTP API: deliveries, channels and the portal feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.distribution.adapters.feed import render_atom
from services.distribution.domain import Channel
from services.distribution.repository import DeliveryRepository


def _json(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"delivery_id": row["_id"]}
    for key, value in row.items():
        if key == "_id":
            continue
        if isinstance(value, datetime):
            value = value.isoformat()
        elif key == "errors":
            value = [{**e, "at": e["at"].isoformat()} for e in value]
        out[key] = value
    return out


def build_router(
    repository: Callable[[], DeliveryRepository], channels: list[Channel], portal_url: str, feed_url: str
) -> APIRouter:
    router = APIRouter(tags=["distribution"])

    @router.get("/v1/deliveries")
    async def list_deliveries(
        document_id: Annotated[str | None, Query(max_length=100)] = None,
        status: Literal["pending", "retrying", "delivered", "failed"] | None = None,
        channel: Annotated[str | None, Query(max_length=50)] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> dict[str, Any]:
        filter_: dict[str, Any] = {}
        if document_id:
            filter_["document_id"] = document_id
        if status:
            filter_["status"] = status
        if channel:
            filter_["channel_id"] = channel
        rows = await repository().find(filter_, limit)
        return {"deliveries": [_json(r) for r in rows], "count": len(rows)}

    @router.get("/v1/channels")
    async def list_channels() -> dict[str, Any]:
        result = []
        for c in channels:
            counts = await repository().health(c.id)
            result.append(
                {
                    "id": c.id, "type": c.type, "name": c.name, "takes": c.takes.model_dump(),
                    "deliveries": counts,
                    "health": "degraded" if counts.get("failed") or counts.get("retrying") else "ok",
                }
            )
        return {"channels": result}

    @router.get("/feed.atom")
    async def feed(tag: Annotated[str | None, Query(max_length=100)] = None) -> Response:
        feeds = [c for c in channels if c.type == "feed"]
        entries: list[dict[str, Any]] = []
        for c in feeds:
            entries.extend(await repository().feed(c.id, 100))
        if tag:
            entries = [e for e in entries if tag in e.get("tags", [])]
        entries.sort(key=lambda e: e["released_at"], reverse=True)
        body = render_atom(entries[:100], feed_url=feed_url, portal_url=portal_url, title="政府信息公开 · govpub")
        return Response(body, media_type="application/atom+xml")

    return router
