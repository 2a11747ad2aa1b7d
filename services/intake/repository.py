"""Intake's collections: documents (current state), versions (every accepted version) and submissions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.intake.identity import Known
from services.intake.progress import TERMINAL, WAITING_FOR_PERSON, Progress, advances


class IntakeRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        await self.db.documents.create_index([("source_system", ASCENDING), ("source_id", ASCENDING)], unique=True)
        await self.db.documents.create_index([("doc_number", ASCENDING), ("issuing_organ", ASCENDING)])
        await self.db.documents.create_index([("updated_at", DESCENDING)])
        await self.db.documents.create_index([("stage", ASCENDING), ("stage_since", ASCENDING)])
        await self.db.versions.create_index([("document_id", ASCENDING), ("version", ASCENDING)], unique=True)
        await self.db.submissions.create_index([("at", DESCENDING)])

    async def known(self, ids: Iterable[str], session: AsyncClientSession | None = None) -> dict[str, Known]:
        result: dict[str, Known] = {}
        cursor = self.db.documents.find(
            {"_id": {"$in": list(ids)}}, {"version": 1, "content_hash": 1}, session=session
        )
        async for row in cursor:
            result[row["_id"]] = Known(row["version"], row["content_hash"])
        return result

    async def save(
        self,
        documents: list[dict[str, Any]],
        versions: list[dict[str, Any]],
        submissions: list[dict[str, Any]],
        session: AsyncClientSession | None = None,
    ) -> None:
        if documents:
            await self.db.documents.bulk_write(
                [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in documents], ordered=True, session=session
            )
        if versions:
            await self.db.versions.bulk_write(
                [ReplaceOne({"_id": v["_id"]}, v, upsert=True) for v in versions], ordered=True, session=session
            )
        if submissions:
            await self.db.submissions.bulk_write(
                [ReplaceOne({"_id": s["_id"]}, s, upsert=True) for s in submissions], ordered=True, session=session
            )

    async def mark_withdrawn(
        self, document_id: str, reason: str, now: datetime, session: AsyncClientSession | None = None
    ) -> bool:
        result = await self.db.documents.update_one(
            {"_id": document_id},
            {"$set": {"status": "withdrawn", "withdrawal": {"reason": reason, "at": now}, "updated_at": now}},
            session=session,
        )
        return result.matched_count == 1

    async def advance(self, moves: dict[str, Progress], now: datetime, session: AsyncClientSession | None = None) -> None:
        """Move documents to a later stage; events about an older version or an earlier stage change nothing."""
        if not moves:
            return
        current = {
            r["_id"]: r
            async for r in self.db.documents.find(
                {"_id": {"$in": list(moves)}}, {"version": 1, "stage": 1}, session=session
            )
        }
        ops = [
            UpdateOne(
                {"_id": doc_id, "version": p.version},
                {"$set": {"stage": p.stage, "stage_since": now, "updated_at": now}},
            )
            for doc_id, p in moves.items()
            if doc_id in current
            and current[doc_id]["version"] == p.version
            and advances(current[doc_id].get("stage", "received"), p.stage)
        ]
        if ops:
            await self.db.documents.bulk_write(ops, ordered=False, session=session)

    async def stuck(self, before: datetime, limit: int = 500) -> list[dict[str, Any]]:
        cursor = self.db.documents.find(
            {"stage": {"$nin": sorted(TERMINAL | WAITING_FOR_PERSON)}, "stage_since": {"$lt": before},
             "status": {"$ne": "withdrawn"}},
            {"version": 1, "stage": 1, "stage_since": 1, "redrives": 1, "last_redrive_at": 1, "title": 1},
            limit=limit,
        )
        return [r async for r in cursor]

    async def mark_redriven(self, ids: list[str], now: datetime) -> None:
        await self.db.documents.update_many(
            {"_id": {"$in": ids}}, {"$inc": {"redrives": 1}, "$set": {"last_redrive_at": now}}
        )

    async def document(self, document_id: str) -> dict[str, Any] | None:
        return await self.db.documents.find_one({"_id": document_id})

    async def submission(self, source_system: str, source_id: str) -> dict[str, Any] | None:
        return await self.db.submissions.find_one({"_id": f"{source_system}/{source_id}"})

    async def document_by_source(self, source_system: str, source_id: str) -> dict[str, Any] | None:
        return await self.db.documents.find_one({"source_system": source_system, "source_id": source_id})
