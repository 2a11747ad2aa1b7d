"""E-mail subscriptions over HTTP: double opt-in, one-click unsubscribe, and an operator's digest trigger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from services.distribution.adapters import PermanentFailure, TemporaryFailure
from services.distribution.adapters.email import EmailAdapter
from services.distribution.domain import Channel
from services.distribution.domain.subscriptions import SubscriptionRequest, make_token, read_token, subscription_id
from services.distribution.rendering import Renderer
from services.distribution.subscriptions import SubscriptionRepository
from shared.auth import Principal, require
from shared.http import ProblemError

Token = Annotated[str, Query(min_length=10, max_length=200)]


def build_router(
    repository: Callable[[], SubscriptionRepository],
    channels: list[Channel],
    adapters: dict[str, EmailAdapter],
    renderer: Renderer,
    *,
    base_url: str,
    secret: str,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> APIRouter:
    router = APIRouter(tags=["subscriptions"])
    by_id = {c.id: c for c in channels}

    def email_channel(requested: str | None) -> EmailAdapter:
        if requested is None:
            if len(adapters) == 1:
                return next(iter(adapters.values()))
            names = ", ".join(sorted(adapters)) or "none is enabled"
            raise ProblemError(
                422 if adapters else 404, "Which e-mail channel?",
                f"Name the e-mail channel in `channel` ({names}).",
            )
        if requested not in adapters:
            raise ProblemError(404, "Unknown e-mail channel", f"{requested!r} is not an enabled e-mail channel.")
        return adapters[requested]

    def page(status: int, title: str, message: str) -> HTMLResponse:
        return HTMLResponse(renderer.page(title, message), status_code=status)

    @router.post("/v1/subscriptions", status_code=202)
    async def subscribe(request: SubscriptionRequest) -> dict[str, Any]:
        """Ask for targeted push by e-mail; nothing is sent until the link in the confirmation mail is opened."""
        adapter = email_channel(request.channel)
        channel = by_id[adapter.channel.id]
        if not request.audiences and not request.tags:
            raise ProblemError(
                422, "Nothing to subscribe to",
                "Give at least one of `audiences` (e.g. 园区, 企业) or `tags` (e.g. topic.patent).",
            )
        unknown = sorted(set(request.audiences) - set(channel.takes.audiences))
        if unknown:
            raise ProblemError(
                422, "Unknown audience",
                f"`audiences` has {', '.join(unknown)}; this channel serves {', '.join(channel.takes.audiences)}.",
            )
        now = clock()
        sid = subscription_id(channel.id, request.email)
        row = await repository().request(sid, channel.id, request, now)
        confirm_url = f"{base_url}/v1/subscriptions/confirm?token={make_token(secret, 'confirm', sid, now=now)}"
        try:
            await adapter.send_confirmation(row, confirm_url)
        except PermanentFailure as exc:
            raise ProblemError(422, "Address refused", f"The mail server refused {request.email}: {exc}") from exc
        except TemporaryFailure as exc:
            raise ProblemError(
                503, "Confirmation mail not sent", f"The mail server is not reachable now ({exc}); try again later.",
            ) from exc
        return {"subscription_id": sid, "status": row["status"], "confirmation_sent_to": request.email}

    @router.get("/v1/subscriptions/confirm", response_class=HTMLResponse)
    async def confirm(token: Token) -> HTMLResponse:
        sid = read_token(secret, "confirm", token, now=clock())
        row = await repository().confirm(sid, clock()) if sid else None
        if row is None:
            return page(400, "链接无效或已过期", "The confirmation link is invalid or expired; subscribe again.")
        return page(200, "订阅已确认", f"{row['email']} will receive targeted pushes. 订阅已生效。")

    async def unsubscribe(token: str) -> HTMLResponse:
        sid = read_token(secret, "unsubscribe", token, now=clock())
        row = await repository().unsubscribe(sid, clock()) if sid else None
        if row is None:
            return page(400, "链接无效", "The unsubscribe link is invalid.")
        return page(200, "已退订", f"{row['email']} will receive nothing more. 您已退订，不会再收到推送。")

    @router.get("/v1/subscriptions/unsubscribe", response_class=HTMLResponse)
    async def unsubscribe_link(token: Token) -> HTMLResponse:
        return await unsubscribe(token)

    @router.post("/v1/subscriptions/unsubscribe", response_class=HTMLResponse)
    async def unsubscribe_one_click(token: Token) -> HTMLResponse:
        """RFC 8058 one-click: mail clients POST ``List-Unsubscribe=One-Click`` to the List-Unsubscribe URL."""
        return await unsubscribe(token)

    @router.post("/v1/subscriptions/digests/send")
    async def send_digests(
        principal: Annotated[Principal, require("operator")],
        channel: Annotated[str | None, Query(max_length=50)] = None,
    ) -> dict[str, Any]:
        """Send every queued digest now instead of at the digest hour."""
        chosen = [email_channel(channel)] if channel or len(adapters) == 1 else list(adapters.values())
        mailed = 0
        for adapter in chosen:
            try:
                mailed += await adapter.send_digests(clock(), cutoff=clock())
            except TemporaryFailure as exc:
                raise ProblemError(503, "Digests not sent", f"The mail server is not reachable now ({exc}).") from exc
        return {"mailed": mailed, "by": principal.name}

    return router
