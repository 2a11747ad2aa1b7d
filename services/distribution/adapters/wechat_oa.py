"""WeChat official account (微信公众号): draft/add → freepublish/submit → poll freepublish/get.

Each step's result (media_id, publish_id) is saved on the delivery as it completes, so a retry after
a timeout or a crash resumes polling the publish it already submitted rather than publishing twice.
Withdrawal deletes the published article (freepublish/delete) by the article_id kept as reference.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from services.distribution.adapters import BaseAdapter, PermanentFailure, Progress, TemporaryFailure
from services.distribution.domain import WeChatOptions, Work
from services.distribution.domain.platforms import (
    WECHAT_GONE,
    WECHAT_PUBLISH_STATUS,
    wechat_publish_state,
    wechat_verdict,
)
from services.distribution.rendering import Renderer
from shared.logging import get_logger

log = get_logger(__name__)


class AccessToken:
    """The cached access_token: fetched once, refreshed ahead of expiry, one refresh at a time.

    WeChat invalidates the previous token when a new one is fetched, so concurrent callers must not
    each fetch their own: they wait on the lock and take the token the first one got.
    """

    def __init__(
        self, fetch: Callable[[], Awaitable[tuple[str, float]]], *, margin_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self.margin_s = margin_s
        self.clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetches = 0

    def _fresh(self) -> bool:
        return self._token is not None and self.clock() < self._expires_at - self.margin_s

    async def get(self) -> str:
        if self._fresh():
            assert self._token is not None
            return self._token
        return await self.refresh(self._token)

    async def refresh(self, stale: str | None) -> str:
        """A new token unless another caller already replaced ``stale`` while this one waited."""
        async with self._lock:
            if self._token is not None and self._token != stale and self._fresh():
                return self._token
            token, expires_in = await self._fetch()
            self.fetches += 1
            self._token, self._expires_at = token, self.clock() + expires_in
            return token


class WeChatAdapter(BaseAdapter):
    def __init__(
        self,
        base_url: str,
        options: WeChatOptions,
        app_secret: str,
        client: httpx.AsyncClient,
        renderer: Renderer,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.options = options
        self.app_secret = app_secret
        self.client = client
        self.renderer = renderer
        self.clock = clock
        self.sleep = sleep
        self.token = AccessToken(self._fetch_token, margin_s=options.token_refresh_margin_s, clock=clock)

    # ---- the delivery

    async def deliver(self, work: Work, progress: Progress) -> str:
        if work.action == "withdraw":
            for article_id in work.references:
                await self._delete(article_id)
            return ",".join(work.references)
        media_id = progress.get("media_id")
        if not media_id:
            media_id = await self._add_draft(work.payload)
            await progress.set(media_id=media_id)
        publish_id = progress.get("publish_id")
        if not publish_id:
            answer = await self._call("/cgi-bin/freepublish/submit", {"media_id": media_id})
            publish_id = str(answer["publish_id"])
            await progress.set(publish_id=publish_id)
        return await self._await_publish(publish_id, progress)

    async def _add_draft(self, doc: dict[str, Any]) -> str:
        article = self.renderer.wechat_article(doc)
        body = {
            "articles": [
                {
                    "title": article.title,
                    "author": self.options.author,
                    "digest": article.digest,
                    "content": article.html,
                    "content_source_url": doc["url"],
                    "thumb_media_id": self.options.thumb_media_id,
                    "need_open_comment": 0,
                    "only_fans_can_comment": 0,
                }
            ]
        }
        answer = await self._call("/cgi-bin/draft/add", body)
        return str(answer["media_id"])

    async def _await_publish(self, publish_id: str, progress: Progress) -> str:
        deadline = self.clock() + self.options.poll_timeout_s
        while True:
            answer = await self._call("/cgi-bin/freepublish/get", {"publish_id": publish_id})
            status = int(answer.get("publish_status", -1))
            state = wechat_publish_state(status)
            meaning = WECHAT_PUBLISH_STATUS.get(status, f"unknown publish_status {status}")
            if state == "published":
                article_id = str(answer["article_id"])
                items = (answer.get("article_detail") or {}).get("item") or [{}]
                await progress.set(article_id=article_id, article_url=items[0].get("article_url"))
                return article_id
            if state == "resubmit":
                await progress.set(publish_id=None)
                raise TemporaryFailure(f"publish {publish_id}: {meaning}; the draft is submitted again later")
            if state == "refused":
                await progress.set(publish_id=None)
                raise PermanentFailure(f"publish {publish_id}: {meaning} (fail_idx {answer.get('fail_idx')})")
            if self.clock() >= deadline:
                raise TemporaryFailure(
                    f"publish {publish_id} still publishing after {self.options.poll_timeout_s:.0f}s; "
                    "polling resumes on the next attempt"
                )
            await self.sleep(self.options.poll_interval_s)

    async def _delete(self, article_id: str) -> None:
        try:
            await self._call("/cgi-bin/freepublish/delete", {"article_id": article_id, "index": 0})
        except PermanentFailure as exc:
            if exc.code in WECHAT_GONE:
                log.info("article already gone; nothing to retract", article_id=article_id)
                return
            raise

    # ---- the API

    async def _fetch_token(self) -> tuple[str, float]:
        params = {"grant_type": "client_credential", "appid": self.options.app_id, "secret": self.app_secret}
        answer = self._check(await self._send("GET", "/cgi-bin/token", params=params), "/cgi-bin/token")
        if answer.get("errcode", 0) != 0:
            raise self._error("/cgi-bin/token", answer, refresh_is_temporary=False)
        return str(answer["access_token"]), float(answer.get("expires_in", 7200))

    async def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` with the cached token; a refused token is refreshed and the call made once more."""
        token = await self.token.get()
        answer = self._check(await self._post(path, body, token), path)
        if wechat_verdict(int(answer.get("errcode", 0))) == "refresh":
            log.info("access_token refused; refreshing", errcode=answer.get("errcode"), path=path)
            token = await self.token.refresh(token)
            answer = self._check(await self._post(path, body, token), path)
        if int(answer.get("errcode", 0)) != 0:
            raise self._error(path, answer, refresh_is_temporary=True)
        return answer

    async def _post(self, path: str, body: dict[str, Any], token: str) -> httpx.Response:
        # WeChat stores \\uXXXX escapes literally: Chinese must be sent as UTF-8.
        content = json.dumps(body, ensure_ascii=False).encode()
        return await self._send(
            "POST", path, params={"access_token": token}, content=content,
            headers={"content-type": "application/json; charset=utf-8"},
        )

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return await self.client.request(method, self.base + path, **kwargs)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"{path}: {type(exc).__name__}: {exc}".rstrip(": ")) from exc

    @staticmethod
    def _check(response: httpx.Response, path: str) -> dict[str, Any]:
        if response.status_code >= 500 or response.status_code == 429:
            raise TemporaryFailure(f"{path}: HTTP {response.status_code}")
        if response.status_code >= 300:
            raise PermanentFailure(f"{path}: HTTP {response.status_code}: {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise TemporaryFailure(f"{path}: answer is not JSON: {response.text[:200]}") from exc
        if not isinstance(answer, dict):
            raise TemporaryFailure(f"{path}: unexpected answer {answer!r:.200}")
        return answer

    @staticmethod
    def _error(path: str, answer: dict[str, Any], *, refresh_is_temporary: bool) -> PermanentFailure | TemporaryFailure:
        code = int(answer.get("errcode", -1))
        verdict = wechat_verdict(code)
        detail = f"{path}: errcode {code}: {answer.get('errmsg', '')}"
        if verdict == "temporary" or (verdict == "refresh" and refresh_is_temporary):
            return TemporaryFailure(detail, code=code)
        return PermanentFailure(detail, code=code)
