"""Distribution's collections: one delivery record per (document version, channel, action)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.distribution.domain import Work

Session = AsyncClientSession | None


class DeliveryRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        d = self.db.deliveries
        await d.create_index([("channel_id", ASCENDING), ("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        await d.create_index([("document_id", ASCENDING), ("created_at", ASCENDING)])
        await d.create_index([("status", ASCENDING), ("created_at", DESCENDING)])
        await self.db.feed_entries.create_index([("channel_id", ASCENDING), ("released_at", DESCENDING)])

    async def existing(self, ids: Sequence[str], session: Session = None) -> set[str]:
        rows = self.db.deliveries.find({"_id": {"$in": list(ids)}}, {"_id": 1}, session=session)
        return {r["_id"] async for r in rows}

    async def add(self, works: Sequence[Work], now: datetime, seq_base: int, session: Session = None) -> None:
        """Insert deliveries that do not exist yet; a redelivered event adds nothing."""
        if not works:
            return
        ops = [
            UpdateOne(
                {"_id": w.delivery_id},
                {
                    "$setOnInsert": {
                        "channel_id": w.channel_id,
                        "action": w.action,
                        "document_id": w.document_id,
                        "release_id": w.release_id,
                        "status": "pending",
                        "attempts": 0,
                        "errors": [],
                        "payload": w.payload,
                        "created_at": now,
                        "seq": seq_base + i,
                        "next_attempt_at": now,
                    }
                },
                upsert=True,
            )
            for i, w in enumerate(works)
        ]
        await self.db.deliveries.bulk_write(ops, ordered=True, session=session)

    async def due(self, channel_id: str, now: datetime, limit: int) -> list[dict[str, Any]]:
        cursor = self.db.deliveries.find(
            {"channel_id": channel_id, "status": {"$in": ["pending", "retrying"]}, "next_attempt_at": {"$lte": now}},
            sort=[("seq", ASCENDING)],
            limit=limit,
        )
        return [r async for r in cursor]

    async def record(self, updates: list[tuple[str, dict[str, Any], dict[str, Any] | None]]) -> None:
        """Bulk-apply (delivery id, $set, $push-error) results of one dispatch round."""
        if not updates:
            return
        ops = []
        for delivery_id, set_, error in updates:
            update: dict[str, Any] = {"$set": set_, "$inc": {"attempts": 1}}
            if error:
                update["$push"] = {"errors": {"$each": [error], "$slice": -20}}
            ops.append(UpdateOne({"_id": delivery_id}, update))
        await self.db.deliveries.bulk_write(ops, ordered=False)

    async def find(self, filter_: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        cursor = self.db.deliveries.find(filter_, {"payload": 0}, sort=[("created_at", ASCENDING)], limit=limit)
        return [r async for r in cursor]

    async def feed(self, channel_id: str, limit: int) -> list[dict[str, Any]]:
        cursor = self.db.feed_entries.find({"channel_id": channel_id}, sort=[("released_at", DESCENDING)], limit=limit)
        return [r async for r in cursor]

    async def health(self, channel_id: str) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [{"$match": {"channel_id": channel_id}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        return {r["_id"]: r["n"] async for r in await self.db.deliveries.aggregate(pipeline)}
