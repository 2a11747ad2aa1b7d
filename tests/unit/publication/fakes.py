"""An in-memory stand-in for PublicationRepository (the read side) and library entries shaped like handlers.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from services.publication import search
from services.publication.domain.stats import year_bounds

T0 = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


def entry(
    document_id: str,
    title: str,
    body: str = "正文。",
    *,
    minutes: int = 0,
    doc_number: str | None = None,
    organ: str = "上海市知识产权局",
    doc_type: str = "通知",
    year: int = 2024,
    tags: Sequence[tuple[str, str, str]] = (("topic.patent", "topic", "专利"),),
    public: bool = True,
    status: str = "released",
    validity: str = "有效",
    version: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    """A library entry as handlers._release writes it (the fields search, pages and stats read)."""
    released_at = T0 + timedelta(minutes=minutes)
    title_tokens = search.tokens(title)
    row: dict[str, Any] = {
        "_id": document_id,
        "release_id": f"{document_id}:v{version}",
        "version": version,
        "url": f"http://portal.test/documents/{document_id}",
        "doc_number": doc_number,
        "title": title,
        "issuing_organ": organ,
        "doc_type": doc_type,
        "written_date": f"{year}-07-01",
        "released_at": released_at,
        "first_released_at": released_at,
        "summary": body[:60],
        "body": body,
        "attachments": [],
        "tags": [{"code": c, "dimension": d, "name_zh": n} for c, d, n in tags],
        "audience": [],
        "interpretation": None,
        "interprets": None,
        "validity": validity,
        "public": public,
        "status": status,
        "year": year,
        "tag_codes": [c for c, _, _ in tags],
        "history": [{"version": v, "released_at": released_at, "content_hash": "h"} for v in range(1, version + 1)],
        "requires_interpretation": False,
        "title_tokens": sorted(title_tokens),
        "tokens": sorted(title_tokens | search.tokens(body) | search.tokens(organ)),
        "seq": 0,
    }
    row.update(extra)
    return row


async def _iterate(rows: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for row in rows:
        yield row


class InMemoryRepository:
    """The read methods Library, the portal and the stats use, over a dict of entries."""

    def __init__(self, entries: Sequence[dict[str, Any]] = ()) -> None:
        self.entries: dict[str, dict[str, Any]] = {}
        self.versions: dict[str, dict[str, Any]] = {}
        self.seq = 0
        self.snapshots: list[tuple[dict[str, Any], bytes]] = []
        self.reads: list[str] = []  # document ids whose text entries_by_ids returned
        for e in entries:
            self.put(e)

    def put(self, row: dict[str, Any]) -> None:
        self.seq += 1
        self.entries[row["_id"]] = {**row, "seq": self.seq}

    @staticmethod
    def _project(row: dict[str, Any], fields: Sequence[str] | dict[str, int] | None) -> dict[str, Any]:
        if fields is None:
            return {k: v for k, v in row.items() if k not in ("tokens", "title_tokens")}
        if isinstance(fields, dict) and fields and all(v == 0 for v in fields.values()):
            return {k: v for k, v in row.items() if k not in fields}
        return {k: row[k] for k in ["_id", *fields] if k in row}

    async def latest_index_snapshot(self, format_: int) -> tuple[dict[str, Any], bytes] | None:
        matching = [(m, d) for m, d in self.snapshots if m.get("format") == format_]
        return matching[-1] if matching else None

    async def save_index_snapshot(self, data: bytes, metadata: dict[str, Any], keep: int = 2) -> None:
        self.snapshots = [*self.snapshots, (dict(metadata), data)][-keep:]

    async def max_seq(self) -> int:
        return self.seq

    def searchable(self, fields: Sequence[str]) -> AsyncIterator[dict[str, Any]]:
        rows = sorted((e for e in self.entries.values() if e.get("public") and e.get("status") == "released"),
                      key=lambda e: e["released_at"])
        return _iterate([self._project(r, fields) for r in rows])

    def changes_since(self, seq: int, fields: Sequence[str]) -> AsyncIterator[dict[str, Any]]:
        rows = sorted((e for e in self.entries.values() if e["seq"] > seq), key=lambda e: e["seq"])
        return _iterate([self._project(r, fields) for r in rows])

    async def entries_by_ids(self, ids: Sequence[str], fields: dict[str, int] | None = None) -> list[dict[str, Any]]:
        self.reads += [i for i in ids if i in self.entries]
        return [self._project(self.entries[i], fields) for i in ids if i in self.entries]

    async def entry(self, document_id: str) -> dict[str, Any] | None:
        row = self.entries.get(document_id)
        return self._project(row, None) if row else None

    async def versions_of(self, document_id: str) -> list[dict[str, Any]]:
        return sorted((v for v in self.versions.values() if v["document_id"] == document_id),
                      key=lambda v: v["version"])

    async def version(self, document_id: str, version: int) -> dict[str, Any] | None:
        return self.versions.get(f"{document_id}:v{version}")

    async def entries_touching_year(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        assert (start, end) == year_bounds(start.year)

        def touches(e: dict[str, Any]) -> bool:
            moments = [e.get("first_released_at"), e.get("released_at"), (e.get("withdrawal") or {}).get("at")]
            return any(isinstance(m, datetime) and start <= m < end for m in moments)

        return [dict(e) for e in self.entries.values() if touches(e)]
