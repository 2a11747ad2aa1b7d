"""Distribution's composition root: one consumer group, one adapter and one dispatcher per enabled channel."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client import Counter

from services.distribution import api, api_subscriptions, handlers
from services.distribution.adapters import Adapter
from services.distribution.adapters.email import EmailAdapter, Mailer
from services.distribution.adapters.feed import FeedAdapter
from services.distribution.adapters.webhook import WebhookAdapter
from services.distribution.adapters.wechat_oa import WeChatAdapter
from services.distribution.adapters.weibo import WeiboAdapter
from services.distribution.dispatcher import Dispatcher, Failed
from services.distribution.domain import Channel
from services.distribution.registry import enabled_ids, load_channels, settings_env
from services.distribution.rendering import Renderer
from services.distribution.repository import DeliveryRepository
from services.distribution.settings import DistributionSettings
from services.distribution.subscriptions import SubscriptionRepository
from shared.logging import get_logger
from shared.messaging import Incoming
from shared.runtime import Runtime, serve

log = get_logger(__name__)


def create_app(settings: DistributionSettings | None = None) -> FastAPI:
    settings = settings or DistributionSettings()
    runtime = Runtime("distribution", settings)
    env = settings_env(settings.defaults_for_registry())
    channels = load_channels(settings.channels_path, env, enabled_ids(settings.enabled_channels))
    enabled = [c for c in channels if c.enabled]
    renderer = Renderer()
    base_url = settings.base_url
    feed_url = f"{base_url}/feed.atom"
    hub = next((c.feed.websub_hub for c in enabled if c.type == "feed" and c.feed and c.feed.websub_hub), None)
    outcomes = Counter(
        "govpub_deliveries_total", "Delivery attempts by channel and outcome", ["channel", "outcome"],
        registry=runtime.metrics.registry,
    )
    dispatchers: dict[str, Dispatcher] = {}
    email_adapters: dict[str, EmailAdapter] = {}
    clients: list[httpx.AsyncClient] = []
    tasks: list[asyncio.Task[None]] = []
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def repository() -> DeliveryRepository:
        return DeliveryRepository(runtime.db)

    def subscriptions() -> SubscriptionRepository:
        return SubscriptionRepository(runtime.db)

    def client_for(channel: Channel) -> httpx.AsyncClient:
        # One client per channel: a slow endpoint cannot use up the connections of the others.
        timeout = channel.timeout_s or settings.http_timeout_s
        client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        clients.append(client)
        return client

    def adapter_for(channel: Channel) -> Adapter:
        secret = env.get(channel.secret_env or "", "")
        if channel.type == "feed":
            return FeedAdapter(runtime.db, channel.id, feed_url=feed_url,
                               hub=channel.feed.websub_hub if channel.feed else None, client=client_for(channel))
        if channel.type == "webhook":
            return WebhookAdapter(channel.endpoint or "", secret, client_for(channel))
        if channel.type == "wechat_oa":
            assert channel.wechat is not None
            return WeChatAdapter(channel.endpoint or "", channel.wechat, env.get(channel.wechat.app_secret_env, ""),
                                 client_for(channel), renderer)
        if channel.type == "weibo":
            assert channel.weibo is not None
            return WeiboAdapter(channel.endpoint or "", channel.weibo, env.get(channel.weibo.access_token_env, ""),
                                client_for(channel), renderer)
        assert channel.email is not None
        options = channel.email
        mailer = Mailer(options, username=env.get(options.username_env or "", ""),
                        password=env.get(options.password_env or "", ""),
                        timeout_s=channel.timeout_s or settings.http_timeout_s)
        adapter = EmailAdapter(channel, subscriptions(), mailer, renderer, base_url=base_url,
                               secret=settings.subscription_secret)
        email_adapters[channel.id] = adapter
        return adapter

    async def on_failed(failed: list[Failed], token: str, now: datetime) -> None:
        events = await handlers.record_failures(repository(), runtime.outbox, failed, token, now)
        for event in events:
            outcomes.labels(event.channel_id, "alerted").inc()

    def register(channel: Channel) -> None:
        async def on_publications(batch: list[Incoming[Any]]) -> None:
            added = await handlers.on_publications(
                channel, repository(), runtime.outbox, batch, consumer=runtime.group(channel.id), now=datetime.now(UTC)
            )
            if added and channel.id in dispatchers:
                dispatchers[channel.id].wake()

        # Each channel has its own consumer group: a slow or broken channel never holds back the others.
        runtime.subscribe(handlers.released_or_withdrawn(), on_publications, group=runtime.group(channel.id))

    for channel in enabled:
        register(channel)

    async def digests(adapter: EmailAdapter) -> None:
        while True:
            await asyncio.sleep(settings.digest_check_interval_s)
            try:
                sent = await adapter.send_digests()
                if sent:
                    log.info("digests sent", channel=adapter.channel.id, mailed=sent)
            except Exception as exc:
                log.warning("digest round failed; will retry", channel=adapter.channel.id, error=str(exc))

    @runtime.on_started
    async def _start(rt: Runtime) -> None:
        await repository().ensure_indexes()
        await subscriptions().ensure_indexes()
        for channel in enabled:
            dispatcher = Dispatcher(
                channel, adapter_for(channel), repository(), interval_s=settings.dispatch_interval_s,
                lease_s=settings.lease_s, on_outcome=lambda ch, status: outcomes.labels(ch, status).inc(),
                on_failed=on_failed, owner=owner,
            )
            dispatchers[channel.id] = dispatcher
            dispatcher.start()
        for adapter in email_adapters.values():
            tasks.append(asyncio.create_task(digests(adapter), name=f"digests-{adapter.channel.id}"))

    @runtime.on_stopping
    async def _stop(rt: Runtime) -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.gather(*(dispatcher.stop() for dispatcher in dispatchers.values()))
        for client in clients:
            await client.aclose()

    routers = [
        api.build_router(repository, channels, settings.common.public_base_url, feed_url, dispatchers, hub),
        api_subscriptions.build_router(subscriptions, channels, email_adapters, renderer, base_url=base_url,
                                       secret=settings.subscription_secret),
    ]
    return runtime.create_app(title="govpub distribution", routers=routers)


def main() -> None:
    settings = DistributionSettings()
    serve(create_app(settings), settings)
