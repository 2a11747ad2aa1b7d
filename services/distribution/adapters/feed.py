"""The portal's Atom feed: a delivery is an entry in distribution's own feed collection.

After a round that changed the feed, the configured WebSub hub is pinged once
(``hub.mode=publish``, ``hub.url=<feed>``) so subscribers fetch it now instead of polling.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from feedgen.feed import FeedGenerator
from pymongo.asynchronous.database import AsyncDatabase

from services.distribution.adapters import BaseAdapter, Progress
from services.distribution.domain import Work
from shared.logging import get_logger

log = get_logger(__name__)


class FeedAdapter(BaseAdapter):
    def __init__(
        self,
        db: AsyncDatabase,
        channel_id: str,
        *,
        feed_url: str = "",
        hub: str | None = None,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        ping_backoff_s: float = 30.0,
    ) -> None:
        self.entries = db.feed_entries
        self.channel_id = channel_id
        self.feed_url = feed_url
        self.hub = hub or None
        self.client = client
        self.clock = clock
        self.ping_backoff_s = ping_backoff_s
        self.changed = False
        self._next_ping = 0.0
        self.pings = 0

    async def deliver(self, work: Work, progress: Progress) -> str:
        key = f"{self.channel_id}:{work.document_id}"
        if work.action == "withdraw":
            await self.entries.delete_one({"_id": key})
            self.changed = True
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
                "tags": [t["code"] for t in p.get("tags", [])],
                "interpretation": p.get("interpretation"),
                "released_at": datetime.fromisoformat(str(p["released_at"])),
            },
            upsert=True,
        )
        self.changed = True
        return key

    async def flush(self) -> None:
        """Ping the hub once for everything this round added; a failed ping is tried again later."""
        if not self.changed or not self.hub or self.client is None or self.clock() < self._next_ping:
            return
        try:
            response = await self.client.post(
                self.hub, data={"hub.mode": "publish", "hub.url": self.feed_url}, follow_redirects=False
            )
            ok = response.status_code < 300
            detail = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        if ok:
            self.changed = False
            self.pings += 1
            return
        self._next_ping = self.clock() + self.ping_backoff_s
        log.warning("WebSub ping failed; will ping again", hub=self.hub, error=detail)


def render_atom(entries: list[dict[str, Any]], *, feed_url: str, portal_url: str, title: str, hub: str | None = None) -> bytes:
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title(title)
    fg.link(href=portal_url, rel="alternate")
    fg.link(href=feed_url, rel="self")
    if hub:
        fg.link(href=hub, rel="hub")
    fg.language("zh-CN")
    fg.updated(max((e["released_at"] for e in entries), default=datetime(2020, 1, 1, tzinfo=UTC)))
    for e in reversed(entries):
        fe = fg.add_entry()
        fe.id(e["url"] + "#" + e["release_id"])
        fe.title(e["title"])
        fe.link(href=e["url"])
        interpretation = e.get("interpretation")
        if interpretation:
            fe.link(href=interpretation["url"], rel="related", title=interpretation["title"])
        fe.summary(e["summary"])
        fe.updated(e["released_at"])
        fe.published(e["released_at"])
        for tag in e.get("tags", []):
            fe.category(term=tag)
    return fg.atom_str(pretty=True)
