"""Publishing a catalogue version: every problem named by its field; the page shows rules, escaped."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from starlette.requests import Request

from services.tagging.domain import Catalogue
from services.tagging.domain.catalogue import DEFAULT_CATALOGUE_PATH
from services.tagging.domain.publishing import (
    CatalogueRejected,
    check_successor,
    code_changes,
    parse_catalogue,
    same_rules,
)
from services.tagging.pages import CSP, CataloguePage, rule_lines, wants_html


def catalogue_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    return data


def test_yaml_and_json_bodies_give_the_same_catalogue_as_the_file(catalogue: Catalogue) -> None:
    text = DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8")
    from_yaml = parse_catalogue(text, "application/yaml")
    from_json = parse_catalogue(json.dumps(catalogue_data(), ensure_ascii=False), "application/json; charset=utf-8")
    assert from_yaml == catalogue and from_json == catalogue
    assert same_rules(from_yaml, catalogue)


def test_every_problem_is_named_by_its_field_and_tag_code() -> None:
    data = catalogue_data()
    data["tags"][0]["rules"]["any"][0] = {"term": "企业", "wieght": 2}
    del data["tags"][1]["name_zh"]
    data["tags"][2]["parent"] = "audience.nowhere"
    with pytest.raises(CatalogueRejected) as caught:
        parse_catalogue(yaml.safe_dump(data, allow_unicode=True))
    fields = {p.field: p for p in caught.value.problems}
    assert "tags[0](audience.enterprise).rules.any[0].wieght" in fields
    assert fields["tags[1](audience.enterprise.sme).name_zh"].hint == "add the field"
    assert "tags[0](audience.enterprise).rules.any[0].wieght" in str(caught.value)


def test_catalogue_wide_rules_are_reported_one_problem_each() -> None:
    data = catalogue_data()
    data["tags"][2]["parent"] = "audience.nowhere"
    data["tags"][3]["code"] = data["tags"][4]["code"]
    with pytest.raises(CatalogueRejected) as caught:
        parse_catalogue(yaml.safe_dump(data, allow_unicode=True))
    problems = [p.problem for p in caught.value.problems]
    assert any("audience.nowhere" in p for p in problems)
    assert any("defined twice" in p for p in problems)


@pytest.mark.parametrize(
    ("text", "media_type", "expected"),
    [("version: [1", "application/yaml", "not valid YAML"), ("{", "application/json", "not valid JSON"),
     ("- 1\n- 2", "text/yaml", "expected a mapping")],
)
def test_unreadable_bodies_are_refused(text: str, media_type: str, expected: str) -> None:
    with pytest.raises(CatalogueRejected) as caught:
        parse_catalogue(text, media_type)
    assert expected in caught.value.problems[0].problem


def test_a_new_version_must_be_higher_and_code_changes_are_listed(catalogue: Catalogue) -> None:
    data = catalogue_data()
    data["tags"] = [t for t in data["tags"] if t["code"] != "topic.gi.special_mark"]
    data["tags"].append({"code": "topic.gi.brand", "name_zh": "地理标志品牌", "name_en": "GI brands",
                         "parent": "topic.gi"})
    same_version = parse_catalogue(yaml.safe_dump(data, allow_unicode=True))
    assert check_successor(catalogue, same_version)[0].hint == f"set version to {catalogue.version + 1}"
    data["version"] = catalogue.version + 1
    newer = parse_catalogue(yaml.safe_dump(data, allow_unicode=True))
    assert check_successor(catalogue, newer) == []
    assert code_changes(catalogue, newer) == {"added": ["topic.gi.brand"], "removed": ["topic.gi.special_mark"]}


def request(accept: str | None) -> Request:
    headers = [(b"accept", accept.encode())] if accept is not None else []
    return Request({"type": "http", "method": "GET", "path": "/v1/catalog", "headers": headers})


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("*/*", False),
        (None, False),
        ("application/json", False),
        ("text/html;q=0.5, application/json", False),
        ("application/json;q=0.2, text/html", True),
    ],
)
def test_html_only_when_the_client_prefers_it(accept: str | None, html: bool) -> None:
    assert wants_html(request(accept)) is html


def test_rules_read_as_labelled_term_lists() -> None:
    lines = dict(rule_lines({"any": ["专利", {"term": "质押", "weight": 2, "match": "word"}],
                             "regex": [{"pattern": "第.号", "fields": ["title"]}], "threshold": 3.0,
                             "per_sentence": True}))
    assert lines["any 任一词 (each adds points)"] == ["专利", "质押 ×2 [word]"]
    assert lines["regex 正则"] == ["第.号 in title"]
    assert lines["threshold 阈值"] == ["3.0"] and lines["one hit per sentence"] == ["true"]


def test_catalogue_page_lists_every_tag_escaped_under_a_strict_csp() -> None:
    data = catalogue_data()
    data["tags"][0]["description"] = "<script>alert('x')</script> & 企业"
    catalogue = Catalogue.model_validate(data)
    response = CataloguePage().render(catalogue, published={"published_at": "2024-07-01", "published_by": "<b>ed</b>"})
    html = bytes(response.body).decode()
    assert response.headers["content-security-policy"] == CSP
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; 企业" in html
    assert "&lt;b&gt;ed&lt;/b&gt;" in html
    for tag in catalogue.tags:
        assert f'id="tag-{tag.code}"' in html
    assert "质押融资" in html  # rules are on the page
    assert "style=" not in html  # the CSP allows no inline styles
