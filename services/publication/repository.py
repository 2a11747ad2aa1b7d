"""Publication's collections: candidates (what review and tagging said per version), the library, the
released versions, link-check results, and a change counter that keeps search indexes current."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

from gridfs import AsyncGridFSBucket
from gridfs.errors import GridFSError
from pymongo import ASCENDING, DESCENDING, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from services.publication.snapshot import SnapshotError

Session = AsyncClientSession | None
HIDDEN = {"tokens": 0, "title_tokens": 0}
WAITING_FOR_INTERPRETATION = "waiting_for_interpretation"
SEQ = "library"
SNAPSHOTS = "search_snapshots"  # a GridFS bucket: search_snapshots.files and search_snapshots.chunks
SNAPSHOT_NAME = "library-index"


Query = tuple[dict[str, Any], list[tuple[str, int]] | None]


# The queries a library search sends, named so that a test can ask the real database to explain them.
def changes_query(seq: int) -> Query:
    """Entries changed after ``seq``: what a search index reads before answering (usually none)."""
    return {"seq": {"$gt": seq}}, [("seq", ASCENDING)]


def page_query(ids: Sequence[str]) -> Query:
    """The page of results, by id."""
    return {"_id": {"$in": list(ids)}}, None


def searchable_query() -> Query:
    """Every public released entry: what a search index is built from.

    Unsorted: the index orders entries itself, and asking the embedded server to sort made the scan
    ~3x slower (6.8 s instead of 2.4 s for 10k entries).
    """
    return {"public": True, "status": "released"}, None


class PublicationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db

    async def ensure_indexes(self) -> None:
        c, lib = self.db.candidates, self.db.library
        await c.create_index([("document_id", ASCENDING), ("version", DESCENDING)])
        await c.create_index([("doc_number", ASCENDING), ("version", DESCENDING)])
        await c.create_index([("interprets", ASCENDING), ("version", DESCENDING)])
        await c.create_index([("status", ASCENDING), ("held_since", ASCENDING)])
        await lib.create_index([("seq", ASCENDING)])
        await lib.create_index([("doc_number", ASCENDING)])
        await lib.create_index([("public", ASCENDING), ("status", ASCENDING), ("released_at", DESCENDING)])
        await lib.create_index([("first_released_at", ASCENDING)])
        await lib.create_index([("released_at", ASCENDING)])
        await lib.create_index([("withdrawal.at", ASCENDING)])
        await self.db.versions.create_index([("document_id", ASCENDING), ("version", ASCENDING)])
        await self.db.links.create_index([("state", ASCENDING), ("checked_at", DESCENDING)])
        await self.db.links.create_index([("document_id", ASCENDING)])
        # Search moved to the in-memory index (services/publication/index.py); the multikey token index
        # only slowed every write (~100 index keys per entry), so an older deployment's copy is dropped.
        with contextlib.suppress(PyMongoError):
            await lib.drop_index("tokens_1_public_1_status_1")
        await self.db.counters.update_one({"_id": SEQ}, {"$setOnInsert": {"seq": 0}}, upsert=True)

    # ---- candidates

    async def candidates(self, keys: Iterable[str], session: Session = None) -> dict[str, dict[str, Any]]:
        rows = self.db.candidates.find({"_id": {"$in": list(keys)}}, session=session)
        return {r["_id"]: r async for r in rows}

    async def candidates_of(self, document_id: str, session: Session = None) -> list[dict[str, Any]]:
        return await self.db.candidates.find({"document_id": document_id}, session=session).to_list(None)

    async def latest_candidate(self, field: str, value: str, session: Session = None) -> dict[str, Any] | None:
        return await self.db.candidates.find_one(
            {field: value, "withdrawn": {"$ne": True}}, sort=[("version", DESCENDING)], session=session
        )

    async def candidate_status(self, document_id: str) -> dict[str, Any] | None:
        return await self.db.candidates.find_one(
            {"document_id": document_id}, {"status": 1, "version": 1}, sort=[("version", DESCENDING)]
        )

    async def held_for_interpretation(self, held_before: datetime, session: Session = None) -> list[dict[str, Any]]:
        """Policies waiting for their interpretation since before ``held_before`` and not yet reported."""
        return await self.db.candidates.find(
            {"status": WAITING_FOR_INTERPRETATION, "held_since": {"$lte": held_before},
             "overdue_at": {"$exists": False}},
            session=session,
        ).to_list(None)

    async def mark_overdue(self, keys: Sequence[str], at: datetime, session: Session = None) -> None:
        if keys:
            await self.db.candidates.update_many({"_id": {"$in": list(keys)}}, {"$set": {"overdue_at": at}},
                                                 session=session)

    # ---- the library

    async def library_entries(self, ids: Iterable[str], session: Session = None) -> dict[str, dict[str, Any]]:
        rows = self.db.library.find({"_id": {"$in": list(ids)}}, session=session)
        return {r["_id"]: r async for r in rows}

    async def save(
        self,
        candidates: Iterable[dict[str, Any]],
        entries: Iterable[dict[str, Any]],
        session: Session = None,
        versions: Iterable[dict[str, Any]] = (),
    ) -> None:
        cand_ops = [ReplaceOne({"_id": c["_id"]}, c, upsert=True) for c in candidates]
        if cand_ops:
            await self.db.candidates.bulk_write(cand_ops, ordered=True, session=session)
        entries = list(entries)
        if entries:
            await self.stamp(entries, session)
            await self.db.library.bulk_write(
                [ReplaceOne({"_id": e["_id"]}, e, upsert=True) for e in entries], ordered=True, session=session
            )
        version_ops = [ReplaceOne({"_id": v["_id"]}, v, upsert=True) for v in versions]
        if version_ops:
            await self.db.versions.bulk_write(version_ops, ordered=True, session=session)

    async def stamp(self, entries: Sequence[dict[str, Any]], session: Session) -> None:
        """Give each changed entry the next change number, in the same transaction as the change.

        Two transactions that both take numbers conflict on the counter, so numbers become visible in
        order and a search index that reads "everything after n" never skips one.
        """
        await self.db.counters.update_one({"_id": SEQ}, {"$inc": {"seq": len(entries)}}, upsert=True, session=session)
        counter = await self.db.counters.find_one({"_id": SEQ}, session=session)
        top = int(counter["seq"]) if counter else len(entries)
        for i, entry in enumerate(entries):
            entry["seq"] = top - len(entries) + 1 + i

    async def set_validity(self, document_id: str, validity: str, at: datetime, session: Session) -> bool:
        entry = await self.db.library.find_one({"_id": document_id}, session=session)
        if entry is None:
            return False
        entry["validity"] = validity
        entry["validity_changed_at"] = at
        await self.stamp([entry], session)
        await self.db.library.replace_one({"_id": document_id}, entry, session=session)
        return True

    async def entry(self, document_id: str) -> dict[str, Any] | None:
        return await self.db.library.find_one({"_id": document_id}, HIDDEN)

    async def entries_by_ids(self, ids: Sequence[str], fields: dict[str, int] | None = None) -> list[dict[str, Any]]:
        """Entries in the order of ``ids`` (missing ones left out)."""
        if not ids:
            return []
        filter_, _ = page_query(ids)
        rows = {r["_id"]: r async for r in self.db.library.find(filter_, fields or HIDDEN)}
        return [rows[i] for i in ids if i in rows]

    async def max_seq(self) -> int:
        """The library's latest change number.

        Read from the counter, which moves in the same transaction as the entries it numbers: the
        embedded server answers "highest seq" (a backward index scan with a limit) by reading every
        entry, seconds at 10k.
        """
        row = await self.db.counters.find_one({"_id": SEQ})
        return int(row["seq"]) if row else 0

    def changes_since(self, seq: int, fields: Sequence[str]) -> AsyncIterator[dict[str, Any]]:
        filter_, sort = changes_query(seq)
        return aiter(self.db.library.find(filter_, dict.fromkeys(fields, 1), sort=sort))

    def searchable(self, fields: Sequence[str]) -> AsyncIterator[dict[str, Any]]:
        """Every public released entry, in no particular order."""
        filter_, _ = searchable_query()
        return aiter(self.db.library.find(filter_, dict.fromkeys(fields, 1), batch_size=2000))

    async def entries_touching_year(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Entries first released, re-released or withdrawn in [start, end): what an annual report counts."""
        window = {"$gte": start, "$lt": end}
        fields = {
            "public": 1, "status": 1, "doc_type": 1, "tags": 1, "history": 1, "first_released_at": 1,
            "released_at": 1, "withdrawal": 1, "interpretation": 1, "interprets": 1,
            "requires_interpretation": 1, "audience": 1,
        }
        rows: dict[str, dict[str, Any]] = {}
        for field_ in ("first_released_at", "released_at", "withdrawal.at"):
            async for row in self.db.library.find({field_: window}, fields):
                rows[row["_id"]] = row
        return list(rows.values())

    # ---- search-index snapshots (see snapshot.py)

    async def latest_index_snapshot(self, format_: int) -> tuple[dict[str, Any], bytes] | None:
        """The newest snapshot written in ``format_``: its metadata and bytes (None when there is none).

        Raises ``SnapshotError`` when its chunks are damaged or were deleted while being read.
        """
        newest = await self.db[f"{SNAPSHOTS}.files"].find_one(
            {"filename": SNAPSHOT_NAME, "metadata.format": format_}, sort=[("uploadDate", DESCENDING)]
        )
        if newest is None:
            return None
        try:
            stream = await AsyncGridFSBucket(self.db, SNAPSHOTS).open_download_stream(newest["_id"])
            data = await stream.read()
        except GridFSError as exc:
            raise SnapshotError(f"cannot read snapshot {newest['_id']}: {exc}") from exc
        return dict(newest.get("metadata") or {}), data

    async def save_index_snapshot(self, data: bytes, metadata: dict[str, Any], keep: int = 2) -> None:
        """Store a snapshot and delete all but the ``keep`` newest.

        The file's entry is written after its last chunk, so a reader never sees half a snapshot; older
        ones are kept a while for replicas that may be reading them right now.
        """
        bucket = AsyncGridFSBucket(self.db, SNAPSHOTS, chunk_size_bytes=4 * 1024 * 1024)
        await bucket.upload_from_stream(SNAPSHOT_NAME, data, metadata=metadata)
        old = self.db[f"{SNAPSHOTS}.files"].find(
            {"filename": SNAPSHOT_NAME}, {"_id": 1}, sort=[("uploadDate", DESCENDING)], skip=keep
        )
        async for row in old:
            with contextlib.suppress(GridFSError):
                await bucket.delete(row["_id"])

    # ---- versions

    async def versions_of(self, document_id: str) -> list[dict[str, Any]]:
        return await self.db.versions.find(
            {"document_id": document_id}, {"body": 0}, sort=[("document_id", ASCENDING), ("version", ASCENDING)]
        ).to_list(None)

    async def version(self, document_id: str, version: int) -> dict[str, Any] | None:
        return await self.db.versions.find_one({"_id": f"{document_id}:v{version}"})

    # ---- link checks

    def released_with_links(self, document_ids: Sequence[str] | None) -> AsyncIterator[dict[str, Any]]:
        filter_: dict[str, Any] = {"status": "released"}
        if document_ids is not None:
            filter_["_id"] = {"$in": list(document_ids)}
        fields = {"attachments": 1, "body": 1, "title": 1, "url": 1}
        return aiter(self.db.library.find(filter_, fields))

    async def link_results(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        return {r["_id"]: r async for r in self.db.links.find({"_id": {"$in": list(ids)}})}

    async def save_link_results(self, rows: Sequence[dict[str, Any]], session: Session = None) -> None:
        if rows:
            await self.db.links.bulk_write([ReplaceOne({"_id": r["_id"]}, r, upsert=True) for r in rows],
                                           ordered=False, session=session)

    async def forget_links(self, document_ids: Sequence[str], keep: Sequence[str]) -> None:
        await self.db.links.delete_many({"document_id": {"$in": list(document_ids)}, "_id": {"$nin": list(keep)}})

    async def broken_links(self, limit: int) -> list[dict[str, Any]]:
        return await self.db.links.find(
            {"state": {"$in": ["broken", "refused"]}}, sort=[("state", ASCENDING), ("checked_at", DESCENDING)],
            limit=limit,
        ).to_list(None)
