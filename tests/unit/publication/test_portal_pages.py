"""Portal pages over an in-memory library: structure, safety headers, escaping, tombstones and versions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.publication import portal
from services.publication.context import Publication
from services.publication.library import Library
from services.publication.repository import PublicationRepository
from services.publication.settings import PublicationSettings
from tests.unit.publication.fakes import T0, InMemoryRepository, entry

NOW = datetime(2024, 12, 1, tzinfo=UTC)
XSS = '<script>alert(1)</script>" onmouseover="alert(2)'


def event_handler_attributes(html: str) -> list[tuple[str, str]]:
    """(element, attribute) of every on* attribute and every script element a browser would see."""
    found: list[tuple[str, str]] = []

    class Scan(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend((tag, name) for name, _ in attrs if name.startswith("on"))
            if tag == "script":
                found.append((tag, ""))

    Scan().feed(html)
    return found


class FakePublication(Publication):
    repo: InMemoryRepository

    def repository(self) -> PublicationRepository:
        return self.repo  # type: ignore[return-value]


@pytest.fixture
def repo() -> InMemoryRepository:
    policy = entry("policy", "上海市专利资助管理办法", "第一条 为鼓励发明创造。\n第二条 联系人张*，电话138****5678。",
                   doc_type="办法", doc_number="沪知局规〔2024〕2号", requires_interpretation=True,
                   interpretation={"document_id": "interp", "title": "《办法》政策解读", "url": "u"},
                   attachments=[{"name": "附件1：申报表.docx", "url": "https://files.example.gov.cn/1.docx"},
                                {"name": "坏链接", "url": "javascript:alert(1)"}])
    interp = entry("interp", "《办法》政策解读", "一、为什么出台？", doc_type="解读",
                   interprets={"document_id": "policy", "title": "上海市专利资助管理办法", "url": "u"})
    evil = entry("evil", f"标题{XSS}", f"正文{XSS}\n第二段", doc_number=None, organ=f"机关{XSS}", doc_type="通知")
    gone = entry("gone", "已撤回的通知", status="withdrawn",
                 withdrawal={"reason": "政策调整", "at": datetime(2024, 5, 6, tzinfo=UTC)})
    targeted = entry("targeted", "园区定向通知", public=False, audience=["张江科学城"])
    revised = entry("revised", "专利导航实施方案（修订）", version=2, minutes=5)
    repo = InMemoryRepository([policy, interp, evil, gone, targeted, revised])
    repo.versions = {
        "revised:v1": {"_id": "revised:v1", "document_id": "revised", "version": 1, "released_at": T0,
                       "title": "专利导航实施方案", "body": "旧版正文。", "doc_number": None,
                       "issuing_organ": "上海市知识产权局", "doc_type": "方案", "written_date": "2024-01-01",
                       "attachments": []},
        "revised:v2": {"_id": "revised:v2", "document_id": "revised", "version": 2, "released_at": T0,
                       "title": "专利导航实施方案（修订）", "body": "新版正文。"},
    }
    return repo


@pytest.fixture
def client(repo: InMemoryRepository) -> Iterator[TestClient]:
    settings = PublicationSettings()
    library = Library(lambda: repo, max_candidates=100)  # type: ignore[arg-type, return-value]
    ctx = FakePublication(None, settings, library, now=lambda: NOW)  # type: ignore[arg-type]
    ctx.repo = repo
    app = FastAPI()
    portal.install(app, ctx)

    with TestClient(app) as test_client:
        yield test_client


def test_every_page_sends_a_strict_csp_and_uses_no_script(client: TestClient) -> None:
    for path in ("/", "/search?q=专利", "/documents/policy", "/catalog", "/stats?year=2024", "/documents/gone"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'none'" in csp, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"]
        assert "<script" not in response.text.lower(), path
        assert ' style="' not in response.text, path
        assert '<html lang="zh-CN">' in response.text


def test_document_page_shows_the_gbt9704_elements_masks_and_linked_interpretation(client: TestClient) -> None:
    html = client.get("/documents/policy").text
    for label in ("发文字号", "发文机关", "成文日期", "文种", "公开属性", "效力状态"):
        assert f'<th scope="row">{label}</th>' in html
    assert "沪知局规〔2024〕2号" in html and "主动公开" in html and "2024年7月1日" in html
    assert '<a href="/documents/interp" rel="related">《办法》政策解读</a>' in html
    assert html.count('class="mask"') == 2 and "138" in html and "5678" in html
    assert 'href="/search?tag=topic.patent"' in html
    assert 'href="https://files.example.gov.cn/1.docx"' in html
    assert "javascript:" not in html
    other = client.get("/documents/interp").text
    assert '<a href="/documents/policy" rel="related">上海市专利资助管理办法</a>' in other


def test_script_and_attribute_payloads_in_any_field_render_inert(client: TestClient) -> None:
    for path in ("/documents/evil", "/search?q=正文", "/"):
        html = client.get(path).text
        assert "<script>alert(1)" not in html
        assert not event_handler_attributes(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/documents/evil").text


def test_withdrawn_document_is_a_tombstone_with_410_and_targeted_is_404(client: TestClient) -> None:
    gone = client.get("/documents/gone")
    assert gone.status_code == 410
    assert "已撤回" in gone.text and "政策调整" in gone.text and "2024年5月6日" in gone.text
    assert client.get("/documents/targeted").status_code == 404
    assert client.get("/documents/nope").status_code == 404


def test_older_version_says_revised_and_links_to_the_current_one(client: TestClient) -> None:
    old = client.get("/documents/revised/versions/1")
    assert old.status_code == 200
    assert "已修订" in old.text and "旧版正文" in old.text and 'href="/documents/revised"' in old.text
    current = client.get("/documents/revised/versions/2", follow_redirects=False)
    assert current.status_code == 308 and current.headers["location"] == "/documents/revised"
    assert 'href="/documents/revised/versions/1"' in client.get("/documents/revised").text


def test_search_page_lists_facets_with_counts_and_keeps_the_query_in_facet_links(client: TestClient) -> None:
    html = client.get("/search", params={"q": "专利"}).text
    assert "共找到 <strong>2</strong> 件文件" in html
    assert "<h3>文种</h3>" in html and "<h3>效力状态</h3>" in html
    assert 'href="/search?q=%E4%B8%93%E5%88%A9&amp;type=%E5%8A%9E%E6%B3%95"' in html
    filtered = client.get("/search", params={"q": "专利", "type": "办法"}).text
    assert "共找到 <strong>1</strong> 件文件" in filtered and "移除此条件" in filtered


def test_catalogue_and_stats_pages_render_groups_and_inline_svg(client: TestClient) -> None:
    catalog = client.get("/catalog").text
    assert "标准目录" in catalog and "按文种" in catalog and "按主题" in catalog
    stats = client.get("/stats", params={"year": 2024}).text
    assert stats.count("<svg") == 3 and 'role="img"' in stats


def test_feed_is_valid_atom_with_required_elements(client: TestClient) -> None:
    response = client.get("/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    parsed: Any = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id and parsed.feed.title and parsed.feed.updated
    assert {e.id for e in parsed.entries} >= {"http://portal.test/documents/policy"}
    for e in parsed.entries:
        assert e.id and e.title and e.updated and e.link
    by_tag = feedparser.parse(client.get("/feed.atom", params={"tag": "topic.patent"}).content)
    assert "专利" in by_tag.feed.title
