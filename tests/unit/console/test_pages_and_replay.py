"""The console's pages, JSON twins and replay over an in-memory repository and faked neighbours."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.console import api, domain, handlers, pages
from services.console.sources import Sources
from services.console.views import Views
from shared.auth import KeyStore, Principal
from shared.envelope import Envelope
from shared.events import DocumentReleased
from shared.http import install_problem_handlers
from shared.settings import CommonSettings
from tests.unit.console.memory import MemoryRepository

NOW = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
XSS = '<script>alert("x")</script>'
LAG_TEXT = (
    "# HELP govpub_consumer_lag lag\n# TYPE govpub_consumer_lag gauge\n"
    'govpub_consumer_lag{group="govpub.review",partition="1",service="review",topic="intake.document-received.v1"} 4.0\n'
)


def neighbours(stuck: int | None = 404) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        host, path = request.url.host, request.url.path
        if path == "/metrics":
            if request.url.port == 8003:
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(200, text=LAG_TEXT if request.url.port == 8002 else "")
        if path == "/v1/stuck":
            if stuck is None:
                raise httpx.ConnectError("refused", request=request)
            return httpx.Response(stuck, json={"documents": [{"document_id": XSS, "version": 1, "stage": "review",
                                                              "since": NOW.isoformat(), "age_s": 600, "redriven": 1}]})
        if path == "/v1/channels":
            return httpx.Response(200, json={"channels": [{"id": "partner-webhook", "name": "合作平台", "takes": {}}]})
        if path == "/v1/deliveries":
            return httpx.Response(200, json={"deliveries": [{"channel_id": "partner-webhook", "status": "delivered",
                                                             "release_id": "d:v1", "payload": {"body": "正文"}}]})
        return httpx.Response(404, json={"detail": f"nothing at {host}{path}"})

    return answer


class Published:
    def __init__(self) -> None:
        self.records: list[tuple[bytes, str, bytes | None, dict[str, str]]] = []

    async def __call__(self, value: bytes, topic: str, key: bytes | None, headers: dict[str, str]) -> None:
        self.records.append((value, topic, key, headers))


async def seeded(repo: MemoryRepository) -> str:
    headers = [("ce_id", b"e-1"), ("dlq_source_topic", b"review.decision-made.v1"), ("dlq_error", XSS.encode()),
               ("dlq_service", b"publication"), ("dlq_time", NOW.isoformat().encode())]
    row = domain.dead_letter_row("publication.dead-letter.v1", 0, 3, b"doc-1", b"\xff" + XSS.encode(), headers, None, NOW)
    await repo.save_dead_letters([row])
    released = domain.trace_row(Envelope("e-9", "govpub.x", "/govpub/publication", "doc-1", NOW, "c"),
                                {"release_id": "doc-1:v1", "version": 1, "title": XSS, "audience": []},
                                DocumentReleased.TOPIC, 2, 9, NOW)
    await repo.save_trace([released])
    return str(row["_id"])


@pytest.fixture
async def setup(
    tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[httpx.AsyncClient, MemoryRepository, Published, dict[str, str]]]:
    repo, published = MemoryRepository(), Published()
    keys = KeyStore(tmp_path / "keys.yaml")
    issued = {"operator": keys.create("ops", "operator"), "reviewer": keys.create("rev", "reviewer")}
    neighbour = httpx.AsyncClient(transport=httpx.MockTransport(neighbours()))
    common = CommonSettings(intake_url="http://intake:8001", review_url="http://review:8002",
                            tagging_url="http://tagging:8003", publication_url="http://publication:8004",
                            distribution_url="http://distribution:8005")
    views = Views(lambda: repo, lambda: Sources(neighbour, common), lambda: [], 50)  # type: ignore[arg-type, return-value]

    async def replay(dead_letter_id: str, principal: Principal) -> dict[str, Any]:
        return await handlers.replay(repo, published, dead_letter_id, principal, NOW)  # type: ignore[arg-type]

    app = FastAPI()
    install_problem_handlers(app)
    app.state.keys = keys
    app.state.auth_required = getattr(request, "param", False)  # the embedded profile's default
    app.include_router(api.build_router(views, replay))
    app.include_router(pages.build_router(views, replay))
    pages.install(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://console") as client:
        yield client, repo, published, issued
    await neighbour.aclose()


async def test_replay_sends_the_original_bytes_and_headers_back_and_records_who(setup: Any) -> None:
    client, repo, published, keys = setup
    dead_letter_id = await seeded(repo)
    response = await client.post(f"/v1/dead-letters/{dead_letter_id}/replay",
                                 headers={"Authorization": f"Bearer {keys['operator']}"})
    assert response.status_code == 200, response.text
    assert published.records == [(b"\xff" + XSS.encode(), "review.decision-made.v1", b"doc-1", {"ce_id": "e-1"})]
    assert repo.letters[dead_letter_id]["replays"] == [{"by": "ops", "at": NOW}]


async def test_replay_over_json_needs_a_bearer_operator_key(setup: Any) -> None:
    client, repo, published, keys = setup
    dead_letter_id = await seeded(repo)
    url = f"/v1/dead-letters/{dead_letter_id}/replay"
    assert (await client.post(url)).status_code == 401
    assert (await client.post(url, headers={"Authorization": f"Bearer {keys['reviewer']}"})).status_code == 403
    missing = await client.post("/v1/dead-letters/nope/replay", headers={"Authorization": f"Bearer {keys['operator']}"})
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert published.records == []


async def test_a_dead_letter_from_an_unknown_topic_is_not_replayed(setup: Any) -> None:
    client, repo, published, keys = setup
    row = domain.dead_letter_row("intake.dead-letter.v1", 0, 1, None, b"x", [("dlq_source_topic", b"elsewhere.v1")],
                                 None, NOW)
    await repo.save_dead_letters([row])
    response = await client.post(f"/v1/dead-letters/{row['_id']}/replay",
                                 headers={"Authorization": f"Bearer {keys['operator']}"})
    assert response.status_code == 409 and "elsewhere.v1" in response.json()["detail"]
    assert published.records == []


async def test_pages_escape_what_came_from_messages_and_carry_a_strict_csp(setup: Any) -> None:
    client, repo, _, _ = setup
    dead_letter_id = await seeded(repo)
    for path in ("/", "/topics", "/groups", "/dead-letters", f"/dead-letters/{dead_letter_id}", "/stuck",
                 "/documents/doc-1"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert "<script" not in response.text, path
    page = (await client.get(f"/dead-letters/{dead_letter_id}")).text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&lt;script&gt;" in (await client.get("/documents/doc-1")).text
    assert (await client.get("/static/console.css")).status_code == 200


async def test_replay_form_takes_the_key_from_its_body_and_refuses_other_sites(setup: Any) -> None:
    client, repo, published, keys = setup
    dead_letter_id = await seeded(repo)
    url = f"/dead-letters/{dead_letter_id}/replay"
    assert (await client.post(url, data={"key": ""})).status_code == 401
    assert (await client.post(url, data={"key": "gpk_unknown"})).status_code == 401
    assert (await client.post(url, data={"key": keys["reviewer"]})).status_code == 403
    cross = await client.post(url, data={"key": keys["operator"]}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    cross = await client.post(url, data={"key": keys["operator"]}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert published.records == []
    done = await client.post(url, data={"key": keys["operator"]}, headers={"Origin": "http://console"})
    assert done.status_code == 303 and done.headers["location"] == f"/dead-letters/{dead_letter_id}?replayed=true"
    assert len(published.records) == 1
    assert "已重放" in (await client.get(done.headers["location"])).text


async def test_groups_show_lag_and_which_services_could_not_be_asked(setup: Any) -> None:
    client, _, _, _ = setup
    body = (await client.get("/v1/groups")).json()
    assert {"service": "review", "group": "govpub.review", "lag": 4} in body["groups"]
    assert [s["service"] for s in body["services"] if not s["reachable"]] == ["tagging"]


async def test_stuck_is_unavailable_with_a_reason_when_intake_cannot_answer() -> None:
    common = CommonSettings(intake_url="http://intake:8001")
    for status, reason in ((404, "404"), (None, "unreachable")):
        async with httpx.AsyncClient(transport=httpx.MockTransport(neighbours(status))) as client:
            answer = await Sources(client, common).stuck()
        assert not answer.available and reason in (answer.reason or "")
    async with httpx.AsyncClient(transport=httpx.MockTransport(neighbours(200))) as client:
        answer = await Sources(client, common).stuck()
    assert answer.available and answer.body["documents"][0]["redriven"] == 1


async def test_deliveries_are_kept_without_the_document_they_carry() -> None:
    common = CommonSettings(distribution_url="http://distribution:8005")
    async with httpx.AsyncClient(transport=httpx.MockTransport(neighbours())) as client:
        answer = await Sources(client, common).deliveries("doc-1")
    assert answer.available and "payload" not in answer.body[0]


def test_same_origin_check_reads_origin_and_fetch_metadata() -> None:
    from starlette.requests import Request

    def request(headers: dict[str, str]) -> Request:
        raw = [(k.lower().encode(), v.encode()) for k, v in {"host": "console:8000", **headers}.items()]
        return Request({"type": "http", "method": "POST", "path": "/", "headers": raw})

    assert pages.same_origin(request({}))
    assert pages.same_origin(request({"Origin": "http://console:8000", "Sec-Fetch-Site": "same-origin"}))
    assert not pages.same_origin(request({"Origin": "http://evil:8000"}))
    assert not pages.same_origin(request({"Origin": "null"}))
    assert not pages.same_origin(request({"Sec-Fetch-Site": "same-site"}))


async def test_console_calls_the_other_services_with_its_operator_key_when_it_has_one() -> None:
    from services.console.sources import make_client

    async with make_client(1.0, "gpk_console") as keyed, make_client(1.0, None) as keyless:
        assert keyed.headers["authorization"] == "Bearer gpk_console"
        assert "authorization" not in keyless.headers
        assert keyed.follow_redirects is False


@pytest.mark.parametrize("setup", [True], indirect=True)
async def test_where_keys_are_required_a_dead_letters_bytes_are_shown_to_operators_only(setup: Any) -> None:
    client, repo, _, keys = setup
    dead_letter_id = await seeded(repo)
    shown_bytes = '<pre class="bytes">'
    page = await client.get(f"/dead-letters/{dead_letter_id}")
    assert page.status_code == 200 and "运维密钥" in page.text and shown_bytes not in page.text
    assert (await client.get(f"/v1/dead-letters/{dead_letter_id}")).status_code == 401
    reviewer = await client.post(f"/dead-letters/{dead_letter_id}/bytes", data={"key": keys["reviewer"]})
    assert reviewer.status_code == 403 and shown_bytes not in reviewer.text
    shown = await client.post(f"/dead-letters/{dead_letter_id}/bytes", data={"key": keys["operator"]})
    assert shown.status_code == 200 and shown_bytes in shown.text and keys["operator"] not in shown.text
    detail = await client.get(f"/v1/dead-letters/{dead_letter_id}", headers={"Authorization": f"Bearer {keys['operator']}"})
    assert detail.status_code == 200 and XSS in detail.json()["value_text"]


async def test_in_the_open_embedded_profile_the_bytes_are_on_the_page(setup: Any) -> None:
    client, repo, _, _ = setup
    dead_letter_id = await seeded(repo)
    assert '<pre class="bytes">' in (await client.get(f"/dead-letters/{dead_letter_id}")).text
