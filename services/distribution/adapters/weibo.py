"""Weibo (微博): one post per release through ``statuses/share``, deleted on withdrawal by ``statuses/destroy``.

A post has no idempotency key. Before posting, the attempt is marked on the delivery (with its time);
a later attempt that finds the mark (the earlier one timed out or crashed after sending) first looks
for the post on the account's own timeline and adopts it instead of posting again. Weibo also refuses
an identical repeat (error 20019), which leads to the same look-up.

A post matches when its text is ours exactly. Weibo rewrites links to t.cn short links, so where a
post differs from ours only in its links, those are expanded (``short_url/expand``) and the post
matches only if they lead to our links: posts of documents with the same title and summary differ
in nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from services.distribution.adapters import BaseAdapter, PermanentFailure, Progress, TemporaryFailure
from services.distribution.domain import WeiboOptions, Work
from services.distribution.domain.platforms import URL, WEIBO_GONE, weibo_verdict
from services.distribution.rendering import Renderer
from shared.logging import get_logger

log = get_logger(__name__)
REPEAT_CONTENT = 20019


def same_post(ours: str, theirs: str) -> bool:
    """Equal apart from links (Weibo shortens them)."""
    return URL.sub("", ours).split() == URL.sub("", theirs).split()


class WeiboAdapter(BaseAdapter):
    def __init__(
        self, base_url: str, options: WeiboOptions, access_token: str, client: httpx.AsyncClient, renderer: Renderer,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.clock = clock
        self.base = base_url.rstrip("/")
        self.options = options
        self.access_token = access_token
        self.client = client
        self.renderer = renderer

    async def deliver(self, work: Work, progress: Progress) -> str:
        if work.action == "withdraw":
            for post_id in work.references:
                await self._destroy(post_id)
            return ",".join(work.references)
        text = self.renderer.weibo_post(work.payload, limit=self.options.max_weight, url_weight=self.options.url_weight)
        if progress.get("posting_at") is not None:
            found = await self._find_own(text)
            if found:
                log.info("adopting the post of an earlier attempt", delivery_id=work.delivery_id, post_id=found)
                return found
        else:
            await progress.set(posting_at=self.clock())
        try:
            answer = await self._call("/2/statuses/share.json", {"status": text})
        except PermanentFailure as exc:
            if exc.code == REPEAT_CONTENT:
                found = await self._find_own(text)
                if found:
                    return found
            raise
        return str(answer.get("idstr") or answer["id"])

    async def _destroy(self, post_id: str) -> None:
        try:
            await self._call("/2/statuses/destroy.json", {"id": post_id})
        except PermanentFailure as exc:
            if exc.code in WEIBO_GONE:
                log.info("post already gone; nothing to retract", post_id=post_id)
                return
            raise

    async def _find_own(self, text: str) -> str | None:
        """Our post on the account's timeline, if an earlier attempt made it."""
        answer = await self._call("/2/statuses/user_timeline.json", {"count": "100", "trim_user": "1"}, method="GET")
        statuses = [s for s in answer.get("statuses", []) if isinstance(s, dict)]
        for status in statuses:
            if str(status.get("text", "")) == text:
                return str(status.get("idstr") or status["id"])
        ours = URL.findall(text)
        for status in statuses:
            theirs = str(status.get("text", ""))
            if not same_post(text, theirs):
                continue
            links = URL.findall(theirs)
            expanded = await self._expand([u for u in links if u not in ours])
            if [expanded.get(u, u) for u in links] == ours:
                return str(status.get("idstr") or status["id"])
        return None

    async def _expand(self, short: list[str]) -> dict[str, str]:
        if not short:
            return {}
        answer = await self._call("/2/short_url/expand.json", {"url_short": short}, method="GET")
        return {str(u.get("url_short")): str(u.get("url_long")) for u in answer.get("urls", []) if isinstance(u, dict)}

    async def _call(self, path: str, data: dict[str, str | list[str]], *, method: str = "POST") -> dict[str, Any]:
        fields = {"access_token": self.access_token, **data}
        try:
            if method == "GET":
                response = await self.client.get(self.base + path, params=fields)
            else:
                response = await self.client.post(self.base + path, data=fields)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"{path}: {type(exc).__name__}: {exc}".rstrip(": ")) from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if not isinstance(answer, dict):
            answer = {}
        raw_code = answer.get("error_code")
        code = int(raw_code) if raw_code is not None and str(raw_code).isdigit() else None
        verdict = weibo_verdict(response.status_code, code)
        if verdict == "ok":
            return answer
        detail = f"{path}: HTTP {response.status_code}, error_code {code}: {answer.get('error', response.text[:200])}"
        if verdict == "temporary":
            raise TemporaryFailure(detail, code=code)
        raise PermanentFailure(detail, code=code)
