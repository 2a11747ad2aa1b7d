"""Distribution's composition root: one consumer group and one dispatcher per channel."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from prometheus_client import Counter

from services.distribution import api, handlers
from services.distribution.adapters import Adapter
from services.distribution.adapters.feed import FeedAdapter
from services.distribution.adapters.webhook import WebhookAdapter
from services.distribution.domain import Channel
from services.distribution.registry import load_channels, settings_env
from services.distribution.repository import DeliveryRepository
from services.distribution.settings import DistributionSettings
from shared.messaging import Incoming
from shared.runtime import Runtime, serve


def create_app(settings: DistributionSettings | None = None) -> FastAPI:
    settings = settings or DistributionSettings()
    runtime = Runtime("distribution", settings)
    env = settings_env(
        {
            "GOVPUB_DISTRIBUTION_WEBHOOK_URL": settings.webhook_url,
            "GOVPUB_DISTRIBUTION_WEBHOOK_SECRET": settings.webhook_secret,
        }
    )
    channels = load_channels(settings.channels_path, env)
    outcomes = Counter(
        "govpub_deliveries_total", "Delivery attempts by channel and outcome", ["channel", "outcome"],
        registry=runtime.metrics.registry,
    )
    dispatchers: dict[str, handlers.Dispatcher] = {}
    http: dict[str, httpx.AsyncClient] = {}

    def repository() -> DeliveryRepository:
        return DeliveryRepository(runtime.db)

    def adapter_for(channel: Channel) -> Adapter:
        if channel.type == "feed":
            return FeedAdapter(runtime.db, channel.id)
        secret = env.get(channel.secret_env or "", "")
        return WebhookAdapter(channel.endpoint or "", secret, http["client"])

    def register(channel: Channel) -> None:
        async def on_publications(batch: list[Incoming[Any]]) -> None:
            added = await handlers.on_publications(
                channel, repository(), runtime.outbox, batch, consumer=runtime.group(channel.id), now=datetime.now(UTC)
            )
            if added and channel.id in dispatchers:
                dispatchers[channel.id].wake()

        # Each channel has its own consumer group: a slow or broken channel never holds back the others.
        runtime.subscribe(handlers.released_or_withdrawn(), on_publications, group=runtime.group(channel.id))

    for channel in channels:
        register(channel)

    @runtime.on_started
    async def _start(rt: Runtime) -> None:
        await repository().ensure_indexes()
        http["client"] = httpx.AsyncClient(timeout=settings.http_timeout_s, follow_redirects=False)
        for channel in channels:
            dispatcher = handlers.Dispatcher(
                channel, adapter_for(channel), repository(), interval_s=settings.dispatch_interval_s,
                on_outcome=lambda ch, status: outcomes.labels(ch, status).inc(),
            )
            dispatchers[channel.id] = dispatcher
            dispatcher.start()

    @runtime.on_stopping
    async def _stop(rt: Runtime) -> None:
        for dispatcher in dispatchers.values():
            await dispatcher.stop()
        if "client" in http:
            await http["client"].aclose()

    portal = settings.common.public_base_url
    router = api.build_router(repository, channels, portal, f"http://{settings.host}:{settings.port}/feed.atom")
    return runtime.create_app(title="govpub distribution", routers=[router])


def main() -> None:
    settings = DistributionSettings()
    serve(create_app(settings), settings)
