"""The Weibo adapter against a local fake of statuses/share, statuses/destroy and statuses/user_timeline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from services.distribution.adapters import PermanentFailure, Progress, TemporaryFailure
from services.distribution.adapters.weibo import WeiboAdapter
from services.distribution.domain import WeiboOptions
from services.distribution.domain.platforms import weibo_weight
from services.distribution.rendering import Renderer
from tests.unit.distribution.fakes import WeiboState, serve, weibo_app
from tests.unit.distribution.samples import release_work, withdraw_work


@dataclass
class Fixture:
    state: WeiboState
    adapter: WeiboAdapter


@pytest.fixture
def state() -> WeiboState:
    return WeiboState()


@pytest.fixture
def base_url(state: WeiboState) -> Iterator[str]:
    with serve(weibo_app(state)) as url:
        yield url


@pytest.fixture
async def wb(state: WeiboState, base_url: str) -> AsyncIterator[Fixture]:
    async with httpx.AsyncClient(timeout=0.5) as client:
        options = WeiboOptions(access_token_env="X", max_weight=140, url_weight=12)
        yield Fixture(state, WeiboAdapter(base_url, options, state.access_token, client, Renderer()))


async def test_posts_title_summary_and_links_within_the_length_limit(wb: Fixture) -> None:
    long_summary = "为进一步缓解园区中小企业融资难题，" * 20
    post_id = await wb.adapter.deliver(release_work(summary=long_summary), Progress())

    text = wb.state.posts[post_id]
    assert text.startswith("【上海市知识产权局关于开展2024年")
    assert "全文：https://portal.example/documents/" in text
    assert "解读：https://portal.example/documents/i-1" in text
    assert "…" in text and weibo_weight(text, 12) <= 140


async def test_withdrawal_deletes_the_post_and_tolerates_one_already_gone(wb: Fixture) -> None:
    post_id = await wb.adapter.deliver(release_work(), Progress())

    await wb.adapter.deliver(withdraw_work("weibo", (post_id,)), Progress())
    assert wb.state.deleted == [post_id] and not wb.state.posts
    await wb.adapter.deliver(withdraw_work("weibo", (post_id,)), Progress())  # 20101: already gone


async def test_rate_limits_and_server_errors_are_temporary_bad_tokens_permanent(wb: Fixture) -> None:
    wb.state.script.errors = [(403, 10023), (503, 10001)]
    for _ in range(2):
        with pytest.raises(TemporaryFailure):
            await wb.adapter.deliver(release_work(), Progress())

    wb.adapter.access_token = "expired"
    with pytest.raises(PermanentFailure, match="21332"):
        await wb.adapter.deliver(release_work(), Progress())


async def test_a_timed_out_post_is_found_on_the_timeline_and_not_posted_twice(wb: Fixture) -> None:
    wb.state.script.slow, wb.state.script.delay_s = 1, 1.0  # Weibo posts it, but answers after the client gave up
    saved: dict[str, object] = {}

    async def save(values: dict[str, object]) -> None:
        saved.update(values)

    with pytest.raises(TemporaryFailure, match="Timeout"):
        await wb.adapter.deliver(release_work(), Progress(save=save))
    assert list(saved) == ["posting_at"]

    await asyncio.sleep(0.7)  # the fake finishes handling the first request
    post_id = await wb.adapter.deliver(release_work(), Progress(dict(saved), save))
    assert wb.state.shares == 1 and list(wb.state.posts) == [post_id]


async def test_a_timed_out_post_is_found_even_when_weibo_shortened_its_links(wb: Fixture) -> None:
    wb.state.shorten = True
    wb.state.script.slow, wb.state.script.delay_s = 1, 1.0
    saved: dict[str, object] = {}

    async def save(values: dict[str, object]) -> None:
        saved.update(values)

    with pytest.raises(TemporaryFailure):
        await wb.adapter.deliver(release_work(), Progress(save=save))
    await asyncio.sleep(0.7)
    post_id = await wb.adapter.deliver(release_work(), Progress(dict(saved), save))
    assert wb.state.shares == 1 and list(wb.state.posts) == [post_id] and "t.cn" in wb.state.posts[post_id]


async def test_a_post_of_another_document_with_the_same_title_is_never_adopted(wb: Fixture) -> None:
    wb.state.shorten = True
    other = await wb.adapter.deliver(release_work(document_id="other", release_id="other:v1",
                                                  url="https://portal.example/documents/other"), Progress())
    # An earlier attempt for this document was marked, but never reached Weibo.
    post_id = await wb.adapter.deliver(release_work(), Progress({"posting_at": time.time()}))
    assert post_id != other and wb.state.shares == 2


async def test_repeat_content_refusal_adopts_the_existing_post(wb: Fixture) -> None:
    first = await wb.adapter.deliver(release_work(), Progress())
    again = await wb.adapter.deliver(release_work(), Progress())  # 20019 from Weibo, then the timeline look-up
    assert again == first and wb.state.shares == 1
