"""An in-memory SubscriptionRepository: the e-mail adapter's port, faked for unit tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from services.distribution.domain.subscriptions import SubscriptionRequest, subscription_id, wants
from services.distribution.repository import FREE


class MemorySubscriptions:
    def __init__(self) -> None:
        self.subs: dict[str, dict[str, Any]] = {}
        self.log: dict[str, dict[str, Any]] = {}
        self.queued: dict[str, dict[str, Any]] = {}

    def add(self, channel_id: str, email: str, *, audiences: Iterable[str] = (), tags: Iterable[str] = (),
            mode: str = "immediate", status: str = "active") -> str:
        sid = subscription_id(channel_id, email)
        self.subs[sid] = {"_id": sid, "channel_id": channel_id, "email": email, "audiences": list(audiences),
                          "tags": list(tags), "mode": mode, "status": status}
        return sid

    async def get(self, sid: str) -> dict[str, Any] | None:
        return self.subs.get(sid)

    async def request(self, sid: str, channel_id: str, request: SubscriptionRequest, now: datetime) -> dict[str, Any]:
        self.add(channel_id, request.email, audiences=request.audiences, tags=request.tags, mode=request.mode,
                 status="pending")
        return self.subs[sid]

    async def matching(self, channel_id: str, audience: list[str], tags: list[str]) -> list[dict[str, Any]]:
        return [s for s in self.subs.values() if s["channel_id"] == channel_id and s["status"] == "active"
                and wants(s["audiences"], s["tags"], audience, tags)]

    async def active(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {i: self.subs[i] for i in ids if i in self.subs and self.subs[i]["status"] == "active"}

    async def already_sent(self, keys: Iterable[str]) -> set[str]:
        return {k for k in keys if k in self.log}

    async def log_mail(self, key: str, *, channel_id: str, subscription_id: str, document_id: str | None, kind: str,
                       status: str, now: datetime, detail: str | None = None) -> None:
        self.log[key] = {"channel_id": channel_id, "subscription_id": subscription_id, "document_id": document_id,
                         "kind": kind, "status": status, "at": now, "detail": detail}

    async def claim(self, key: str, channel_id: str, sid: str, now: datetime) -> bool:
        if key in self.log:
            return False
        self.log[key] = {"channel_id": channel_id, "subscription_id": sid, "kind": "digest", "status": "sending"}
        return True

    async def unclaim(self, key: str) -> None:
        if self.log.get(key, {}).get("status") == "sending":
            del self.log[key]

    async def mailed(self, channel_id: str, document_id: str) -> set[str]:
        direct = {r["subscription_id"] for r in self.log.values()
                  if r.get("document_id") == document_id and r["kind"] == "release" and r["status"] == "sent"}
        digested = {q["subscription_id"] for q in self.queued.values() if q["document_id"] == document_id and q["sent"]}
        return direct | digested

    async def queue(self, channel_id: str, subscriptions: Iterable[str], doc: dict[str, Any], now: datetime) -> None:
        for sid in subscriptions:
            self.queued.setdefault(f"{sid}:{doc['release_id']}", {
                "_id": f"{sid}:{doc['release_id']}", "channel_id": channel_id, "subscription_id": sid,
                "document_id": doc["document_id"], "doc": doc, "queued_at": now, "sent": False,
            })

    async def drop_queued(self, channel_id: str, document_id: str) -> int:
        drop = [k for k, q in self.queued.items() if q["document_id"] == document_id and not q["sent"]]
        for k in drop:
            del self.queued[k]
        return len(drop)

    async def due_digests(self, channel_id: str, cutoff: datetime) -> dict[str, list[dict[str, Any]]]:
        due: dict[str, list[dict[str, Any]]] = {}
        for q in sorted(self.queued.values(), key=lambda q: q["queued_at"]):
            if not q["sent"] and q["queued_at"] < cutoff:
                due.setdefault(q["subscription_id"], []).append(q)
        return due

    async def mark_digest_sent(self, ids: list[str], digest_id: str, now: datetime) -> None:
        for i in ids:
            self.queued[i].update(sent=True, digest_id=digest_id)


class MemoryDeliveries:
    """An in-memory DeliveryRepository with the same lease semantics (claim, fenced writes)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}
        self._seq = 0

    def put(self, work: Any, *, status: str = "pending", reference: str | None = None, at: datetime) -> None:
        self._seq += 1
        self.rows[work.delivery_id] = {
            "_id": work.delivery_id, "channel_id": work.channel_id, "action": work.action,
            "document_id": work.document_id, "release_id": work.release_id, "payload": work.payload,
            "status": status, "attempts": 0, "errors": [], "seq": self._seq, "next_attempt_at": at,
            "reference": reference, "lease_until": FREE,
        }

    async def claim(self, channel_id: str, now: datetime, limit: int, token: str, lease_until: datetime) -> list[dict[str, Any]]:
        def due(r: dict[str, Any]) -> bool:
            if r["status"] in ("pending", "retrying"):
                return bool(r["next_attempt_at"] <= now)
            return r["status"] == "sending" and r["lease_until"] <= now

        chosen = sorted((r for r in self.rows.values() if r["channel_id"] == channel_id and due(r)),
                        key=lambda r: r["seq"])[:limit]
        for row in chosen:
            if row["status"] != "sending":
                row["resume_status"] = row["status"]
            row.update(lease=token, lease_until=lease_until, status="sending")
        return [dict(r) for r in chosen]

    async def checkpoint(self, delivery_id: str, token: str, values: dict[str, Any], lease_until: datetime) -> bool:
        row = self.rows[delivery_id]
        if row.get("lease") != token:
            return False
        row.setdefault("progress", {}).update(values)
        return True

    def _apply(self, delivery_id: str, outcome: Any, token: str, now: datetime) -> bool:
        row = self.rows[delivery_id]
        if row.get("lease") != token:
            return False
        row.update(status=outcome.status, lease=None, lease_until=FREE, resume_status=None)
        if outcome.next_attempt_at is not None:
            row["next_attempt_at"] = outcome.next_attempt_at
        if outcome.reference is not None:
            row["reference"] = outcome.reference
        if outcome.counted:
            row["attempts"] += 1
        if outcome.error:
            row["errors"].append({"at": now, "error": outcome.error, "permanent": outcome.permanent})
        return True

    async def record(self, results: list[tuple[str, Any]], token: str, now: datetime) -> None:
        for delivery_id, outcome in results:
            self._apply(delivery_id, outcome, token, now)

    async def record_one(self, delivery_id: str, outcome: Any, token: str, now: datetime, session: Any = None) -> dict[str, Any] | None:
        return dict(self.rows[delivery_id]) if self._apply(delivery_id, outcome, token, now) else None

    async def cancel_unsent(self, channel_id: str, document_id: str, now: datetime, session: Any = None) -> int:
        n = 0
        for row in self.rows.values():
            if (row["channel_id"] == channel_id and row["document_id"] == document_id and row["action"] == "release"
                    and (row["status"] in ("pending", "retrying", "failed")
                         or (row["status"] == "sending" and row["lease_until"] <= now))):
                row["status"] = "cancelled"
                n += 1
        return n

    async def releases_of(self, channel_id: str, document_ids: list[str], session: Any = None) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for row in sorted(self.rows.values(), key=lambda r: r["seq"]):
            if row["channel_id"] == channel_id and row["action"] == "release" and row["document_id"] in document_ids:
                out.setdefault(row["document_id"], []).append(dict(row))
        return out

    async def payloads(self, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {r["_id"]: self.rows[r["_id"]]["payload"] for r in rows}

    async def extend(self, token: str, lease_until: datetime) -> None:
        for row in self.rows.values():
            if row.get("lease") == token:
                row["lease_until"] = lease_until
