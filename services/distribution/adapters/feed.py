"""The portal's Atom feed: a delivery is an entry in distribution's own feed collection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from feedgen.feed import FeedGenerator
from pymongo.asynchronous.database import AsyncDatabase

from services.distribution.domain import Work


class FeedAdapter:
    def __init__(self, db: AsyncDatabase, channel_id: str) -> None:
        self.entries = db.feed_entries
        self.channel_id = channel_id

    async def deliver(self, work: Work) -> str:
        key = f"{self.channel_id}:{work.document_id}"
        if work.action == "withdraw":
            await self.entries.delete_one({"_id": key})
            return key
        p = work.payload
        await self.entries.replace_one(
            {"_id": key},
            {
                "_id": key,
                "channel_id": self.channel_id,
                "document_id": work.document_id,
                "release_id": work.release_id,
                "title": p["title"],
                "summary": p["summary"],
                "url": p["url"],
                "doc_number": p.get("doc_number"),
                "tags": [t["code"] for t in p.get("tags", [])],  # type: ignore[attr-defined]
                "released_at": datetime.fromisoformat(str(p["released_at"])),
            },
            upsert=True,
        )
        return key

    async def close(self) -> None:
        return None


def render_atom(entries: list[dict[str, Any]], *, feed_url: str, portal_url: str, title: str) -> bytes:
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(title)
    fg.link(href=portal_url, rel="alternate")
    fg.link(href=feed_url, rel="self")
    fg.language("zh-CN")
    fg.updated(max((e["released_at"] for e in entries), default=datetime(2020, 1, 1, tzinfo=UTC)))
    for e in reversed(entries):
        fe = fg.add_entry()
        fe.id(e["url"] + "#" + e["release_id"])
        fe.title(e["title"])
        fe.link(href=e["url"])
        fe.summary(e["summary"])
        fe.updated(e["released_at"])
        fe.published(e["released_at"])
        for tag in e.get("tags", []):
            fe.category(term=tag)
    return fg.atom_str(pretty=True)
