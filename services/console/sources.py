"""What the console asks the other services over HTTP: /metrics, stuck documents, deliveries, channels.

Every call is short and may fail: a page shows what it could learn and says what it could not.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from services.console.domain import Lag, parse_lag
from shared.settings import CommonSettings
from shared.topics import SERVICES


@dataclass(frozen=True)
class Scrape:
    service: str
    url: str
    reachable: bool
    error: str | None = None
    lag: list[Lag] = field(default_factory=list)


@dataclass(frozen=True)
class Answer:
    """A JSON answer of another service, or why there is none."""

    available: bool
    body: Any = None
    reason: str | None = None


def make_client(timeout_s: float, api_key: str | None) -> httpx.AsyncClient:
    """The console's client for the other services: short timeouts, no redirects, its operator key if set."""
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    return httpx.AsyncClient(timeout=timeout_s, follow_redirects=False, headers=headers)


class Sources:
    def __init__(self, client: httpx.AsyncClient, common: CommonSettings) -> None:
        self.client = client
        self.urls: dict[str, str] = {name: str(getattr(common, f"{name}_url")).rstrip("/") for name in SERVICES}

    async def _scrape(self, service: str) -> Scrape:
        url = f"{self.urls[service]}/metrics"
        try:
            response = await self.client.get(url)
            response.raise_for_status()
            return Scrape(service, url, True, lag=parse_lag(response.text, service))
        except (httpx.HTTPError, ValueError) as exc:
            return Scrape(service, url, False, error=f"{type(exc).__name__}: {exc}"[:300])

    async def scrape_all(self) -> list[Scrape]:
        return list(await asyncio.gather(*(self._scrape(s) for s in SERVICES)))

    async def _json(self, service: str, path: str, params: dict[str, str] | None = None) -> Answer:
        url = f"{self.urls[service]}{path}"
        try:
            response = await self.client.get(url, params=params)
        except httpx.HTTPError as exc:
            return Answer(False, reason=f"{service} is unreachable at {self.urls[service]} ({type(exc).__name__})")
        if response.status_code == 404:
            return Answer(False, reason=f"{service} answered 404 for {path}")
        if response.status_code != 200:
            return Answer(False, reason=f"{service} answered {response.status_code} for {path}")
        try:
            return Answer(True, response.json())
        except ValueError:
            return Answer(False, reason=f"{service} answered {path} with something that is not JSON")

    async def stuck(self) -> Answer:
        answer = await self._json("intake", "/v1/stuck")
        if answer.available and not (isinstance(answer.body, dict) and isinstance(answer.body.get("documents"), list)):
            return Answer(False, reason="intake's /v1/stuck answer has no documents list")
        return answer

    async def deliveries(self, document_id: str) -> Answer:
        answer = await self._json("distribution", "/v1/deliveries", {"document_id": document_id})
        if answer.available:
            rows = answer.body.get("deliveries") if isinstance(answer.body, dict) else None
            # The delivery payload is the whole released document: the console keeps only the bookkeeping.
            keep = ("delivery_id", "channel_id", "action", "release_id", "status", "attempts", "errors",
                    "created_at", "next_attempt_at", "delivered_at", "failed_at")
            return Answer(True, [{k: r.get(k) for k in keep if k in r} for r in rows or [] if isinstance(r, dict)])
        return answer

    async def channels(self) -> Answer:
        answer = await self._json("distribution", "/v1/channels")
        if answer.available:
            rows = answer.body.get("channels") if isinstance(answer.body, dict) else None
            return Answer(True, [r for r in rows or [] if isinstance(r, dict)])
        return answer

    async def publication(self, document_id: str) -> Answer:
        return await self._json("publication", f"/v1/publications/{quote(document_id, safe='')}")
