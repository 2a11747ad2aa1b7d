"""Tagging's collections (see ``records``): heads, taggings, texts, tag changes, catalogues, re-tag jobs.

Every writer of a document's tags (the consumer, an editor, a re-tag) checks and bumps the head's
``rev`` in its transaction, so two of them never both commit tags computed from the same state:
the loser gets ``ConcurrentChange`` and starts again from what the winner wrote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, InsertOne, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, OperationFailure, PyMongoError

from services.tagging.records import version_key

Session = AsyncClientSession | None


class ConcurrentChange(Exception):
    """Someone else changed the document's tags since they were read; read again and retry."""


WRITE_CONFLICT = 112


def is_conflict(err: BaseException) -> bool:
    """A write that lost a race with another transaction: worth reading again and retrying."""
    if isinstance(err, ConcurrentChange | DuplicateKeyError):
        return True
    if isinstance(err, OperationFailure) and err.code == WRITE_CONFLICT:
        return True
    return isinstance(err, PyMongoError) and err.has_error_label("TransientTransactionError")


class TaggingRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        await self.db.taggings.create_index([("document_id", ASCENDING), ("version", DESCENDING)])
        await self.db.taggings.create_index([("tags.code", ASCENDING)])
        await self.db.documents.create_index([("retagged_for", ASCENDING), ("_id", ASCENDING)])
        await self.db.tag_changes.create_index([("document_id", ASCENDING), ("at", ASCENDING)])
        await self.db.tag_changes.create_index([("by", ASCENDING), ("action", ASCENDING)])

    # ---- heads

    async def heads(self, document_ids: Iterable[str], session: Session = None) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(document_ids))
        return {h["_id"]: h async for h in self.db.documents.find({"_id": {"$in": ids}}, session=session)}

    async def head(self, document_id: str, session: Session = None) -> dict[str, Any] | None:
        return await self.db.documents.find_one({"_id": document_id}, session=session)

    async def put_heads(self, heads: Sequence[dict[str, Any]], session: Session = None) -> None:
        """Write heads whose ``rev`` was bumped by one; ``ConcurrentChange`` if any moved meanwhile."""
        if not heads:
            return
        ops: list[InsertOne[dict[str, Any]] | ReplaceOne[dict[str, Any]]] = []
        replaced = 0
        for head in heads:
            if head["rev"] == 1:
                ops.append(InsertOne(head))
            else:
                ops.append(ReplaceOne({"_id": head["_id"], "rev": head["rev"] - 1}, head))
                replaced += 1
        try:
            result = await self.db.documents.bulk_write(ops, ordered=True, session=session)
        except PyMongoError as err:
            if _duplicate(err):
                raise ConcurrentChange(str(err)) from err
            raise
        if result.matched_count != replaced:
            raise ConcurrentChange(f"{replaced - result.matched_count} document(s) changed meanwhile")

    async def behind(self, catalogue_version: int, limit: int, session: Session = None) -> list[dict[str, Any]]:
        """Heads not yet re-tagged for ``catalogue_version``, in a stable order."""
        cursor = self.db.documents.find({"retagged_for": {"$lt": catalogue_version}}, session=session)
        return await cursor.sort("_id", ASCENDING).limit(limit).to_list(limit)

    async def count_behind(self, catalogue_version: int) -> int:
        return await self.db.documents.count_documents({"retagged_for": {"$lt": catalogue_version}})

    # ---- taggings and texts

    async def taggings(self, keys: Iterable[str], session: Session = None) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(keys))
        return {r["_id"]: r async for r in self.db.taggings.find({"_id": {"$in": ids}}, session=session)}

    async def tagging(self, document_id: str, version: int, session: Session = None) -> dict[str, Any] | None:
        return await self.db.taggings.find_one({"_id": version_key(document_id, version)}, session=session)

    async def latest(self, document_id: str, session: Session = None) -> dict[str, Any] | None:
        return await self.db.taggings.find_one(
            {"document_id": document_id}, sort=[("version", DESCENDING)], session=session
        )

    async def texts(self, keys: Iterable[str], session: Session = None) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(keys))
        return {r["_id"]: r async for r in self.db.texts.find({"_id": {"$in": ids}}, session=session)}

    async def save(
        self,
        rows: Sequence[dict[str, Any]],
        session: Session = None,
        *,
        texts: Sequence[dict[str, Any]] = (),
        heads: Sequence[dict[str, Any]] = (),
        changes: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Heads first: a conflict there aborts the transaction before anything else is written."""
        await self.put_heads(heads, session)
        if rows:
            await self.db.taggings.bulk_write(
                [ReplaceOne({"_id": r["_id"]}, r, upsert=True) for r in rows], ordered=True, session=session
            )
        if texts:
            await self.db.texts.bulk_write(
                [ReplaceOne({"_id": t["_id"]}, t, upsert=True) for t in texts], ordered=True, session=session
            )
        if changes:
            await self.db.tag_changes.insert_many(list(changes), ordered=True, session=session)

    # ---- the record of changes (append-only: inserted, never updated or deleted)

    async def history(self, document_id: str, limit: int) -> list[dict[str, Any]]:
        cursor = self.db.tag_changes.find({"document_id": document_id}).sort([("at", DESCENDING), ("_id", ASCENDING)])
        return await cursor.limit(limit).to_list(limit)

    # ---- catalogue versions

    async def latest_catalogue(self) -> dict[str, Any] | None:
        return await self.db.catalogues.find_one({}, sort=[("_id", DESCENDING)])

    async def catalogue_versions(self) -> list[dict[str, Any]]:
        cursor = self.db.catalogues.find({}, {"text": 0}).sort("_id", DESCENDING)
        return await cursor.to_list(None)

    async def add_catalogue(self, row: dict[str, Any]) -> bool:
        """Persist a catalogue version; False when that version is already stored."""
        try:
            await self.db.catalogues.insert_one(row)
        except DuplicateKeyError:
            return False
        return True

    # ---- re-tag jobs

    async def job(self, catalogue_version: int) -> dict[str, Any] | None:
        return await self.db.retag_jobs.find_one({"_id": catalogue_version})

    async def latest_job(self) -> dict[str, Any] | None:
        return await self.db.retag_jobs.find_one({}, sort=[("_id", DESCENDING)])

    async def put_job(self, job: dict[str, Any]) -> None:
        await self.db.retag_jobs.replace_one({"_id": job["_id"]}, job, upsert=True)

    async def progress(
        self, catalogue_version: int, fields: dict[str, Any], session: Session = None, **counts: int
    ) -> None:
        update: dict[str, Any] = {"$set": fields}
        if counts:
            update["$inc"] = counts
        await self.db.retag_jobs.update_one({"_id": catalogue_version}, update, session=session)


def _duplicate(err: PyMongoError) -> bool:
    if isinstance(err, DuplicateKeyError):
        return True
    details = getattr(err, "details", None) or {}
    return any(e.get("code") == 11000 for e in details.get("writeErrors", ()))
