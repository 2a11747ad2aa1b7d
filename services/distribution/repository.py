"""Distribution's collections: one delivery record per (document version, channel, action).

A dispatcher claims due deliveries with a conditional update that moves them to ``sending`` with a
lease (owner token and expiry), then reads back what it got: two dispatchers can never hold the same
delivery. Every write of an attempt's result is fenced by the lease, so a dispatcher whose lease ran
out cannot overwrite what the next holder wrote; a ``sending`` delivery whose lease expired (its
dispatcher died) is claimed again.

Queries are shaped for the embedded database's planner: equality on status (never ``$in`` with a
range, never ``$or``), which it answers from the compound index instead of scanning.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.distribution.domain import CANCELLABLE, OPEN, Outcome, Work

Session = AsyncClientSession | None
ERRORS_KEPT = 100


#: ``lease_until`` of a delivery nobody holds.
FREE = datetime(1970, 1, 1, tzinfo=UTC)


def outcome_update(outcome: Outcome, now: datetime) -> dict[str, Any]:
    """The update that records ``outcome`` and gives the lease back."""
    set_: dict[str, Any] = {"status": outcome.status, "updated_at": now}
    if outcome.next_attempt_at is not None:
        set_["next_attempt_at"] = outcome.next_attempt_at
    if outcome.status == "delivered":
        set_["delivered_at"] = now
        set_["reference"] = outcome.reference
    elif outcome.status == "failed":
        set_["failed_at"] = now
    elif outcome.status == "skipped":
        set_["skipped_at"] = now
    set_["lease_until"] = FREE
    update: dict[str, Any] = {"$set": set_, "$unset": {"lease": "", "resume_status": ""}}
    if outcome.counted:
        update["$inc"] = {"attempts": 1}
    if outcome.error:
        entry = {"at": now, "error": outcome.error, "permanent": outcome.permanent}
        update["$push"] = {"errors": {"$each": [entry], "$slice": -ERRORS_KEPT}}
    return update


class DeliveryRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db
        self.deliveries = db.deliveries

    async def ensure_indexes(self) -> None:
        d = self.deliveries
        await d.create_index([("channel_id", ASCENDING), ("status", ASCENDING), ("next_attempt_at", ASCENDING)])
        await d.create_index([("document_id", ASCENDING), ("created_at", ASCENDING)])
        await d.create_index([("status", ASCENDING), ("created_at", DESCENDING)])
        await d.create_index([("channel_id", ASCENDING), ("status", ASCENDING), ("lease_until", ASCENDING)])
        await d.create_index([("lease", ASCENDING)], sparse=True)
        await self.db.feed_entries.create_index([("channel_id", ASCENDING), ("released_at", DESCENDING)])

    # ---- recording what the consumers saw

    async def releases_of(
        self, channel_id: str, document_ids: Sequence[str], session: Session = None
    ) -> dict[str, list[dict[str, Any]]]:
        """Release deliveries per document on ``channel_id`` (status, reference), oldest first."""
        cursor = self.deliveries.find(
            {"channel_id": channel_id, "action": "release", "document_id": {"$in": list(document_ids)}},
            {"status": 1, "reference": 1, "document_id": 1, "release_id": 1, "action": 1, "delivered_at": 1},
            sort=[("seq", ASCENDING)], session=session,
        )
        out: dict[str, list[dict[str, Any]]] = {}
        async for row in cursor:
            out.setdefault(row["document_id"], []).append(row)
        return out

    async def add(self, works: Sequence[Work], now: datetime, seq_base: int, session: Session = None) -> None:
        """Insert deliveries that do not exist yet; a redelivered event adds nothing.

        The event's payload is kept beside the delivery in ``payloads`` (same id), not in it: the
        delivery record is updated several times per attempt and stays small, since the embedded
        database rewrites a whole document on every update. It is per channel, not shared, so the
        channels' consumers never write the same document at once (a write conflict in a transaction).
        """
        if not works:
            return
        await self.db.payloads.bulk_write(
            [UpdateOne({"_id": w.delivery_id}, {"$setOnInsert": {"payload": w.payload, "created_at": now}}, upsert=True)
             for w in works],
            ordered=False, session=session,
        )
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
                        "created_at": now,
                        "seq": seq_base + i,
                        "next_attempt_at": now,
                        "lease_until": FREE,
                    }
                },
                upsert=True,
            )
            for i, w in enumerate(works)
        ]
        await self.deliveries.bulk_write(ops, ordered=True, session=session)

    async def payloads(self, rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The event payload of each delivery row, by delivery id."""
        ids = [r["_id"] for r in rows if "payload" not in r]
        stored = {}
        if ids:
            stored = {p["_id"]: p["payload"] async for p in self.db.payloads.find({"_id": {"$in": ids}})}
        # Rows written before payloads were split out carry their own.
        return {r["_id"]: r.get("payload") or stored.get(r["_id"], {}) for r in rows}

    async def cancel_unsent(self, channel_id: str, document_id: str, now: datetime, session: Session = None) -> int:
        """Cancel the document's releases not sent yet (and not held by a live dispatcher): withdrawn content stays unsent."""
        base = {"channel_id": channel_id, "document_id": document_id, "action": "release"}
        update = {"$set": {"status": "cancelled", "cancelled_at": now, "updated_at": now, "lease_until": FREE},
                  "$unset": {"lease": "", "resume_status": ""}}
        waiting = await self.deliveries.update_many(
            {**base, "status": {"$in": list(CANCELLABLE)}}, update, session=session
        )
        abandoned = await self.deliveries.update_many(
            {**base, "status": "sending", "lease_until": {"$lte": now}}, update, session=session
        )
        return int(waiting.modified_count) + int(abandoned.modified_count)

    # ---- dispatching

    async def claim(
        self, channel_id: str, now: datetime, limit: int, token: str, lease_until: datetime
    ) -> list[dict[str, Any]]:
        """Lease up to ``limit`` due deliveries to ``token``, in order; returns those this caller got.

        Due: pending or retrying with ``next_attempt_at`` passed, or sending with an expired lease.
        """
        queries = [
            {"channel_id": channel_id, "status": "pending", "next_attempt_at": {"$lte": now}},
            {"channel_id": channel_id, "status": "retrying", "next_attempt_at": {"$lte": now}},
            {"channel_id": channel_id, "status": "sending", "lease_until": {"$lte": now}},
        ]
        found: list[dict[str, Any]] = []
        for query in queries:
            cursor = self.deliveries.find(query, {"_id": 1, "seq": 1, "status": 1}, sort=[("seq", ASCENDING)], limit=limit)
            found.extend([r async for r in cursor])
        if not found:
            return []
        found.sort(key=lambda r: r["seq"])
        chosen = found[:limit]
        lease = {"lease": token, "lease_until": lease_until, "status": "sending"}
        # Each filter is re-checked per document as it is written: a delivery another dispatcher took
        # between the find and these updates is not matched, so it is never taken twice.
        for status in OPEN:
            ids = [r["_id"] for r in chosen if r["status"] == status]
            if ids:
                await self.deliveries.update_many(
                    {"_id": {"$in": ids}, "status": status, "next_attempt_at": {"$lte": now}},
                    {"$set": {**lease, "resume_status": status}},
                )
        expired = [r["_id"] for r in chosen if r["status"] == "sending"]
        if expired:
            await self.deliveries.update_many(
                {"_id": {"$in": expired}, "status": "sending", "lease_until": {"$lte": now}}, {"$set": lease}
            )
        cursor = self.deliveries.find({"_id": {"$in": [r["_id"] for r in chosen]}, "lease": token},
                                      sort=[("seq", ASCENDING)])
        return [r async for r in cursor]

    async def extend(self, token: str, lease_until: datetime) -> None:
        await self.deliveries.update_many({"lease": token}, {"$set": {"lease_until": lease_until}})

    async def checkpoint(self, delivery_id: str, token: str, values: dict[str, Any], lease_until: datetime) -> bool:
        """Save an attempt's progress (and extend the lease) while this caller still holds it."""
        result = await self.deliveries.update_one(
            {"_id": delivery_id, "lease": token},
            {"$set": {**{f"progress.{k}": v for k, v in values.items()}, "lease_until": lease_until}},
        )
        return bool(result.matched_count)

    async def record(self, results: Sequence[tuple[str, Outcome]], token: str, now: datetime) -> None:
        """Bulk-write the outcomes of one round, each only if its lease is still this caller's."""
        if results:
            ops = [UpdateOne({"_id": did, "lease": token}, outcome_update(o, now)) for did, o in results]
            await self.deliveries.bulk_write(ops, ordered=False)

    async def record_one(
        self, delivery_id: str, outcome: Outcome, token: str, now: datetime, session: Session = None
    ) -> dict[str, Any] | None:
        """Write one outcome fenced by the lease; returns the updated row, or None if the lease was lost."""
        result = await self.deliveries.update_one(
            {"_id": delivery_id, "lease": token}, outcome_update(outcome, now), session=session
        )
        if not result.matched_count:
            return None
        return await self.deliveries.find_one({"_id": delivery_id}, session=session)

    # ---- operators

    async def get(self, delivery_id: str) -> dict[str, Any] | None:
        return await self.deliveries.find_one({"_id": delivery_id}, {"payload": 0, "lease": 0, "lease_until": 0})

    async def requeue(self, filter_: dict[str, Any], now: datetime, by: str) -> int:
        """Give failed deliveries a fresh set of attempts (their error history is kept)."""
        result = await self.deliveries.update_many(
            {**filter_, "status": "failed"},
            {
                "$set": {"status": "pending", "attempts": 0, "next_attempt_at": now, "updated_at": now},
                "$unset": {"failed_at": ""},
                "$inc": {"replays": 1},
                "$push": {"replayed": {"$each": [{"at": now, "by": by}], "$slice": -20}},
            },
        )
        return int(result.modified_count)

    async def find(self, filter_: dict[str, Any], limit: int) -> list[dict[str, Any]]:
        cursor = self.deliveries.find(
            filter_, {"payload": 0, "lease": 0, "lease_until": 0}, sort=[("created_at", ASCENDING)], limit=limit
        )
        return [r async for r in cursor]

    async def feed(self, channel_id: str, limit: int) -> list[dict[str, Any]]:
        cursor = self.db.feed_entries.find({"channel_id": channel_id}, sort=[("released_at", DESCENDING)], limit=limit)
        return [r async for r in cursor]

    async def health(self, channel_id: str) -> dict[str, int]:
        pipeline: list[dict[str, Any]] = [{"$match": {"channel_id": channel_id}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
        return {r["_id"]: r["n"] async for r in await self.deliveries.aggregate(pipeline)}


def lease_expiry(now: datetime, lease_s: float) -> datetime:
    return now + timedelta(seconds=lease_s)
