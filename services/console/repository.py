"""The console's own collections: ``traces`` (one row per event seen) and ``dead_letters``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bson import Binary
from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared.logging import get_logger

log = get_logger(__name__)
_LIST_FIELDS = {"value": 0, "headers": 0}


class ConsoleRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def ensure_indexes(self, retention: timedelta) -> None:
        await self.db.traces.create_index([("document_id", ASCENDING), ("time", ASCENDING)])
        await self.db.traces.create_index([("summary.source_key", ASCENDING)], sparse=True)
        await self.db.traces.create_index([("topic", ASCENDING), ("time", DESCENDING)])
        await self.db.traces.create_index([("time", DESCENDING)])
        try:
            await self.db.traces.create_index(
                [("seen_at", ASCENDING)], expireAfterSeconds=int(retention.total_seconds())
            )
        except PyMongoError as exc:  # a server without TTL support keeps the rows; the console still works
            log.warning("no TTL index on traces", error=str(exc))
        await self.db.dead_letters.create_index([("time", DESCENDING)])
        await self.db.dead_letters.create_index([("source_topic", ASCENDING), ("time", DESCENDING)])
        await self.db.dead_letters.create_index([("service", ASCENDING), ("time", DESCENDING)])
        await self.db.dead_letters.create_index([("replayed", ASCENDING)])

    # ---- writes (idempotent: a redelivered record finds its row already there)

    async def save_trace(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.db.traces.bulk_write(
                [UpdateOne({"_id": r["_id"]}, {"$setOnInsert": r}, upsert=True) for r in rows], ordered=False
            )

    async def save_dead_letters(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            ops = []
            for row in rows:
                stored = {**row, "key": Binary(row["key"]), "value": Binary(row["value"]),
                          "headers": [[k, Binary(v)] for k, v in row["headers"]]}
                ops.append(UpdateOne({"_id": row["_id"]}, {"$setOnInsert": stored}, upsert=True))
            await self.db.dead_letters.bulk_write(ops, ordered=False)

    async def record_replay(self, dead_letter_id: str, by: str, at: datetime) -> None:
        await self.db.dead_letters.update_one(
            {"_id": dead_letter_id}, {"$push": {"replays": {"by": by, "at": at}}, "$set": {"replayed": True}}
        )

    # ---- reads

    async def document_trace(self, document_id: str) -> list[dict[str, Any]]:
        """Every event of a document, including the office system's events about it (keyed by source)."""
        rows = [r async for r in self.db.traces.find({"document_id": document_id}).limit(5000)]
        sources = {r["summary"]["source_key"] for r in rows if r.get("summary", {}).get("source_key")}
        if sources:
            known = {r["_id"] for r in rows}
            rows += [r async for r in self.db.traces.find({"document_id": {"$in": sorted(sources)}}).limit(5000)
                     if r["_id"] not in known]
        return rows

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        return [r async for r in self.db.traces.find().sort("time", DESCENDING).limit(limit)]

    async def partition_stats(self) -> list[dict[str, Any]]:
        """Per topic and partition: events seen, the highest offset seen and the time of the last event."""
        pipeline: list[dict[str, Any]] = [
            {"$group": {
                "_id": {"topic": "$topic", "partition": "$partition"},
                "messages": {"$sum": 1},
                "last_offset": {"$max": "$offset"},
                "last_time": {"$max": "$time"},
            }},
        ]
        return [r async for r in await self.db.traces.aggregate(pipeline)]

    async def counts_since(self, since: datetime) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [
            {"$match": {"time": {"$gte": since}}},
            {"$group": {"_id": "$topic", "n": {"$sum": 1}}},
        ]
        return {r["_id"]: r["n"] async for r in await self.db.traces.aggregate(pipeline)}

    async def dead_letter_stats(self, since: datetime) -> dict[str, dict[str, Any]]:
        """Per dead-letter topic: records seen, the highest offset, the last time, and how many since ``since``."""
        pipeline: list[dict[str, Any]] = [
            {"$group": {
                "_id": "$topic",
                "messages": {"$sum": 1},
                "last_offset": {"$max": "$offset"},
                "last_time": {"$max": "$time"},
                "recent": {"$sum": {"$cond": [{"$gte": ["$time", since]}, 1, 0]}},
            }},
        ]
        return {r["_id"]: r async for r in await self.db.dead_letters.aggregate(pipeline)}

    async def trace_count(self) -> int:
        return await self.db.traces.estimated_document_count()

    async def dead_letters(self, limit: int, service: str | None = None) -> list[dict[str, Any]]:
        filter_ = {"service": service} if service else {}
        cursor = self.db.dead_letters.find(filter_, _LIST_FIELDS).sort("time", DESCENDING).limit(limit)
        return [r async for r in cursor]

    async def dead_letter_count(self) -> tuple[int, int]:
        """All dead letters, and those never replayed."""
        total = await self.db.dead_letters.count_documents({})
        waiting = await self.db.dead_letters.count_documents({"replayed": False})
        return total, waiting

    async def dead_letter(self, dead_letter_id: str) -> dict[str, Any] | None:
        row = await self.db.dead_letters.find_one({"_id": dead_letter_id})
        if row is None:
            return None
        row["key"], row["value"] = bytes(row["key"]), bytes(row["value"])
        row["headers"] = [(k, bytes(v)) for k, v in row["headers"]]
        return row
