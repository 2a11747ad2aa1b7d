"""The link checker (杜绝错链、断链): every attachment and body link of every released document.

Each address is resolved first and every resolved IP checked (``domain.links.refusal``); the request
then goes to that very IP (Host header and TLS SNI keep the name), so a second DNS answer cannot
swap in an internal address (DNS rebinding). Redirects are followed by hand, one hop at a time,
with the same check before each hop, and recorded. Requests are limited in number overall and
spaced per host. Results are stored in ``links``; a link that turns bad raises ``LinkBroken`` once.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from services.publication.domain.links import (
    IPAddress,
    Link,
    LinkState,
    Outcome,
    host_port,
    is_broken_status,
    links_of,
    refusal,
    should_announce,
)
from services.publication.repository import PublicationRepository
from services.publication.settings import PublicationSettings
from shared import events
from shared.envelope import derive_event_id
from shared.logging import get_logger
from shared.outbox import Outbox, Outgoing

log = get_logger(__name__)
SOURCE = "/govpub/publication"
Resolver = Callable[[str, int], Awaitable[list[IPAddress]]]
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 200


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (an IP literal is itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


@dataclass(frozen=True)
class Checked:
    outcome: Outcome
    redirects: list[str] = field(default_factory=list)
    final_url: str | None = None


class Fetcher:
    """Checks one address at a time per host, at most ``concurrency`` at once."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        allow: frozenset[str],
        concurrency: int,
        host_delay_s: float,
        max_redirects: int,
        resolver: Resolver = resolve,
    ) -> None:
        self.client = client
        self.allow = allow
        self.max_redirects = max_redirects
        self.host_delay_s = host_delay_s
        self.resolver = resolver
        self._slots = asyncio.Semaphore(concurrency)
        self._hosts: dict[str, asyncio.Lock] = {}
        self._last: dict[str, float] = {}

    async def check(self, url: str) -> Checked:
        redirects: list[str] = []
        current = url
        for _ in range(self.max_redirects + 1):
            target = host_port(current)
            if target is None:
                return Checked(Outcome("refused", error=f"{current!r} is not an http(s) address"), redirects, current)
            host, port = target
            try:
                addresses = await self.resolver(host, port)
            except (OSError, UnicodeError) as exc:
                return Checked(Outcome("broken", error=f"{host} does not resolve: {exc}"), redirects, current)
            reason = refusal(host, port, addresses, self.allow)
            if reason is not None:
                return Checked(Outcome("refused", error=reason), redirects, current)
            try:
                status, location = await self._polite(host, self._request(current, host, addresses[0]))
            except httpx.HTTPError as exc:
                return Checked(Outcome("broken", error=f"{type(exc).__name__}: {exc}"[:500]), redirects, current)
            except httpx.InvalidURL as exc:
                # httpx prepares the next request of every redirect, even unfollowed, and raises on a
                # Location such as ``javascript:…`` or ``file:…``: that is a refusal, not a crash of the round.
                redirects.append(f"redirect {current}")
                return Checked(Outcome("refused", error=f"the redirect target is not a usable http(s) address: {exc}"),
                               redirects, current)
            if status in _REDIRECTS and location:
                redirects.append(f"{status} {current}")
                current = urljoin(current, location)
                continue
            state: LinkState = "broken" if is_broken_status(status) else "ok"
            return Checked(Outcome(state, status=status), redirects, current)
        return Checked(Outcome("broken", error=f"more than {self.max_redirects} redirects"), redirects, current)

    async def _polite(self, host: str, call: Coroutine[Any, Any, tuple[int, str | None]]) -> tuple[int, str | None]:
        lock = self._hosts.setdefault(host, asyncio.Lock())
        async with lock, self._slots:
            wait = self._last.get(host, -1e9) + self.host_delay_s - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                return await call
            finally:
                self._last[host] = time.monotonic()

    async def _request(self, url: str, host: str, ip: IPAddress) -> tuple[int, str | None]:
        parts = urlsplit(url)
        literal = f"[{ip}]" if ip.version == 6 else str(ip)
        netloc = literal + (f":{parts.port}" if parts.port else "")
        pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1]}
        extensions = {"sni_hostname": host} if parts.scheme.lower() == "https" else {}
        response = await self.client.request("HEAD", pinned, headers=headers, extensions=extensions)
        if response.status_code in (403, 405, 501):
            # Some servers refuse HEAD; ask for the body but read none of it.
            async with self.client.stream("GET", pinned, headers=headers, extensions=extensions) as streamed:
                return streamed.status_code, streamed.headers.get("location")
        return response.status_code, response.headers.get("location")


@dataclass
class LinkReport:
    documents: int = 0
    links: int = 0
    checked: int = 0
    ok: int = 0
    broken: int = 0
    refused: int = 0
    announced: int = 0
    # The stored rows of this run's broken, refused and redirected links (for ``govpub links check``).
    findings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        """The counts."""
        return {k: v for k, v in asdict(self).items() if k != "findings"}


def link_id(document_id: str, url: str) -> str:
    return hashlib.sha256(f"{document_id}\n{url}".encode()).hexdigest()[:32]


def _row(document: dict[str, Any], link: Link, checked: Checked, previous: dict[str, Any] | None,
         now: datetime) -> tuple[dict[str, Any], bool]:
    outcome = checked.outcome
    prev_state = previous.get("state") if previous else None
    announce = should_announce(prev_state, bool(previous and previous.get("announced")), outcome)
    bad_before = prev_state in ("broken", "refused") and previous is not None
    since = (previous or {}).get("broken_since") if bad_before else None
    since = since or now
    row = {
        "_id": link_id(document["_id"], link.url),
        "document_id": document["_id"],
        "title": document.get("title"),
        "document_url": document.get("url"),
        "url": link.url,
        "field": link.field,
        "name": link.name,
        "state": outcome.state,
        "status": outcome.status,
        "error": outcome.error,
        "redirects": checked.redirects,
        "final_url": checked.final_url,
        "checked_at": now,
        "broken_since": None if outcome.state == "ok" else since,
        "announced": outcome.state != "ok" and (announce or bool(previous and previous.get("announced"))),
    }
    return row, announce


async def check_links(
    repo: PublicationRepository,
    outbox: Outbox,
    settings: PublicationSettings,
    *,
    now: datetime,
    document_ids: Sequence[str] | None = None,
    resolver: Resolver = resolve,
    transport: httpx.AsyncBaseTransport | None = None,
) -> LinkReport:
    """Check the links of released documents (all, or just ``document_ids``) and record what was found.

    Links found working within ``links_recheck_after_s`` are skipped unless ``document_ids`` names
    their document; broken and refused ones are checked every time. Returns counts.
    """
    report = LinkReport()
    fresh_after = now - timedelta(seconds=settings.links_recheck_after_s)
    async with httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(settings.links_timeout_s),
        follow_redirects=False,
        headers={"User-Agent": settings.links_user_agent},
        trust_env=False,
    ) as client:
        fetcher = Fetcher(
            client, allow=frozenset(a.lower() for a in settings.links_allow), concurrency=settings.links_concurrency,
            host_delay_s=settings.links_host_delay_s, max_redirects=settings.links_max_redirects, resolver=resolver,
        )
        chunk: list[dict[str, Any]] = []
        async for document in repo.released_with_links(document_ids):
            chunk.append(document)
            if len(chunk) >= _CHUNK:
                await _check_chunk(repo, outbox, fetcher, chunk, report, now, fresh_after, document_ids is not None)
                chunk = []
        if chunk:
            await _check_chunk(repo, outbox, fetcher, chunk, report, now, fresh_after, document_ids is not None)
    log.info("links checked", **report.as_dict())
    return report


async def _check_chunk(
    repo: PublicationRepository,
    outbox: Outbox,
    fetcher: Fetcher,
    documents: list[dict[str, Any]],
    report: LinkReport,
    now: datetime,
    fresh_after: datetime,
    explicit: bool,
) -> None:
    pairs = [(d, link) for d in documents for link in links_of(d)]
    report.documents += len(documents)
    report.links += len(pairs)
    previous = await repo.link_results([link_id(d["_id"], link.url) for d, link in pairs])

    def due(d: dict[str, Any], link: Link) -> bool:
        prev = previous.get(link_id(d["_id"], link.url))
        return explicit or prev is None or prev.get("state") != "ok" or prev["checked_at"] < fresh_after

    todo = [(d, link) for d, link in pairs if due(d, link)]
    checked = await asyncio.gather(*(fetcher.check(link.url) for _, link in todo))
    rows: list[dict[str, Any]] = []
    announcements: list[dict[str, Any]] = []
    for (d, link), result in zip(todo, checked, strict=True):
        row, announce = _row(d, link, result, previous.get(link_id(d["_id"], link.url)), now)
        rows.append(row)
        report.checked += 1
        setattr(report, row["state"], getattr(report, row["state"]) + 1)
        if row["state"] != "ok" or row["redirects"]:
            report.findings.append(row)
        if announce:
            announcements.append(row)
    async with outbox.unit_of_work() as uow:
        await repo.save_link_results(rows, uow.session)
        for row in announcements:
            event = events.LinkBroken(
                document_id=row["document_id"], url=row["url"], field=row["field"], status=row["status"],
                error=row["error"], checked_at=now,
            )
            event_id = derive_event_id(f"{row['_id']}:{row['broken_since'].isoformat()}", event.TYPE)
            uow.emit(Outgoing.of(event, source=SOURCE, now=now, event_id=event_id))
    report.announced += len(announcements)
    # Links a new version no longer has are forgotten, so they stop being listed as broken.
    await repo.forget_links([d["_id"] for d in documents], [link_id(d["_id"], link.url) for d, link in pairs])


async def check_links_standalone(
    settings: PublicationSettings | None = None, *, document_ids: Sequence[str] | None = None,
    now: datetime | None = None,
) -> LinkReport:
    """One check run outside the service (for ``govpub links check``).

    LinkBroken events go to the service's outbox collection; the running publication service's relay
    publishes them, so no broker connection is made here.
    """
    from datetime import UTC

    from shared.messaging import make_broker
    from shared.mongo import make_client

    settings = settings or PublicationSettings()
    client = make_client(settings.common, "govpub-linkcheck")
    try:
        db = client[settings.database]
        outbox = Outbox(client, db, make_broker(settings.common, client_id="govpub-linkcheck"))
        return await check_links(
            PublicationRepository(db), outbox, settings, now=now or datetime.now(UTC), document_ids=document_ids
        )
    finally:
        await client.close()
