"""An in-memory stand-in for the console's repository, for tests of the views, the replay and the pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any


class MemoryRepository:
    def __init__(self) -> None:
        self.traces: dict[str, dict[str, Any]] = {}
        self.letters: dict[str, dict[str, Any]] = {}

    async def save_trace(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self.traces.setdefault(row["_id"], dict(row))

    async def save_dead_letters(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            self.letters.setdefault(row["_id"], {**row, "replays": list(row["replays"])})

    async def record_replay(self, dead_letter_id: str, by: str, at: datetime) -> None:
        self.letters[dead_letter_id]["replays"].append({"by": by, "at": at})

    async def document_trace(self, document_id: str) -> list[dict[str, Any]]:
        rows = [r for r in self.traces.values() if r["document_id"] == document_id]
        sources = {r["summary"].get("source_key") for r in rows} - {None}
        return rows + [r for r in self.traces.values() if r["document_id"] in sources]

    async def recent(self, limit: int) -> list[dict[str, Any]]:
        return sorted(self.traces.values(), key=lambda r: r["time"], reverse=True)[:limit]

    async def partition_stats(self) -> list[dict[str, Any]]:
        stats: dict[tuple[str, int], dict[str, Any]] = {}
        for r in self.traces.values():
            s = stats.setdefault((r["topic"], r["partition"]), {
                "_id": {"topic": r["topic"], "partition": r["partition"]}, "messages": 0, "last_offset": -1,
                "last_time": r["time"]})
            s["messages"] += 1
            s["last_offset"] = max(s["last_offset"], r["offset"])
            s["last_time"] = max(s["last_time"], r["time"])
        return list(stats.values())

    async def counts_since(self, since: datetime) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.traces.values():
            if r["time"] >= since:
                counts[r["topic"]] = counts.get(r["topic"], 0) + 1
        return counts

    async def dead_letter_stats(self, since: datetime) -> dict[str, dict[str, Any]]:
        stats: dict[str, dict[str, Any]] = {}
        for d in self.letters.values():
            s = stats.setdefault(d["topic"], {"messages": 0, "last_offset": -1, "last_time": d["time"], "recent": 0})
            s["messages"] += 1
            s["last_offset"] = max(s["last_offset"], d["offset"])
            s["last_time"] = max(s["last_time"], d["time"])
            s["recent"] += d["time"] >= since
        return stats

    async def trace_count(self) -> int:
        return len(self.traces)

    async def dead_letters(self, limit: int, service: str | None = None) -> list[dict[str, Any]]:
        rows = [{k: v for k, v in d.items() if k not in ("value", "headers")} for d in self.letters.values()
                if service is None or d["service"] == service]
        return sorted(rows, key=lambda d: d["time"], reverse=True)[:limit]

    async def dead_letter_count(self) -> tuple[int, int]:
        return len(self.letters), sum(1 for d in self.letters.values() if not d["replays"])

    async def dead_letter(self, dead_letter_id: str) -> dict[str, Any] | None:
        row = self.letters.get(dead_letter_id)
        return dict(row) if row else None
