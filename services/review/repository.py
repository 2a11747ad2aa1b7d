"""Review's collections. Cases hold the original text and the matched personal data: they never leave.

``cases``: one per document version. ``audit``: append-only; nothing in this file updates or
deletes an audit row, and nothing should.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

# What the queue shows of a case: never the original text.
_QUEUE_FIELDS = {
    "_id": 1, "document_id": 1, "version": 1, "status": 1, "decision": 1, "reason_code": 1,
    "automatic": 1, "received_at": 1, "lock": 1, "proposal.reviewer": 1, "proposal.decision": 1,
    "proposal.at": 1, "redacted.title": 1, "findings.kind": 1, "findings.action": 1,
}
OPEN_STATUSES = ("pending", "awaiting_confirmation")


class ReviewRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db
        self.audit = AuditLog(db)

    async def ensure_indexes(self) -> None:
        await self.db.cases.create_index([("document_id", ASCENDING), ("version", DESCENDING)])
        await self.db.cases.create_index([("status", ASCENDING), ("received_at", ASCENDING)])
        await self.audit.ensure_indexes()

    async def save_cases(self, cases: list[dict[str, Any]], audit: list[dict[str, Any]],
                         session: AsyncClientSession | None = None) -> None:
        """New cases and their audit rows. A case that exists is left alone: a human may have decided it."""
        if cases:
            await self.db.cases.bulk_write(
                [UpdateOne({"_id": c["_id"]}, {"$setOnInsert": c}, upsert=True) for c in cases],
                ordered=True, session=session,
            )
        await self.audit.append(audit, session)

    async def open_cases_of(self, document_ids: Sequence[str],
                            session: AsyncClientSession | None = None) -> list[dict[str, Any]]:
        """Undecided cases of these documents (id, document, version, status only)."""
        cursor = self.db.cases.find(
            {"document_id": {"$in": list(document_ids)}, "status": {"$in": list(OPEN_STATUSES)}},
            {"_id": 1, "document_id": 1, "version": 1, "status": 1, "content_hash": 1, "revision": 1},
            session=session,
        )
        return [row async for row in cursor]

    async def supersede(self, superseded: Mapping[str, int], now: datetime,
                        session: AsyncClientSession | None = None) -> None:
        """Mark cases (id → the newer version) superseded, unless a reviewer decided them meanwhile."""
        if superseded:
            await self.db.cases.bulk_write(
                [
                    UpdateOne(
                        {"_id": case_id, "status": {"$in": list(OPEN_STATUSES)}},
                        {"$set": {"status": "superseded", "superseded_by": newer, "lock": None, "proposal": None,
                                  "updated_at": now}, "$inc": {"revision": 1}},
                    )
                    for case_id, newer in superseded.items()
                ],
                ordered=False, session=session,
            )

    async def latest_case(self, document_id: str) -> dict[str, Any] | None:
        return await self.db.cases.find_one({"document_id": document_id}, sort=[("version", DESCENDING)])

    async def case(self, case_id: str, session: AsyncClientSession | None = None) -> dict[str, Any] | None:
        return await self.db.cases.find_one({"_id": case_id}, session=session)

    async def latest_version(self, document_id: str, session: AsyncClientSession | None = None) -> int:
        row = await self.db.cases.find_one(
            {"document_id": document_id}, {"version": 1}, sort=[("version", DESCENDING)], session=session
        )
        return int(row["version"]) if row else 0

    async def update_case(self, row: Mapping[str, Any], changes: Mapping[str, Any],
                          session: AsyncClientSession | None = None) -> bool:
        """Apply ``changes`` if the case is still at the revision ``row`` was read at; False if not."""
        revision = row.get("revision")
        guard: dict[str, Any] = {"_id": row["_id"], "revision": revision if revision is not None else {"$exists": False}}
        result = await self.db.cases.update_one(
            guard, {"$set": dict(changes), "$inc": {"revision": 1}}, session=session
        )
        return result.modified_count == 1

    async def queue(self, status: str, skip: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
        """Cases in ``status``, oldest received first."""
        query = {"status": status}
        total = await self.db.cases.count_documents(query)
        cursor = self.db.cases.find(query, _QUEUE_FIELDS).sort(
            [("received_at", ASCENDING), ("_id", ASCENDING)]
        ).skip(skip).limit(limit)
        return total, [row async for row in cursor]


class AuditLog:
    """The append-only audit collection: ``append`` and reads, nothing else."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.collection = db.audit

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("document_id", ASCENDING), ("at", ASCENDING)])
        await self.collection.create_index([("actor", ASCENDING), ("at", ASCENDING)])
        await self.collection.create_index([("at", ASCENDING), ("_id", ASCENDING)])

    async def append(self, rows: Sequence[dict[str, Any]], session: AsyncClientSession | None = None) -> None:
        if rows:
            await self.collection.insert_many(list(rows), ordered=True, session=session)

    @staticmethod
    def query(
        *, document_id: str | None = None, actor: str | None = None,
        start: datetime | None = None, end: datetime | None = None,
    ) -> dict[str, Any]:
        query: dict[str, Any] = {}
        if document_id:
            query["document_id"] = document_id
        if actor:
            query["actor"] = actor
        if start or end:
            query["at"] = {**({"$gte": start} if start else {}), **({"$lt": end} if end else {})}
        return query

    async def find(self, query: Mapping[str, Any], skip: int, limit: int) -> list[dict[str, Any]]:
        cursor = self.collection.find(dict(query)).sort([("at", ASCENDING), ("_id", ASCENDING)]).skip(skip)
        return [row async for row in cursor.limit(limit)]

    async def stream(self, query: Mapping[str, Any], batch_size: int = 500) -> AsyncIterator[dict[str, Any]]:
        """Every matching row, oldest first, fetched in batches: for exports of any size."""
        cursor = self.collection.find(dict(query), batch_size=batch_size).sort([("at", ASCENDING), ("_id", ASCENDING)])
        async for row in cursor:
            yield row
