"""Tagging's collection: the tags of each document version (never the body)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase


class TaggingRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        await self.db.taggings.create_index([("document_id", ASCENDING), ("version", DESCENDING)])
        await self.db.taggings.create_index([("tags.code", ASCENDING)])

    async def save(self, rows: list[dict[str, Any]], session: AsyncClientSession | None = None) -> None:
        if rows:
            await self.db.taggings.bulk_write(
                [ReplaceOne({"_id": r["_id"]}, r, upsert=True) for r in rows], ordered=True, session=session
            )

    async def latest(self, document_id: str) -> dict[str, Any] | None:
        return await self.db.taggings.find_one({"document_id": document_id}, sort=[("version", DESCENDING)])
