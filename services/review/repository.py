"""Review's collections. Cases hold the original text and the matched personal data: they never leave."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase


class ReviewRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        await self.db.cases.create_index([("document_id", ASCENDING), ("version", DESCENDING)])
        await self.db.cases.create_index([("status", ASCENDING), ("received_at", ASCENDING)])
        await self.db.audit.create_index([("document_id", ASCENDING), ("at", ASCENDING)])

    async def save_cases(self, cases: list[dict[str, Any]], audit: list[dict[str, Any]],
                         session: AsyncClientSession | None = None) -> None:
        if cases:
            await self.db.cases.bulk_write(
                [ReplaceOne({"_id": c["_id"]}, c, upsert=True) for c in cases], ordered=True, session=session
            )
        if audit:
            await self.db.audit.insert_many(audit, ordered=True, session=session)

    async def latest_case(self, document_id: str) -> dict[str, Any] | None:
        return await self.db.cases.find_one({"document_id": document_id}, sort=[("version", DESCENDING)])
