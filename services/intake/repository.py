"""Intake's collections: documents (current state), versions (every accepted version) and submissions."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReplaceOne, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.intake.domain.duplicates import Candidate, Fingerprint
from services.intake.identity import Known
from services.intake.progress import IN_FLIGHT, Progress, advances


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
        await self.db.documents.create_index([("fingerprint.number_key", ASCENDING)])
        await self.db.documents.create_index([("fingerprint.title_key", ASCENDING)])
        await self.db.documents.create_index([("duplicate.at", ASCENDING)])
        await self.db.versions.create_index([("received_at", ASCENDING)])
        await self.db.rejections.create_index([("at", ASCENDING)])

    async def known(self, ids: Iterable[str], session: AsyncClientSession | None = None) -> dict[str, Known]:
        result: dict[str, Known] = {}
        cursor = self.db.documents.find(
            {"_id": {"$in": list(ids)}}, {"version": 1, "content_hash": 1, "duplicate_of": 1, "duplicate": 1},
            session=session,
        )
        async for row in cursor:
            result[row["_id"]] = Known(row["version"], row["content_hash"], row.get("duplicate_of"), row.get("duplicate"))
        return result

    async def claim(self, fingerprints: Iterable[Fingerprint], session: AsyncClientSession | None = None) -> None:
        """Touch one row per number and title key, so two transactions bringing the same document at once
        conflict and the one retried sees the other's copy (snapshot reads alone would let both pass)."""
        keys = sorted(
            {f"n:{f.number_key}" for f in fingerprints if f.number_key}
            | {f"t:{f.title_key}" for f in fingerprints if f.title_key}
        )
        if keys:
            await self.db.dedup_keys.bulk_write(
                [
                    UpdateOne({"_id": hashlib.sha256(k.encode("utf-8", "surrogatepass")).hexdigest()},
                              {"$inc": {"arrivals": 1}}, upsert=True)
                    for k in keys
                ],
                ordered=True, session=session,
            )

    async def candidates(
        self, fingerprints: Iterable[Fingerprint], session: AsyncClientSession | None = None
    ) -> list[Candidate]:
        """Documents that may be the original of one of ``fingerprints``: same number key or same title key."""
        fingerprints = list(fingerprints)
        numbers = sorted({f.number_key for f in fingerprints if f.number_key})
        titles = sorted({f.title_key for f in fingerprints if f.title_key})
        if not numbers and not titles:
            return []
        # One query per key, not an $or: the embedded database answers an $or by scanning the collection
        # (it took intake from 22 to 8 documents/s between 300 and 1,000 documents held).
        found: dict[str, Candidate] = {}
        for field, keys in (("fingerprint.number_key", numbers), ("fingerprint.title_key", titles)):
            if not keys:
                continue
            cursor = self.db.documents.find(
                {field: {"$in": keys}, "duplicate_of": None, "status": {"$ne": "withdrawn"}},
                {"source_system": 1, "fingerprint": 1},
                session=session,
            )
            async for r in cursor:
                found[r["_id"]] = Candidate(r["_id"], r["source_system"], Fingerprint.from_row(r["fingerprint"]))
        return list(found.values())

    async def save(
        self,
        documents: list[dict[str, Any]],
        versions: list[dict[str, Any]],
        submissions: list[dict[str, Any]],
        session: AsyncClientSession | None = None,
        rejections: list[dict[str, Any]] | None = None,
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
        if rejections:
            # Keyed by sender and content: the same faulty document sent again is counted once.
            await self.db.rejections.bulk_write(
                [UpdateOne({"_id": r["_id"]}, {"$setOnInsert": r}, upsert=True) for r in rejections],
                ordered=True, session=session,
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
            {"stage": {"$in": sorted(IN_FLIGHT)}, "stage_since": {"$lt": before},
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

    async def quality(self, since: datetime, until: datetime) -> dict[str, Any]:
        """Per upstream system: versions accepted, refusals by field and kind, repairs, flags, duplicates."""
        received = {"received_at": {"$gte": since, "$lt": until}}
        per_system: dict[str, dict[str, Any]] = {}

        def system(name: str | None) -> dict[str, Any]:
            return per_system.setdefault(name or "(unknown)", {
                "versions_accepted": 0, "documents": 0, "submissions_rejected": 0, "duplicates_linked": 0,
                "problems": [], "normalizations": [], "flags": [],
            })

        async def rows(collection: str, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
            cursor = await self.db[collection].aggregate(pipeline)
            return [r async for r in cursor]

        for r in await rows("versions", [
            {"$match": received},
            {"$group": {"_id": {"s": "$document.source_system", "d": "$document_id"}, "n": {"$sum": 1}}},
            {"$group": {"_id": "$_id.s", "versions": {"$sum": "$n"}, "documents": {"$sum": 1}}},
        ]):
            system(r["_id"]).update(versions_accepted=r["versions"], documents=r["documents"])
        for array, key, target in (("changes", "kind", "normalizations"), ("flags", "code", "flags")):
            # Counted per version: a body with twenty glosses removed is one document normalized.
            for r in await rows("versions", [
                {"$match": received},
                {"$unwind": f"$document.{array}"},
                {"$group": {"_id": {"s": "$document.source_system", "k": f"$document.{array}.{key}", "v": "$_id"}}},
                {"$group": {"_id": {"s": "$_id.s", "k": "$_id.k"}, "n": {"$sum": 1}}},
            ]):
                system(r["_id"]["s"])[target].append({key: r["_id"]["k"], "documents": r["n"]})
        rejected = {"at": {"$gte": since, "$lt": until}}
        for r in await rows("rejections", [
            {"$match": rejected}, {"$group": {"_id": "$source_system", "n": {"$sum": 1}}},
        ]):
            system(r["_id"])["submissions_rejected"] = r["n"]
        for r in await rows("rejections", [
            {"$match": rejected},
            {"$unwind": "$problems"},
            {"$group": {"_id": {"s": "$source_system", "f": "$problems.field", "k": "$problems.kind", "r": "$_id"}}},
            {"$group": {"_id": {"s": "$_id.s", "f": "$_id.f", "k": "$_id.k"}, "n": {"$sum": 1}}},
        ]):
            system(r["_id"]["s"])["problems"].append(
                {"field": r["_id"]["f"], "kind": r["_id"]["k"], "submissions": r["n"]}
            )
        for r in await rows("documents", [
            {"$match": {"duplicate.at": {"$gte": since, "$lt": until}}},
            {"$group": {"_id": "$source_system", "n": {"$sum": 1}}},
        ]):
            system(r["_id"])["duplicates_linked"] = r["n"]
        for figures in per_system.values():
            for name, count in (("problems", "submissions"), ("normalizations", "documents"), ("flags", "documents")):
                figures[name].sort(key=lambda row, count=count: (-row[count], *(str(v) for v in row.values())))
        return per_system
