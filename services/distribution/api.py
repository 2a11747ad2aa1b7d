"""Distribution's HTTP API: deliveries (and operators' retry/replay), channels with their breakers, the feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from services.distribution.adapters.feed import render_atom
from services.distribution.dispatcher import Dispatcher
from services.distribution.domain import Channel
from services.distribution.repository import DeliveryRepository
from shared.auth import Principal, require
from shared.http import ProblemError

StatusFilter = Literal["pending", "retrying", "sending", "delivered", "failed", "cancelled", "skipped"]
ChannelId = Annotated[str | None, Query(max_length=50, description="A channel id from GET /v1/channels")]


def _json(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"delivery_id": row["_id"]}
    for key, value in row.items():
        if key == "_id":
            continue
        if isinstance(value, datetime):
            value = value.isoformat()
        elif key in ("errors", "replayed"):
            value = [{**e, "at": e["at"].isoformat()} for e in value]
        out[key] = value
    return out


def build_router(
    repository: Callable[[], DeliveryRepository],
    channels: list[Channel],
    portal_url: str,
    feed_url: str,
    dispatchers: dict[str, Dispatcher] | None = None,
    hub: str | None = None,
) -> APIRouter:
    router = APIRouter(tags=["distribution"])
    running: dict[str, Dispatcher] = dispatchers if dispatchers is not None else {}
    known = {c.id for c in channels}

    def check_channel(channel: str | None) -> None:
        if channel is not None and channel not in known:
            raise ProblemError(
                404, "Unknown channel", f"There is no channel {channel!r}; GET /v1/channels lists them.",
            )

    # Deliveries name targeted (定向) documents and partners' answers: operators only once auth is required.
    @router.get("/v1/deliveries", dependencies=[require("operator", unless_open=True)])
    async def list_deliveries(
        document_id: Annotated[str | None, Query(max_length=100)] = None,
        status: StatusFilter | None = None,
        channel: ChannelId = None,
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

    @router.post("/v1/deliveries/replay", status_code=202)
    async def replay(
        principal: Annotated[Principal, require("operator")],
        channel: ChannelId = None,
        status: Annotated[Literal["failed"], Query(description="Only failed deliveries are replayed")] = "failed",
    ) -> dict[str, Any]:
        """Give every failed delivery (of one channel, or all) a fresh set of attempts, e.g. after a fix."""
        check_channel(channel)
        filter_: dict[str, Any] = {"channel_id": channel} if channel else {"channel_id": {"$in": sorted(running)}}
        count = await repository().requeue(filter_, datetime.now(UTC), principal.name)
        for dispatcher in ([running[channel]] if channel in running else running.values()):
            dispatcher.wake()
        return {"requeued": count, "channel": channel, "status": status}

    @router.post("/v1/deliveries/{delivery_id}/retry", status_code=202)
    async def retry(
        delivery_id: Annotated[str, Path(max_length=300)], principal: Annotated[Principal, require("operator")]
    ) -> dict[str, Any]:
        repo = repository()
        row = await repo.get(delivery_id)
        if row is None:
            raise ProblemError(404, "Unknown delivery", f"There is no delivery {delivery_id!r}.")
        if row["status"] != "failed":
            raise ProblemError(
                409, "Delivery is not failed",
                f"Delivery {delivery_id!r} is {row['status']}; only failed deliveries are retried.",
            )
        if row["channel_id"] not in running:
            raise ProblemError(
                409, "Channel not enabled",
                f"Channel {row['channel_id']!r} is not enabled here; enable it (GOVPUB_DISTRIBUTION_ENABLED_CHANNELS) first.",
            )
        await repo.requeue({"_id": delivery_id}, datetime.now(UTC), principal.name)
        running[row["channel_id"]].wake()
        updated = await repo.get(delivery_id)
        return {"delivery": _json(updated or row)}

    @router.get("/v1/channels")
    async def list_channels() -> dict[str, Any]:
        result = []
        for c in channels:
            counts = await repository().health(c.id)
            dispatcher = running.get(c.id)
            breaker = dispatcher.describe_breaker() if dispatcher else None
            degraded = counts.get("failed") or counts.get("retrying") or (breaker and breaker["state"] != "closed")
            result.append(
                {
                    "id": c.id, "type": c.type, "name": c.name, "enabled": c.id in running,
                    "takes": c.takes.model_dump(), "deliveries": counts, "breaker": breaker,
                    "health": "disabled" if c.id not in running else "degraded" if degraded else "ok",
                }
            )
        return {"channels": result}

    @router.get("/feed.atom")
    async def feed(tag: Annotated[str | None, Query(max_length=100)] = None) -> Response:
        feeds = [c for c in channels if c.type == "feed" and c.id in running] or [c for c in channels if c.type == "feed"]
        entries: list[dict[str, Any]] = []
        for c in feeds:
            entries.extend(await repository().feed(c.id, 100))
        if tag:
            entries = [e for e in entries if tag in e.get("tags", [])]
        entries.sort(key=lambda e: e["released_at"], reverse=True)
        body = render_atom(entries[:100], feed_url=feed_url, portal_url=portal_url, title="政府信息公开 · govpub", hub=hub)
        return Response(body, media_type="application/atom+xml")

    return router
