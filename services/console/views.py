"""Read models behind every page and its JSON twin: the same dicts feed both, so they cannot disagree."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from services.console import domain, whynot
from services.console.handlers import DEAD_LETTER_TOPICS, EVENT_TOPICS
from services.console.repository import ConsoleRepository
from services.console.sources import Sources
from shared.topics import BY_NAME

RATE_WINDOW = timedelta(minutes=1)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return domain.b64(value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {("id" if k == "_id" else k): jsonable(v) for k, v in value.items()}
    return value


def _event(row: Mapping[str, Any]) -> dict[str, Any]:
    keep = ("_id", "document_id", "type", "topic", "partition", "offset", "source", "time", "correlation_id",
            "causation_id", "outcome", "summary")
    return jsonable({k: row.get(k) for k in keep})


@dataclass
class Views:
    repository: Callable[[], ConsoleRepository]
    sources: Callable[[], Sources]
    own_lag: Callable[[], list[domain.Lag]]
    page_size: int

    async def topics(self, now: datetime) -> dict[str, Any]:
        repo = self.repository()
        stats = await repo.partition_stats()
        recent = await repo.counts_since(now - RATE_WINDOW)
        letters = await repo.dead_letter_stats(now - RATE_WINDOW)
        result = []
        for name in (*EVENT_TOPICS, *DEAD_LETTER_TOPICS):
            topic = BY_NAME[name]
            if name in DEAD_LETTER_TOPICS:
                seen = letters.get(name)
                parts = [{"partition": 0, "messages": seen["messages"], "last_offset": seen["last_offset"],
                          "last_time": seen["last_time"]}] if seen else []
                last_minute = seen["recent"] if seen else 0
            else:
                parts = sorted(
                    ({"partition": s["_id"]["partition"], "messages": s["messages"], "last_offset": s["last_offset"],
                      "last_time": s["last_time"]} for s in stats if s["_id"]["topic"] == name),
                    key=lambda p: p["partition"],
                )
                last_minute = recent.get(name, 0)
            result.append({
                "name": name, "producer": topic.producer, "payload": topic.payload, "partitions": topic.partitions,
                "dead_letter": name in DEAD_LETTER_TOPICS, "messages": sum(p["messages"] for p in parts),
                "last_minute": last_minute, "per_second": round(last_minute / RATE_WINDOW.total_seconds(), 2),
                "seen_partitions": parts,
            })
        return jsonable({"topics": result, "window_s": int(RATE_WINDOW.total_seconds()), "at": now})

    async def groups(self) -> dict[str, Any]:
        scrapes = await self.sources().scrape_all()
        rows = [asdict(lag) for s in scrapes for lag in s.lag] + [asdict(lag) for lag in self.own_lag()]
        totals: dict[tuple[str, str], int] = {}
        for row in rows:
            totals[(row["service"], row["group"])] = totals.get((row["service"], row["group"]), 0) + row["lag"]
        return {
            "services": [{"service": s.service, "url": s.url, "reachable": s.reachable, "error": s.error} for s in scrapes],
            "groups": [{"service": k[0], "group": k[1], "lag": v} for k, v in sorted(totals.items())],
            "partitions": rows,
        }

    async def dead_letters(self, service: str | None = None) -> dict[str, Any]:
        rows = await self.repository().dead_letters(self.page_size, service)
        return {
            "dead_letters": [
                jsonable({**{k: v for k, v in r.items() if k != "key"}, "key_text": bytes(r.get("key") or b"").decode(
                    "utf-8", "replace"), "replayed": len(r.get("replays", []))})
                for r in rows
            ],
            "count": len(rows),
        }

    async def dead_letter(self, dead_letter_id: str) -> dict[str, Any] | None:
        row = await self.repository().dead_letter(dead_letter_id)
        if row is None:
            return None
        value: bytes = row["value"]
        return jsonable({
            **{k: v for k, v in row.items() if k not in ("value", "key", "headers")},
            "key_text": row["key"].decode("utf-8", "replace"),
            "value_base64": value,
            "value_text": domain.text_preview(value),
            "value_hex": domain.hex_preview(value),
            "headers": [{"name": k, "value": v.decode("utf-8", "replace")} for k, v in row["headers"]],
        })

    async def stuck(self) -> dict[str, Any]:
        answer = await self.sources().stuck()
        if not answer.available:
            return {"available": False, "reason": answer.reason, "documents": []}
        return {"available": True, "reason": None, "documents": answer.body["documents"]}

    async def document(self, document_id: str) -> dict[str, Any]:
        sources = self.sources()
        rows, deliveries, channels, publication = await asyncio.gather(
            self.repository().document_trace(document_id), sources.deliveries(document_id), sources.channels(),
            sources.publication(document_id),
        )
        ordered = whynot.timeline(rows)
        answers = whynot.explain(
            channels.body if channels.available else None,
            deliveries.body if deliveries.available else None,
            ordered,
            publication.body if publication.available else None,
        )
        released = [r for r in ordered if r["topic"] == "publication.document-released.v1"]
        return {
            "document_id": document_id,
            "title": released[-1]["summary"].get("title") if released else None,
            "events": [_event(r) for r in ordered],
            "channels": [asdict(a) for a in answers],
            "deliveries": jsonable(deliveries.body) if deliveries.available else None,
            "deliveries_reason": deliveries.reason,
            "publication": publication.body if publication.available else None,
        }

    async def overview(self, now: datetime) -> dict[str, Any]:
        repo = self.repository()
        (total, waiting), groups, stuck = await asyncio.gather(repo.dead_letter_count(), self.groups(), self.stuck())
        return jsonable({
            "events": await repo.trace_count(),
            "dead_letters": {"total": total, "not_replayed": waiting},
            "lag": sum(g["lag"] for g in groups["groups"]),
            "groups": groups["groups"],
            "services": groups["services"],
            "stuck": len(stuck["documents"]) if stuck["available"] else None,
            "stuck_reason": stuck["reason"],
            "recent": [_event(r) for r in await repo.recent(20)],
            "at": now,
        })
