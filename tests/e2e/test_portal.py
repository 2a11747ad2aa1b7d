"""The public portal and library search against the real stack: pages, facets, tombstones, feed, XSS, indexes."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import feedparser
import httpx
import pytest
from pymongo import AsyncMongoClient

from govpub.stack import Stack
from services.publication.handlers import upkeep
from services.publication.repository import (
    PublicationRepository,
    changes_query,
    page_query,
    searchable_query,
)
from services.publication.settings import PublicationSettings
from shared.messaging import make_broker
from shared.outbox import Outbox
from shared.settings import CommonSettings
from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack
XSS = '<script>alert("x")</script>" onmouseover="alert(1)'


def fresh(name: str, **changes: Any) -> dict[str, Any]:
    document = sample(name)
    document["source_id"] = f"{document['source_id']}-{uuid.uuid4().hex[:8]}"
    document.update(changes)
    return document


def status(api: Api, document_id: str) -> int | None:
    """The library's HTTP status for a document; None when the service is too busy to answer in time."""
    try:
        return api.library_entry(document_id).status_code
    except httpx.TimeoutException:
        return None


def released(api: Api, document: dict[str, Any]) -> str:
    response = api.submit(document)
    assert response.status_code == 202, response.text
    document_id = str(response.json()["document_id"])
    wait_until(lambda: status(api, document_id) == 200, timeout=90, what=f"{document_id} in the library")
    return document_id


def page(api: Api, path: str, **params: Any) -> Any:
    return api.client.get(f"{api.url('publication')}{path}", params=params)


def unsafe_markup(html: str) -> list[str]:
    """Script elements and on* attributes as a browser's parser would see them."""
    found: list[str] = []

    class Scan(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(f"{tag}@{name}" for name, _ in attrs if name.startswith("on"))
            if tag == "script":
                found.append("script")

    Scan().feed(html)
    return found


def test_released_document_has_a_portal_page_with_its_elements_and_safety_headers(api: Api) -> None:
    document_id = released(api, fresh("01-patent-pledge-notice.json"))
    response = page(api, f"/documents/{document_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]
    html = response.text
    assert '<html lang="zh-CN">' in html and "沪知局〔2024〕7号" in html
    for label in ("发文字号", "发文机关", "成文日期", "文种", "公开属性", "效力状态"):
        assert f'<th scope="row">{label}</th>' in html
    assert 'href="/search?tag=topic.patent"' in html
    assert not unsafe_markup(html)
    home = page(api, "/")
    assert home.status_code == 200 and f'href="/documents/{document_id}"' in home.text


def test_search_page_and_api_give_facets_with_counts_and_filter_by_validity(api: Api) -> None:
    document_id = released(api, fresh("01-patent-pledge-notice.json"))
    result = api.search(q="专利质押融资")
    assert document_id in [r["document_id"] for r in result["results"]]
    assert set(result) >= {"query", "total", "page", "page_size", "results", "facets"}
    types = {f["value"]: f["count"] for f in result["facets"]["type"]}
    assert types.get("通知", 0) >= 1
    assert {f["value"] for f in result["facets"]["validity"]} == {"有效"}
    assert any(f["value"] == "topic.patent" and f["dimension"] == "topic" for f in result["facets"]["tag"])
    assert api.search(q="专利质押融资", validity="废止")["total"] == 0

    html = page(api, "/search", q="专利质押融资").text
    assert f'href="/documents/{document_id}"' in html
    assert "<h3>文种</h3>" in html and "<h3>效力状态</h3>" in html and "共找到" in html
    narrowed = page(api, "/search", q="专利质押融资", type="通知", validity="有效")
    assert narrowed.status_code == 200 and f'href="/documents/{document_id}"' in narrowed.text

    doc_number = api.search(q="沪知局[2024]7号")
    assert document_id in [r["document_id"] for r in doc_number["results"]]


def test_validity_set_by_an_editor_is_shown_and_filterable(api: Api, stack: Stack) -> None:
    from shared.auth import KeyStore

    document_id = released(api, fresh("01-patent-pledge-notice.json"))
    url = f"{api.url('publication')}/v1/library/{document_id}/validity"
    assert api.client.put(url, json={"validity": "失效"}).status_code == 401
    key = KeyStore(stack.config.keys_file).create("editor-portal-test", "editor")
    response = api.client.put(url, json={"validity": "失效"}, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    assert api.library_entry(document_id).json()["validity"] == "失效"
    assert document_id in [r["document_id"] for r in api.search(q="专利质押融资", validity="失效")["results"]]
    assert "本文件<strong>失效</strong>" in page(api, f"/documents/{document_id}").text


def test_withdrawn_document_page_is_a_410_tombstone_with_date_and_reason(api: Api) -> None:
    document_id = released(api, fresh("01-patent-pledge-notice.json"))
    response = api.client.delete(f"{api.url('intake')}/v1/documents/{document_id}", params={"reason": "政策调整"})
    assert response.status_code == 202
    gone = wait_until(lambda: (r := page(api, f"/documents/{document_id}")).status_code == 410 and r,
                      timeout=90, what="the tombstone page")
    assert "已撤回" in gone.text and "政策调整" in gone.text and "撤回日期" in gone.text
    assert "default-src 'self'" in gone.headers["content-security-policy"]


def test_targeted_document_has_no_portal_page(api: Api) -> None:
    response = api.submit(fresh("06-targeted-park-notice.json"))
    document_id = response.json()["document_id"]
    wait_until(lambda: (api.publication_status(document_id) or {}).get("library_status") == "released",
               timeout=90, what="the targeted release")
    assert page(api, f"/documents/{document_id}").status_code == 404
    assert api.library_entry(document_id).status_code == 404


def test_policy_and_interpretation_pages_link_to_each_other(api: Api) -> None:
    tag = uuid.uuid4().hex[:6]
    policy = fresh("04-policy-requiring-interpretation.json", doc_number=f"沪知局规〔2024〕{int(tag, 16) % 9000 + 100}号")
    policy_id = api.submit(policy).json()["document_id"]
    interpretation_id = released(api, fresh("05-interpretation.json", interprets=policy["doc_number"]))
    wait_until(lambda: status(api, policy_id) == 200, timeout=90, what="the policy released")
    policy_html = page(api, f"/documents/{policy_id}").text
    assert f'<a href="/documents/{interpretation_id}" rel="related">' in policy_html and "政策解读" in policy_html
    interpretation_html = page(api, f"/documents/{interpretation_id}").text
    assert f'<a href="/documents/{policy_id}" rel="related">' in interpretation_html


def test_feed_is_valid_atom_for_the_library_and_for_one_tag(api: Api) -> None:
    document_id = released(api, fresh("01-patent-pledge-notice.json"))
    response = page(api, "/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed: Any = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id and feed.feed.title and feed.feed.updated
    assert any(link.rel == "self" for link in feed.feed.links)
    entry = next(e for e in feed.entries if e.id.endswith(f"/documents/{document_id}"))
    assert entry.title and entry.updated and entry.link.endswith(f"/documents/{document_id}")
    tagged: Any = feedparser.parse(page(api, "/feed.atom", tag="topic.patent").content)
    assert not tagged.bozo and tagged.entries
    assert all(any(t.term == "topic.patent" for t in e.tags) for e in tagged.entries)


def test_script_and_attribute_payloads_in_every_field_render_inert(api: Api) -> None:
    document = fresh(
        "01-patent-pledge-notice.json",
        title=f"关于专利的通知{XSS}", issuing_organ=f"上海市知识产权局{XSS}",
        body=f"各有关单位：\n正文{XSS}\n第二段 <img src=x onerror=alert(2)>",
    )
    document_id = released(api, document)
    bad_number = api.submit(fresh("01-patent-pledge-notice.json", doc_number=f"沪知局〔2024〕7号{XSS}"))
    if bad_number.status_code == 202:  # accepted and normalized: it must render inert too
        number_id = bad_number.json()["document_id"]
        wait_until(lambda: status(api, number_id) == 200, timeout=90, what="the doc_number document")
        assert not unsafe_markup(page(api, f"/documents/{number_id}").text)
    else:
        assert bad_number.status_code == 422
        assert "doc_number" in {e["field"] for e in bad_number.json()["errors"]}
    for path, params in ((f"/documents/{document_id}", {}), ("/search", {"q": "关于专利的通知"}), ("/", {}),
                         ("/search", {"q": XSS}), ("/catalog", {})):
        html = page(api, path, **params).text
        assert not unsafe_markup(html), path
        assert "<script>alert" not in html, path
    assert "onmouseover=&#34;alert(1)" in page(api, "/search", q=XSS).text  # echoed, escaped
    feed: Any = feedparser.parse(page(api, "/feed.atom").content)
    assert not feed.bozo


def test_search_queries_use_indexes_on_the_real_database(api: Api, stack: Stack) -> None:
    released(api, fresh("01-patent-pledge-notice.json"))

    async def plans() -> list[dict[str, Any]]:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.config.mongo)
        try:
            db = client[PublicationSettings().database]
            ids = [d["_id"] async for d in db.library.find({}, {"_id": 1}).limit(5)]
            out = []
            for filter_, sort in (changes_query(0), page_query(ids), searchable_query()):
                command: dict[str, Any] = {"find": "library", "filter": filter_}
                if sort:
                    command["sort"] = dict(sort)
                out.append(await db.command("explain", command, verbosity="queryPlanner"))
            return out
        finally:
            await client.close()

    def stages(plan: dict[str, Any]) -> list[str]:
        found: list[str] = []
        node: dict[str, Any] | None = plan["queryPlanner"]["winningPlan"]
        while node:
            found.append(node.get("stage", ""))
            node = node.get("inputStage")
        return found

    for plan in asyncio.run(plans()):
        seen = stages(plan)
        assert "COLLSCAN" not in seen, seen
        assert any(s in ("IXSCAN", "IDHACK", "EXPRESS_IXSCAN") for s in seen), seen


def test_policy_held_past_the_limit_raises_interpretation_overdue_once(api: Api, stack: Stack) -> None:
    tag = uuid.uuid4().hex[:6]
    policy = fresh("04-policy-requiring-interpretation.json", doc_number=f"沪知局规〔2025〕{int(tag, 16) % 9000 + 100}号")
    policy_id = api.submit(policy).json()["document_id"]
    wait_until(lambda: (api.publication_status(policy_id) or {}).get("candidate_status") == "waiting_for_interpretation",
               timeout=90, what="the policy held for its interpretation")

    async def run() -> tuple[list[str], list[str], int]:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.config.mongo, tz_aware=True)
        try:
            db = client[PublicationSettings().database]
            outbox = Outbox(client, db, make_broker(CommonSettings(kafka_bootstrap=stack.config.bootstrap), "t"))
            repo = PublicationRepository(db)
            later = datetime.now(UTC) + timedelta(hours=100)
            first = await upkeep.raise_overdue(repo, outbox, now=later, limit=timedelta(hours=72))
            again = await upkeep.raise_overdue(repo, outbox, now=later + timedelta(hours=1), limit=timedelta(hours=72))
            events = await db.outbox.count_documents({"subject": policy_id, "type": {"$regex": "interpretation-overdue"}})
            return first, again, events
        finally:
            await client.close()

    first, again, events = asyncio.run(run())
    assert f"{policy_id}:v1" in first
    assert f"{policy_id}:v1" not in again
    assert events == 1


def test_restarted_service_loads_the_search_index_from_its_snapshot(api: Api, stack: Stack) -> None:
    document_id = released(api, fresh("01-patent-pledge-notice.json"))
    stack.restart_service("publication")  # returns once /ready, which waits for the index
    assert api.client.get(f"{api.url('publication')}/ready").json()["search_index"] is True
    loads = [json.loads(line) for line in stack.services["publication"].log.read_text(encoding="utf-8").splitlines()
             if '"search index loaded"' in line]
    assert loads[-1]["source"] == "snapshot", loads[-1]
    assert document_id in [r["document_id"] for r in api.search(q="专利质押融资")["results"]]
