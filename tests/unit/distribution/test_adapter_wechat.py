"""The WeChat adapter against a local fake of the official account API (token, draft, freepublish)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest

from services.distribution.adapters import PermanentFailure, Progress, TemporaryFailure
from services.distribution.adapters.wechat_oa import WeChatAdapter
from services.distribution.domain import WeChatOptions
from services.distribution.rendering import Renderer
from tests.unit.distribution.fakes import WeChatState, serve, wechat_app
from tests.unit.distribution.samples import release_work, withdraw_work


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Fixture:
    state: WeChatState
    adapter: WeChatAdapter
    clock: Clock


@pytest.fixture
def state() -> WeChatState:
    return WeChatState()


@pytest.fixture
def base_url(state: WeChatState) -> Iterator[str]:
    with serve(wechat_app(state)) as url:
        yield url


@pytest.fixture
async def wx(state: WeChatState, base_url: str) -> AsyncIterator[Fixture]:
    clock = Clock()
    options = WeChatOptions(app_id=state.app_id, app_secret_env="X", thumb_media_id="THUMB", poll_interval_s=0.01,
                            poll_timeout_s=5, token_refresh_margin_s=300)

    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)

    async with httpx.AsyncClient(timeout=0.5) as client:
        adapter = WeChatAdapter(base_url, options, state.secret, client, Renderer(), clock=clock, sleep=no_sleep)
        yield Fixture(state, adapter, clock)


async def test_publishes_an_article_with_the_interpretation_linked_and_returns_its_article_id(wx: Fixture) -> None:
    progress = Progress()
    reference = await wx.adapter.deliver(release_work(), progress)

    assert reference.startswith("ARTICLE-") and reference in wx.state.articles
    draft = next(iter(wx.state.drafts.values()))["articles"][0]
    assert draft["title"].startswith("上海市知识产权局关于开展2024年")
    assert draft["content_source_url"].startswith("https://portal.example/documents/")
    assert "政策解读" in draft["content"] and "https://portal.example/documents/i-1" in draft["content"]
    assert draft["thumb_media_id"] == "THUMB" and draft["digest"]
    assert wx.state.calls == ["token", "draft/add", "freepublish/submit", "freepublish/get", "freepublish/get"]
    assert progress.data["article_id"] == reference and progress.data["media_id"] and progress.data["publish_id"]


async def test_the_access_token_is_cached_and_refreshed_before_it_expires(wx: Fixture) -> None:
    await wx.adapter.deliver(release_work(release_id="a:v1"), Progress())
    await wx.adapter.deliver(release_work(release_id="b:v1"), Progress())
    assert wx.state.calls.count("token") == 1

    wx.clock.now += 7200 - 299  # inside the refresh margin
    await wx.adapter.deliver(release_work(release_id="c:v1"), Progress())
    assert wx.state.calls.count("token") == 2


async def test_concurrent_deliveries_share_one_token_refresh(wx: Fixture) -> None:
    await asyncio.gather(*(wx.adapter.deliver(release_work(release_id=f"d{i}:v1"), Progress()) for i in range(6)))
    assert wx.state.calls.count("token") == 1
    assert len(wx.state.articles) == 6


async def test_a_token_the_platform_no_longer_accepts_is_refreshed_and_the_call_made_once_more(wx: Fixture) -> None:
    await wx.adapter.deliver(release_work(release_id="a:v1"), Progress())
    wx.state.tokens.append("ROTATED-ELSEWHERE")  # another client fetched a token: ours is invalid now (40001)

    reference = await wx.adapter.deliver(release_work(release_id="b:v1"), Progress())
    assert reference in wx.state.articles
    assert wx.state.calls.count("token") == 2


async def test_quota_errors_are_temporary_and_invalid_media_is_permanent(wx: Fixture) -> None:
    wx.state.script.errors = [45009]
    with pytest.raises(TemporaryFailure, match="45009"):
        await wx.adapter.deliver(release_work(), Progress())

    with pytest.raises(PermanentFailure, match="40007"):
        await wx.adapter.deliver(release_work(title="", summary=""), Progress())


async def test_server_errors_and_slow_answers_are_temporary(wx: Fixture) -> None:
    await wx.adapter.token.get()
    wx.state.script.errors = [503]
    with pytest.raises(TemporaryFailure, match="HTTP 503"):
        await wx.adapter.deliver(release_work(), Progress())

    wx.state.script.slow, wx.state.script.delay_s = 1, 1.0  # the client gives up after 0.5 s
    with pytest.raises(TemporaryFailure, match="Timeout"):
        await wx.adapter.deliver(release_work(), Progress())


async def test_a_retry_resumes_polling_the_submitted_publish_instead_of_publishing_again(wx: Fixture) -> None:
    wx.state.publish_polls = 10_000
    saved: dict[str, object] = {}

    async def save(values: dict[str, object]) -> None:
        saved.update(values)

    async def advance(_: float) -> None:
        wx.clock.now += 1

    wx.adapter.sleep = advance
    with pytest.raises(TemporaryFailure, match="still publishing"):
        await wx.adapter.deliver(release_work(), Progress(save=save))
    assert saved["publish_id"] and len(wx.state.publishes) == 1

    wx.state.publish_polls = 0
    reference = await wx.adapter.deliver(release_work(), Progress(dict(saved), save))
    assert reference in wx.state.articles
    assert len(wx.state.drafts) == 1 and len(wx.state.publishes) == 1


async def test_platform_review_refusal_is_permanent_and_a_normal_failure_is_retried(wx: Fixture) -> None:
    wx.state.final_status = 4
    progress = Progress()
    with pytest.raises(PermanentFailure, match="平台审核不通过"):
        await wx.adapter.deliver(release_work(), progress)
    assert progress.data["publish_id"] is None and progress.data["media_id"]

    wx.state.final_status = 3
    with pytest.raises(TemporaryFailure, match="常规失败"):
        await wx.adapter.deliver(release_work(), progress)


async def test_withdrawal_deletes_the_published_article_and_tolerates_one_already_gone(wx: Fixture) -> None:
    article_id = await wx.adapter.deliver(release_work(), Progress())

    await wx.adapter.deliver(withdraw_work("ch", (article_id,)), Progress())
    assert wx.state.deleted == [article_id] and not wx.state.articles
    await wx.adapter.deliver(withdraw_work("ch", (article_id,)), Progress())  # 53600: nothing left to retract


async def test_a_wrong_app_secret_is_a_permanent_failure(wx: Fixture) -> None:
    wx.adapter.app_secret = "wrong"
    with pytest.raises(PermanentFailure, match="40125"):
        await wx.adapter.deliver(release_work(), Progress())
