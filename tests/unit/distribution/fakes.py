"""Local fake platforms implementing each channel's documented request/response contract, errors included.

Each fake is a FastAPI app served by uvicorn on a free port in a background thread (``serve``), with
a ``control`` object the test scripts: answer with an error code N times, answer slowly, and so on.
They are used by the adapter tests, the e2e tests and the distribution benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, Response

from services.distribution.adapters.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from services.distribution.domain.platforms import URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(app: FastAPI, port: int | None = None) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 in a thread; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("fake server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)


@dataclass
class Script:
    """What the next requests get: ``errors`` are answered first (one each), then ``slow`` requests sleep."""

    errors: list[Any] = field(default_factory=list)
    slow: int = 0
    delay_s: float = 0.0

    def next_error(self) -> Any:
        return self.errors.pop(0) if self.errors else None

    async def maybe_sleep(self) -> None:
        if self.slow > 0:
            self.slow -= 1
            await asyncio.sleep(self.delay_s)


# ---------------------------------------------------------------- webhook receiver


@dataclass
class WebhookState:
    secret: str
    script: Script = field(default_factory=Script)
    posts: dict[str, int] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)
    first_seen: dict[str, float] = field(default_factory=dict)
    requests: int = 0


def webhook_app(state: WebhookState) -> FastAPI:
    app = FastAPI()

    @app.post("/hooks/{name}")
    async def hook(name: str, request: Request) -> JSONResponse:
        state.requests += 1
        body = await request.body()
        status = state.script.next_error()
        if status is not None:
            return JSONResponse({"error": "scripted"}, status_code=int(status))
        # A slow answer: the request is processed (as a real receiver would) but answered after the client gave up.
        await state.script.maybe_sleep()
        if not verify(state.secret, request.headers.get(TIMESTAMP_HEADER, ""), body,
                      request.headers.get(SIGNATURE_HEADER, ""), now=time.time()):
            return JSONResponse({"error": "bad signature"}, status_code=401)
        key = request.headers.get("Idempotency-Key", "")
        state.posts[key] = state.posts.get(key, 0) + 1
        if state.posts[key] == 1:
            state.first_seen[key] = time.time()
            state.received.append({"hook": name, "idempotency_key": key, **(await request.json())})
        return JSONResponse({"ok": True, "duplicate": state.posts[key] > 1})

    return app


# ---------------------------------------------------------------- WeChat official account


@dataclass
class WeChatState:
    app_id: str = "wx-test"
    secret: str = "wx-secret"
    expires_in: int = 7200
    publish_polls: int = 1  # how many freepublish/get answers say "publishing" before the final state
    final_status: int = 0
    script: Script = field(default_factory=Script)
    tokens: list[str] = field(default_factory=list)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    publishes: dict[str, dict[str, Any]] = field(default_factory=dict)
    articles: dict[str, str] = field(default_factory=dict)  # article_id → media_id, while published
    deleted: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(100000001))

    @property
    def token(self) -> str | None:
        return self.tokens[-1] if self.tokens else None

    def published_titles(self) -> list[str]:
        return [self.drafts[m]["articles"][0]["title"] for m in self.articles.values()]


def wechat_app(state: WeChatState) -> FastAPI:
    """draft/add, freepublish/submit|get|delete and cgi-bin/token, as documented (errors as errcode in a 200)."""
    app = FastAPI()

    def err(code: int, msg: str) -> JSONResponse:
        return JSONResponse({"errcode": code, "errmsg": msg})

    async def gate(request: Request, name: str) -> JSONResponse | None:
        state.calls.append(name)
        scripted = state.script.next_error()
        if scripted is not None:
            if isinstance(scripted, int) and 500 <= scripted < 600:  # an HTTP status, not an errcode
                return JSONResponse({"error": "scripted"}, status_code=scripted)
            return err(int(scripted), "scripted")
        await state.script.maybe_sleep()
        if name != "token" and request.query_params.get("access_token") != state.token:
            return err(40001, "invalid credential, access_token is invalid or not latest")
        return None

    @app.get("/cgi-bin/token")
    async def token(request: Request, grant_type: str = "", appid: str = "", secret: str = "") -> JSONResponse:
        if (refused := await gate(request, "token")) is not None:
            return refused
        if grant_type != "client_credential":
            return err(40002, "invalid grant_type")
        if appid != state.app_id:
            return err(40013, "invalid appid")
        if secret != state.secret:
            return err(40125, "invalid appsecret")
        state.tokens.append(f"TOKEN-{len(state.tokens) + 1}")
        return JSONResponse({"access_token": state.token, "expires_in": state.expires_in})

    @app.post("/cgi-bin/draft/add")
    async def draft_add(request: Request) -> JSONResponse:
        if (refused := await gate(request, "draft/add")) is not None:
            return refused
        body = await request.json()
        articles = body.get("articles") or []
        if not articles or not all(a.get("title") and a.get("content") for a in articles):
            return err(40007, "invalid media_id")  # what WeChat answers for a malformed article
        media_id = f"MEDIA-{next(state.ids)}"
        state.drafts[media_id] = body
        return JSONResponse({"media_id": media_id})

    @app.post("/cgi-bin/freepublish/submit")
    async def submit(request: Request) -> JSONResponse:
        if (refused := await gate(request, "freepublish/submit")) is not None:
            return refused
        media_id = (await request.json()).get("media_id")
        if media_id not in state.drafts:
            return err(40007, "invalid media_id")
        publish_id = str(next(state.ids))
        state.publishes[publish_id] = {"media_id": media_id, "polls": 0}
        return JSONResponse({"errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": 2247483})

    @app.post("/cgi-bin/freepublish/get")
    async def get(request: Request) -> JSONResponse:
        if (refused := await gate(request, "freepublish/get")) is not None:
            return refused
        publish_id = str((await request.json()).get("publish_id"))
        publish = state.publishes.get(publish_id)
        if publish is None:
            return err(48001, "api unauthorized")
        publish["polls"] += 1
        if publish["polls"] <= state.publish_polls:
            return JSONResponse({"publish_id": publish_id, "publish_status": 1, "fail_idx": []})
        if state.final_status != 0:
            return JSONResponse({"publish_id": publish_id, "publish_status": state.final_status, "fail_idx": [1]})
        article_id = publish.setdefault("article_id", f"ARTICLE-{publish_id}")
        state.articles[article_id] = publish["media_id"]
        return JSONResponse({
            "publish_id": publish_id, "publish_status": 0, "article_id": article_id,
            "article_detail": {"count": 1, "item": [{"idx": 1, "article_url": f"https://mp.weixin.qq.com/s/{article_id}"}]},
            "fail_idx": [],
        })

    @app.post("/cgi-bin/freepublish/delete")
    async def delete(request: Request) -> JSONResponse:
        if (refused := await gate(request, "freepublish/delete")) is not None:
            return refused
        article_id = (await request.json()).get("article_id")
        if article_id not in state.articles:
            return err(53600, "Article ID 无效")
        del state.articles[article_id]
        state.deleted.append(article_id)
        return err(0, "ok")

    return app


# ---------------------------------------------------------------- Weibo


@dataclass
class WeiboState:
    access_token: str = "weibo-token"
    shorten: bool = False  # rewrite links to t.cn short links, as Weibo does
    script: Script = field(default_factory=Script)
    posts: dict[str, str] = field(default_factory=dict)  # id → text, while posted
    created: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # t.cn short link → long link

    def short_link(self, url: str) -> str:
        short = f"http://t.cn/A{len(self.links) + 1:06d}"
        self.links[short] = url
        return short
    deleted: list[str] = field(default_factory=list)
    shares: int = 0
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(4990000000000001))


def weibo_app(state: WeiboState) -> FastAPI:
    """statuses/share, statuses/destroy, statuses/user_timeline; errors as {error, error_code, request}."""
    app = FastAPI()

    def err(status: int, code: int, msg: str, path: str) -> JSONResponse:
        return JSONResponse({"error": msg, "error_code": code, "request": path}, status_code=status)

    async def gate(path: str, token: str) -> JSONResponse | None:
        scripted = state.script.next_error()
        if scripted is not None:
            status, code = scripted if isinstance(scripted, tuple) else (400, scripted)
            return err(status, code, "scripted", path)
        await state.script.maybe_sleep()
        if token != state.access_token:
            return err(403, 21332, "invalid_access_token", path)
        return None

    @app.post("/2/statuses/share.json")
    async def share(access_token: str = Form(""), status: str = Form("")) -> JSONResponse:
        path = "/2/statuses/share.json"
        if (refused := await gate(path, access_token)) is not None:
            return refused
        if "http" not in status:
            return err(400, 10017, "status must contain a link of the app's safe domain", path)
        from services.distribution.domain.platforms import weibo_weight

        if weibo_weight(status, 12) > 140:
            return err(400, 20012, "Text too long, please input text less than 140 characters!", path)
        if status in state.posts.values():
            return err(400, 20019, "repeat content!", path)
        state.shares += 1
        post_id = str(next(state.ids))
        if state.shorten:
            status = URL.sub(lambda m: state.short_link(m.group(0)), status)
        state.posts[post_id] = status
        state.created[post_id] = datetime.now(timezone(timedelta(hours=8))).strftime("%a %b %d %H:%M:%S %z %Y")
        return JSONResponse({"id": int(post_id), "idstr": post_id, "text": status, "created_at": state.created[post_id]})

    @app.post("/2/statuses/destroy.json")
    async def destroy(access_token: str = Form(""), id: str = Form("")) -> JSONResponse:
        path = "/2/statuses/destroy.json"
        if (refused := await gate(path, access_token)) is not None:
            return refused
        if id not in state.posts:
            return err(400, 20101, "target weibo does not exist!", path)
        text = state.posts.pop(id)
        state.deleted.append(id)
        return JSONResponse({"id": int(id), "idstr": id, "text": text})

    @app.get("/2/short_url/expand.json")
    async def expand(request: Request) -> JSONResponse:
        path = "/2/short_url/expand.json"
        if (refused := await gate(path, request.query_params.get("access_token", ""))) is not None:
            return refused
        urls = [{"url_short": u, "url_long": state.links.get(u, ""), "type": 0, "result": u in state.links}
                for u in request.query_params.getlist("url_short")]
        return JSONResponse({"urls": urls})

    @app.get("/2/statuses/user_timeline.json")
    async def timeline(access_token: str = "", count: int = 20) -> JSONResponse:
        path = "/2/statuses/user_timeline.json"
        if (refused := await gate(path, access_token)) is not None:
            return refused
        statuses = [{"id": int(i), "idstr": i, "text": t, "created_at": state.created[i]}
                    for i, t in reversed(state.posts.items())][:count]
        return JSONResponse({"statuses": statuses, "total_number": len(state.posts)})

    return app


# ---------------------------------------------------------------- WebSub hub


@dataclass
class HubState:
    pings: list[dict[str, str]] = field(default_factory=list)
    script: Script = field(default_factory=Script)


def hub_app(state: HubState) -> FastAPI:
    app = FastAPI()

    @app.post("/hub")
    async def hub(request: Request) -> Response:
        status = state.script.next_error()
        if status is not None:
            return JSONResponse({"error": "scripted"}, status_code=int(status))
        form = dict((await request.form()).items())
        if form.get("hub.mode") != "publish" or not form.get("hub.url"):
            return JSONResponse({"error": "hub.mode=publish and hub.url are required"}, status_code=400)
        state.pings.append({k: str(v) for k, v in form.items()})
        return Response(status_code=204)

    return app


# ---------------------------------------------------------------- SMTP


class Inbox:
    """An aiosmtpd handler keeping every accepted mail; ``refuse`` / ``defer`` script recipient answers."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.refuse: set[str] = set()
        self.defer: dict[str, int] = {}
        self.delay_s = 0.0

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        from email import message_from_bytes, policy

        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        message = message_from_bytes(content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "message": message})
        return "250 Message accepted"

    def to(self, address: str) -> list[Any]:
        return [m["message"] for m in self.messages if address in m["to"]]


@contextlib.contextmanager
def smtp_server(inbox: Inbox) -> Iterator[tuple[str, int]]:
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port
    finally:
        controller.stop()


def body_text(message: Any) -> str:
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""
