"""The portal's Atom feed (RFC 4287), for the whole library or one tag, built with feedgen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from feedgen.feed import FeedGenerator


def atom(
    rows: Sequence[dict[str, Any]],
    *,
    base_url: str,
    site_name: str,
    now: datetime,
    tag: str | None = None,
    tag_label: str | None = None,
) -> bytes:
    """An Atom document of ``rows`` (library entries, newest first)."""
    base = base_url.rstrip("/")
    self_url = f"{base}/feed.atom" + (f"?tag={quote(tag)}" if tag else "")
    alternate = f"{base}/search?tag={quote(tag)}" if tag else f"{base}/"
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(site_name + (f" · {tag_label or tag}" if tag else ""))
    fg.subtitle("主动公开的政府信息" + (f"：{tag_label or tag}" if tag else ""))
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=alternate, rel="alternate", type="text/html")
    fg.author({"name": site_name})
    fg.language("zh-CN")
    fg.generator("govpub")
    fg.updated(max((r["released_at"] for r in rows), default=now))
    for row in rows:
        entry = fg.add_entry(order="append")
        url = row.get("url") or f"{base}/documents/{row['_id']}"
        entry.id(url)
        entry.title(row.get("title") or row["_id"])
        entry.link(href=url, rel="alternate", type="text/html")
        entry.updated(row["released_at"])
        entry.published(row.get("first_released_at") or row["released_at"])
        entry.author({"name": row.get("issuing_organ") or site_name})
        summary = row.get("summary") or ""
        if row.get("doc_number"):
            summary = f"{row['doc_number']}　{summary}"
        entry.summary(summary)
        for tag_row in row.get("tags") or []:
            entry.category(term=tag_row["code"], label=tag_row.get("name_zh"), scheme=f"{base}/search?tag=")
    return bytes(fg.atom_str(pretty=False))
