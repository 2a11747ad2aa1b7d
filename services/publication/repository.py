"""Publication's collections: candidates (what review and tagging said per version) and the library."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

Session = AsyncClientSession | None


class PublicationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        c, lib = self.db.candidates, self.db.library
        await c.create_index([("document_id", ASCENDING), ("version", DESCENDING)])
        await c.create_index([("doc_number", ASCENDING), ("version", DESCENDING)])
        await c.create_index([("interprets", ASCENDING), ("version", DESCENDING)])
        await lib.create_index([("tokens", ASCENDING), ("public", ASCENDING), ("status", ASCENDING)])
        await lib.create_index([("doc_number", ASCENDING)])
        await lib.create_index([("public", ASCENDING), ("status", ASCENDING), ("released_at", DESCENDING)])
        await lib.create_index([("tag_codes", ASCENDING)])

    async def candidates(self, keys: Iterable[str], session: Session = None) -> dict[str, dict[str, Any]]:
        rows = self.db.candidates.find({"_id": {"$in": list(keys)}}, session=session)
        return {r["_id"]: r async for r in rows}

    async def latest_candidate(self, field: str, value: str, session: Session = None) -> dict[str, Any] | None:
        return await self.db.candidates.find_one(
            {field: value, "withdrawn": {"$ne": True}}, sort=[("version", DESCENDING)], session=session
        )

    async def library_entries(self, ids: Iterable[str], session: Session = None) -> dict[str, dict[str, Any]]:
        rows = self.db.library.find({"_id": {"$in": list(ids)}}, session=session)
        return {r["_id"]: r async for r in rows}

    async def save(
        self, candidates: Iterable[dict[str, Any]], entries: Iterable[dict[str, Any]], session: Session = None
    ) -> None:
        cand_ops = [ReplaceOne({"_id": c["_id"]}, c, upsert=True) for c in candidates]
        if cand_ops:
            await self.db.candidates.bulk_write(cand_ops, ordered=True, session=session)
        lib_ops = [ReplaceOne({"_id": e["_id"]}, e, upsert=True) for e in entries]
        if lib_ops:
            await self.db.library.bulk_write(lib_ops, ordered=True, session=session)

    async def entry(self, document_id: str) -> dict[str, Any] | None:
        return await self.db.library.find_one({"_id": document_id}, {"tokens": 0, "title_tokens": 0})

    async def candidate_status(self, document_id: str) -> dict[str, Any] | None:
        return await self.db.candidates.find_one(
            {"document_id": document_id}, {"status": 1, "version": 1}, sort=[("version", DESCENDING)]
        )

    async def search(self, filter_: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        cursor = self.db.library.find(
            filter_, {"tokens": 0, "title_tokens": 0}, sort=[("released_at", DESCENDING)], limit=limit
        )
        return [r async for r in cursor]
