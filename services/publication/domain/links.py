"""Link rules (杜绝错链、断链), without I/O: which links a document has, which addresses may be fetched,
and when a check result is news worth an event.

The link checker fetches addresses that come from documents, so it must never become a way to
reach the service's own network (SSRF): every address a host resolves to must be public, unless
the operator allow-listed that exact ``host:port``. Link-local addresses (cloud metadata endpoints
such as 169.254.169.254) are refused even then.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
LinkState = Literal["ok", "broken", "refused"]

# http(s) addresses written into a body; stops at whitespace, CJK text and closing brackets/quotes.
URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\u3400-\u9fff\uff00-\uffef）)】\]]+", re.IGNORECASE)
TRAILING = ".,;:!?，。；：！？"


@dataclass(frozen=True)
class Link:
    url: str
    field: Literal["attachment", "body"]
    name: str = ""


def links_of(entry: Mapping[str, Any]) -> list[Link]:
    """Every attachment address and every http(s) address in the body, once each, attachments first."""
    found: dict[str, Link] = {}
    for attachment in entry.get("attachments") or []:
        url = str(attachment.get("url", "")).strip()
        if url and url not in found:
            found[url] = Link(url, "attachment", str(attachment.get("name", "")))
    for match in URL_IN_TEXT.finditer(str(entry.get("body") or "")):
        url = match.group().rstrip(TRAILING)
        if url not in found:
            found[url] = Link(url, "body")
    return list(found.values())


def host_port(url: str) -> tuple[str, int] | None:
    """The lower-cased host and the port (default 80/443) of an http(s) address; None for anything else."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return None
    return host.lower().rstrip("."), port or (443 if scheme == "https" else 80)


def _unwrap(ip: IPAddress) -> IPAddress:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return ip.ipv4_mapped
        if ip.sixtofour is not None:
            return ip.sixtofour
    return ip


def is_link_local(ip: IPAddress) -> bool:
    return _unwrap(ip).is_link_local


def is_public(ip: IPAddress) -> bool:
    """Globally routable unicast: not loopback, private, link-local, shared (CGNAT), reserved or multicast."""
    ip = _unwrap(ip)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified or ip.is_loopback)


def allowed_key(host: str, port: int) -> str:
    return f"{host.lower().strip('[]')}:{port}"


def refusal(host: str, port: int, addresses: Iterable[IPAddress], allow: frozenset[str]) -> str | None:
    """Why fetching ``host:port`` at ``addresses`` is refused, or None when it may be fetched."""
    resolved = list(addresses)
    if not resolved:
        return f"{host} does not resolve to any address"
    for ip in resolved:
        if is_link_local(ip):
            return f"{host} resolves to the link-local address {ip}, which is never fetched"
    if allowed_key(host, port) in allow:
        return None
    for ip in resolved:
        if not is_public(ip):
            return f"{host} resolves to the non-public address {ip}; allow-list {allowed_key(host, port)} to check it"
    return None


@dataclass(frozen=True)
class Outcome:
    """What one check found for one link."""

    state: LinkState
    status: int | None = None
    error: str | None = None


def is_broken_status(status: int) -> bool:
    return status >= 400


def should_announce(previous: LinkState | None, previously_announced: bool, outcome: Outcome) -> bool:
    """LinkBroken is raised once per breakage: when a link turns bad, not on every check while it stays bad.

    A link that recovers and breaks again is announced again.
    """
    if outcome.state == "ok":
        return False
    return not (previous in ("broken", "refused") and previously_announced)
