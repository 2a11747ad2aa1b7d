"""E-mail subscribers (per audience/tag), the log of every mail sent, and the daily digest queue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.distribution.domain.subscriptions import SubscriptionRequest, wants


def tag_prefixes(tags: Iterable[str]) -> list[str]:
    """Every tag and its parents: ``a.b.c`` → ``a``, ``a.b``, ``a.b.c`` (a subscriber to a parent gets the children)."""
    out: set[str] = set()
    for tag in tags:
        parts = tag.split(".")
        out.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return sorted(out)


class SubscriptionRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.subscriptions = db.subscriptions
        self.mail_log = db.mail_log
        self.digest_queue = db.digest_queue

    async def ensure_indexes(self) -> None:
        await self.subscriptions.create_index([("channel_id", ASCENDING), ("status", ASCENDING), ("audiences", ASCENDING)])
        await self.subscriptions.create_index([("channel_id", ASCENDING), ("status", ASCENDING), ("tags", ASCENDING)])
        await self.mail_log.create_index([("channel_id", ASCENDING), ("document_id", ASCENDING), ("kind", ASCENDING)])
        await self.digest_queue.create_index([("channel_id", ASCENDING), ("sent", ASCENDING), ("queued_at", ASCENDING)])
        await self.digest_queue.create_index([("subscription_id", ASCENDING), ("sent", ASCENDING)])

    # ---- subscribers

    async def get(self, subscription_id: str) -> dict[str, Any] | None:
        return await self.subscriptions.find_one({"_id": subscription_id})

    async def request(self, subscription_id: str, channel_id: str, request: SubscriptionRequest, now: datetime) -> dict[str, Any]:
        """Record a (re)subscription awaiting confirmation; an active subscriber keeps receiving meanwhile."""
        wanted = {"audiences": request.audiences, "tags": request.tags, "mode": request.mode}
        existing = await self.get(subscription_id)
        if existing and existing["status"] == "active":
            update: dict[str, Any] = {"$set": {"pending_change": wanted, "requested_at": now}}
        else:
            update = {
                "$set": {**wanted, "status": "pending", "requested_at": now},
                "$setOnInsert": {"channel_id": channel_id, "email": request.email, "created_at": now},
                "$unset": {"pending_change": ""},
            }
        await self.subscriptions.update_one({"_id": subscription_id}, update, upsert=True)
        row = await self.get(subscription_id)
        assert row is not None
        return row

    async def confirm(self, subscription_id: str, now: datetime) -> dict[str, Any] | None:
        row = await self.get(subscription_id)
        if row is None or (row["status"] == "unsubscribed" and not row.get("pending_change")):
            return row
        change = row.get("pending_change") or {}
        await self.subscriptions.update_one(
            {"_id": subscription_id},
            {"$set": {**change, "status": "active", "confirmed_at": now}, "$unset": {"pending_change": ""}},
        )
        return await self.get(subscription_id)

    async def unsubscribe(self, subscription_id: str, now: datetime) -> dict[str, Any] | None:
        await self.subscriptions.update_one(
            {"_id": subscription_id, "status": {"$ne": "unsubscribed"}},
            {"$set": {"status": "unsubscribed", "unsubscribed_at": now}, "$unset": {"pending_change": ""}},
        )
        await self.digest_queue.delete_many({"subscription_id": subscription_id, "sent": False})
        return await self.get(subscription_id)

    async def matching(self, channel_id: str, audience: list[str], tags: list[str]) -> list[dict[str, Any]]:
        """Active subscribers who want a document with ``audience`` and ``tags``."""
        # Two indexed queries rather than one $or, which the embedded database would answer by a scan.
        found: dict[str, dict[str, Any]] = {}
        queries = ([{"audiences": {"$in": audience}}] if audience else []) + (
            [{"tags": {"$in": tag_prefixes(tags)}}] if tags else []
        )
        for query in queries:
            async for s in self.subscriptions.find({"channel_id": channel_id, "status": "active", **query}):
                found[s["_id"]] = s
        return [s for s in found.values() if wants(s.get("audiences", []), s.get("tags", []), audience, tags)]

    async def active(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        cursor = self.subscriptions.find({"_id": {"$in": list(ids)}, "status": "active"})
        return {s["_id"]: s async for s in cursor}

    # ---- what was sent

    async def already_sent(self, keys: Iterable[str]) -> set[str]:
        cursor = self.mail_log.find({"_id": {"$in": list(keys)}}, {"_id": 1})
        return {r["_id"] async for r in cursor}

    async def log_mail(self, key: str, *, channel_id: str, subscription_id: str, document_id: str | None, kind: str,
                       status: str, now: datetime, detail: str | None = None) -> None:
        row = {"channel_id": channel_id, "subscription_id": subscription_id, "document_id": document_id, "kind": kind,
               "status": status, "at": now, "detail": detail}
        await self.mail_log.update_one({"_id": key}, {"$set": row}, upsert=True)

    async def claim(self, key: str, channel_id: str, subscription_id: str, now: datetime) -> bool:
        """Only one process sends a given mail (a digest): the first to insert its log row."""
        try:
            await self.mail_log.insert_one({"_id": key, "channel_id": channel_id, "subscription_id": subscription_id,
                                            "kind": "digest", "status": "sending", "at": now})
        except DuplicateKeyError:
            return False
        return True

    async def unclaim(self, key: str) -> None:
        await self.mail_log.delete_one({"_id": key, "status": "sending"})

    async def mailed(self, channel_id: str, document_id: str) -> set[str]:
        """Subscribers who got this document, immediately or in a digest."""
        cursor = self.mail_log.find(
            {"channel_id": channel_id, "document_id": document_id, "kind": "release", "status": "sent"},
            {"subscription_id": 1},
        )
        mailed = {r["subscription_id"] async for r in cursor}
        digests = self.digest_queue.find({"channel_id": channel_id, "document_id": document_id, "sent": True},
                                         {"subscription_id": 1})
        return mailed | {r["subscription_id"] async for r in digests}

    # ---- the digest queue

    async def queue(self, channel_id: str, subscriptions: Iterable[str], doc: dict[str, Any], now: datetime) -> None:
        ops = [
            UpdateOne(
                {"_id": f"{sid}:{doc['release_id']}"},
                {"$setOnInsert": {"channel_id": channel_id, "subscription_id": sid, "document_id": doc["document_id"],
                                  "release_id": doc["release_id"], "doc": doc, "queued_at": now, "sent": False}},
                upsert=True,
            )
            for sid in subscriptions
        ]
        if ops:
            await self.digest_queue.bulk_write(ops, ordered=False)

    async def drop_queued(self, channel_id: str, document_id: str) -> int:
        result = await self.digest_queue.delete_many({"channel_id": channel_id, "document_id": document_id, "sent": False})
        return int(result.deleted_count)

    async def due_digests(self, channel_id: str, cutoff: datetime) -> dict[str, list[dict[str, Any]]]:
        cursor = self.digest_queue.find(
            {"channel_id": channel_id, "sent": False, "queued_at": {"$lt": cutoff}}, sort=[("queued_at", ASCENDING)]
        )
        due: dict[str, list[dict[str, Any]]] = {}
        async for item in cursor:
            due.setdefault(item["subscription_id"], []).append(item)
        return due

    async def mark_digest_sent(self, ids: list[str], digest_id: str, now: datetime) -> None:
        await self.digest_queue.update_many(
            {"_id": {"$in": ids}}, {"$set": {"sent": True, "digest_id": digest_id, "sent_at": now}}
        )
