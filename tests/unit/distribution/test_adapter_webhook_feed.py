"""The webhook adapter against a local receiver, and the feed's WebSub ping against a local hub."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from services.distribution.adapters import PermanentFailure, Progress, TemporaryFailure
from services.distribution.adapters.feed import FeedAdapter
from services.distribution.adapters.webhook import WebhookAdapter
from tests.unit.distribution.fakes import HubState, WebhookState, hub_app, serve, webhook_app
from tests.unit.distribution.samples import release_work


@pytest.fixture
def receiver() -> Iterator[tuple[WebhookState, str]]:
    state = WebhookState(secret="s3cret")
    with serve(webhook_app(state)) as url:
        yield state, f"{url}/hooks/partner"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=0.5) as c:
        yield c


async def test_webhook_posts_a_signed_envelope_keyed_by_the_delivery_id(
    receiver: tuple[WebhookState, str], client: httpx.AsyncClient
) -> None:
    state, url = receiver
    work = release_work("partner")
    await WebhookAdapter(url, "s3cret", client).deliver(work, Progress())
    assert state.posts == {work.delivery_id: 1}
    assert state.received[0]["type"] == "released" and state.received[0]["data"]["release_id"] == work.release_id


async def test_webhook_5xx_429_and_timeouts_are_temporary_other_4xx_permanent(
    receiver: tuple[WebhookState, str], client: httpx.AsyncClient
) -> None:
    state, url = receiver
    adapter = WebhookAdapter(url, "s3cret", client)
    state.script.errors = [500, 429]
    for status in ("500", "429"):
        with pytest.raises(TemporaryFailure, match=status):
            await adapter.deliver(release_work("partner"), Progress())
    state.script.slow, state.script.delay_s = 1, 1.0
    with pytest.raises(TemporaryFailure, match="Timeout"):
        await adapter.deliver(release_work("partner"), Progress())
    state.script.errors = [410]
    with pytest.raises(PermanentFailure, match="410"):
        await adapter.deliver(release_work("partner"), Progress())
    with pytest.raises(PermanentFailure, match="401"):
        await WebhookAdapter(url, "wrong-secret", client).deliver(release_work("partner"), Progress())


class Entries:
    """Just enough of a collection for the feed adapter."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, Any]] = {}

    async def replace_one(self, filter_: dict[str, Any], row: dict[str, Any], upsert: bool = False) -> None:
        self.rows[filter_["_id"]] = row

    async def delete_one(self, filter_: dict[str, Any]) -> None:
        self.rows.pop(filter_["_id"], None)


class Db:
    def __init__(self) -> None:
        self.feed_entries = Entries()


async def test_feed_pings_its_websub_hub_once_per_round_with_new_entries(client: httpx.AsyncClient) -> None:
    state = HubState()
    with serve(hub_app(state)) as url:
        feed = FeedAdapter(Db(), "portal-feed", feed_url="https://push.example/feed.atom", hub=f"{url}/hub",  # type: ignore[arg-type]
                           client=client)
        await feed.deliver(release_work("portal-feed", release_id="a:v1", document_id="a"), Progress())
        await feed.deliver(release_work("portal-feed", release_id="b:v1", document_id="b"), Progress())
        await feed.flush()
        await feed.flush()  # nothing new: no second ping
        assert state.pings == [{"hub.mode": "publish", "hub.url": "https://push.example/feed.atom"}]


async def test_a_failed_ping_is_sent_again_after_a_back_off() -> None:
    state = HubState()
    state.script.errors = [503]
    now = [0.0]
    # Its own client with room to connect: a connect timeout on a loaded machine would fail the first
    # ping before the hub saw it, and the scripted 503 would then fail the second.
    async with httpx.AsyncClient(timeout=10) as client:
        with serve(hub_app(state)) as url:
            feed = FeedAdapter(Db(), "portal-feed", feed_url="https://push.example/feed.atom", hub=f"{url}/hub",  # type: ignore[arg-type]
                               client=client, clock=lambda: now[0], ping_backoff_s=30)
            await feed.deliver(release_work("portal-feed"), Progress())
            await feed.flush()
            await feed.flush()
            assert state.pings == []
            now[0] = 31
            await feed.flush()
            assert len(state.pings) == 1
