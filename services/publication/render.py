"""Turning stored text into safe HTML for the portal, and the small formatting helpers templates use.

Bodies are plain text. Each line becomes a paragraph; every character is escaped first, then the
only markup added is ours (masks over redacted characters, links for http(s) addresses), and the
result goes through nh3 with an allow-list of exactly those elements — so whatever a document
contains, it renders as text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import nh3
from markupsafe import Markup, escape

from services.publication.domain.links import TRAILING, URL_IN_TEXT, host_port

# Review masks personal data one character for one with "*" (services/review/domain/masking.py).
_MASK = re.compile(r"\*+")
_ALLOWED_TAGS = {"p", "span", "a"}
_ALLOWED_ATTRIBUTES = {"span": {"class", "aria-hidden"}, "a": {"href"}}


def _mask(match: re.Match[str]) -> str:
    n = len(match.group())
    return (
        f'<span class="mask"><span class="visually-hidden">（已遮蔽{n}个字符）</span>'
        f'<span aria-hidden="true">{"●" * n}</span></span>'
    )


def _paragraph(line: str) -> str:
    out: list[str] = []
    last = 0
    for match in URL_IN_TEXT.finditer(line):
        url = match.group().rstrip(TRAILING)
        out.append(_MASK.sub(_mask, str(escape(line[last : match.start()]))))
        out.append(f'<a href="{escape(url)}">{escape(url)}</a>')
        last = match.start() + len(url)
    out.append(_MASK.sub(_mask, str(escape(line[last:]))))
    return "<p>" + "".join(out) + "</p>"


def body_html(text: str | None) -> Markup:
    """Paragraphs of escaped text; redactions as masks; http(s) addresses as links."""
    lines = [line.strip() for line in (text or "").splitlines()]
    html = "".join(_paragraph(line) for line in lines if line)
    cleaned = nh3.clean(
        html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(cleaned)  # escaped above and sanitized by nh3 with an allow-list


def safe_href(url: str | None) -> str | None:
    """An attachment address fit for href (http/https only), else None."""
    return url if url and host_port(url) is not None and not any(c.isspace() for c in url) else None


def day(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d")
    return str(value or "")


def cn_date(value: Any) -> str:
    """2024-07-01 → 2024年7月1日 (dates as the public reads them)."""
    text = day(value)
    parts = text.split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[0])}年{int(parts[1])}月{int(parts[2])}日"
    return text


def search_url(current: Mapping[str, Any], **changes: Any) -> str:
    """/search with the current parameters, some changed (None removes one); a changed filter resets the page."""
    params = {k: v for k, v in current.items() if v not in (None, "")}
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    if params.get("page") in (1, "1"):
        params.pop("page")
    query = urlencode(params)
    return "/search" + (f"?{query}" if query else "")


def host_of(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
