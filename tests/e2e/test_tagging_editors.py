"""Editors stay in control of tags, and a new catalogue re-tags everything: against the session stack."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from shared.auth import KeyStore
from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack

CATALOGUE_FILE = Path(__file__).resolve().parents[2] / "services" / "tagging" / "catalogue.yaml"
WRONG_TAG = "audience.government"  # the addressee line names district bureaus; the notice is for parks and SMEs
NEW_TAG = "topic.finance.bank_service"
SLOW = 120.0  # seconds a step through the pipeline may take on a busy 2-core host


def fresh(name: str) -> dict[str, Any]:
    document = sample(name)
    document["source_id"] = f"{document['source_id']}-{uuid.uuid4().hex[:8]}"
    return document


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def keys(api: Api) -> dict[str, str]:
    store = KeyStore(api.stack.config.keys_file)
    return {"editor": store.create("ed", "editor"), "reviewer": store.create("rv", "reviewer")}


def poll(api: Api, url: str) -> dict[str, Any] | None:
    """The JSON at ``url`` when it is there (200); a slow answer on a busy host is "not yet", not a failure."""
    try:
        response = api.client.get(url)
    except httpx.TimeoutException:
        return None
    return response.json() if response.status_code == 200 else None  # type: ignore[no-any-return]


def tags_of(api: Api, document_id: str) -> dict[str, Any] | None:
    return poll(api, f"{api.url('tagging')}/v1/documents/{document_id}/tags")


def library_codes(api: Api, document_id: str) -> set[str] | None:
    entry = poll(api, f"{api.url('publication')}/v1/library/{document_id}")
    return {t["code"] for t in entry["tags"]} if entry else None


def next_catalogue(api: Api) -> dict[str, Any]:
    """The catalogue file as a new version with one more tag (its description tests escaping too)."""
    current = api.client.get(f"{api.url('tagging')}/v1/catalog").json()
    data: dict[str, Any] = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    data["version"] = current["version"] + 1
    data["tags"].append(
        {
            "code": NEW_TAG,
            "name_zh": "银行服务",
            "name_en": "Bank services",
            "description": "银行走进园区 <script>alert(1)</script>",
            "parent": "topic.finance",
            "rules": {"any": [{"term": "银行", "weight": 2}]},
        }
    )
    return data


def test_an_editors_removal_reaches_the_library_and_survives_a_new_catalogue(
    api: Api, keys: dict[str, str]
) -> None:
    tagging = api.url("tagging")
    response = api.submit(fresh("01-patent-pledge-notice.json"))
    assert response.status_code == 202, response.text
    document_id = response.json()["document_id"]
    tagged = wait_until(lambda: tags_of(api, document_id), timeout=SLOW, what="the document tagged")
    assert WRONG_TAG in {t["code"] for t in tagged["tags"]}
    wait_until(
        lambda: WRONG_TAG in (library_codes(api, document_id) or set()), timeout=SLOW, what="the library entry"
    )

    # An editor removes a wrong tag, accepts one suggestion and dismisses another.
    edit = api.client.put(
        f"{tagging}/v1/documents/{document_id}/tags",
        json={"remove": [WRONG_TAG], "reason": "主送机关不是适用对象"},
        headers=bearer(keys["editor"]),
    )
    assert edit.status_code == 200, edit.text
    assert edit.json()["published"] is True
    assert WRONG_TAG not in {t["code"] for t in edit.json()["tags"]}
    suggestions = {s["code"] for s in edit.json()["suggestions"]}
    assert {"topic.finance.insurance", "topic.disclosure"} <= suggestions
    accepted = api.client.post(
        f"{tagging}/v1/documents/{document_id}/suggestions/topic.finance.insurance/accept",
        headers=bearer(keys["editor"]),
    )
    assert accepted.status_code == 200, accepted.text
    assert {t["code"]: t["source"] for t in accepted.json()["tags"]}["topic.finance.insurance"] == "editor"
    dismissed = api.client.post(
        f"{tagging}/v1/documents/{document_id}/suggestions/topic.disclosure/dismiss",
        json={"reason": "不是政务公开主题"},
        headers=bearer(keys["editor"]),
    )
    assert dismissed.status_code == 200, dismissed.text
    assert "topic.disclosure" not in {s["code"] for s in dismissed.json()["suggestions"]}

    history = api.client.get(f"{tagging}/v1/documents/{document_id}/tags/history").json()["changes"]
    assert [(c["action"], c["by"]) for c in history] == [("dismiss", "ed"), ("accept", "ed"), ("edit", "ed")]
    assert history[-1]["remove"] == [WRONG_TAG] and history[-1]["reason"] == "主送机关不是适用对象"
    assert history[-1]["tags_removed"] == [WRONG_TAG]

    # The new DocumentTagged reaches publication, which updates the released entry.
    wait_until(
        lambda: (c := library_codes(api, document_id)) is not None
        and WRONG_TAG not in c
        and "topic.finance.insurance" in c,
        timeout=SLOW,
        what="the library entry without the removed tag and with the accepted one",
    )

    # A new catalogue version re-tags every document; the editor's decisions stay in effect.
    catalogue = next_catalogue(api)
    published = api.client.post(
        f"{tagging}/v1/catalog",
        content=yaml.safe_dump(catalogue, allow_unicode=True, sort_keys=False).encode(),
        headers={**bearer(keys["editor"]), "content-type": "application/yaml"},
    )
    assert published.status_code == 202, published.text
    assert published.json()["codes"]["added"] == [NEW_TAG]
    progress = wait_until(
        lambda: (p := poll(api, f"{tagging}/v1/catalog/retag") or {}).get("status") == "done"
        and p["catalogue_version"] == catalogue["version"] and p,
        timeout=180,  # building the new catalogue's tagger loads jieba's dictionary: seconds, more on a busy host
        what="the re-tag done",
    )
    assert progress["done"] == progress["total"] >= 1
    assert progress["changed"] >= 1

    after = tags_of(api, document_id)
    assert after is not None and after["catalogue_version"] == catalogue["version"]
    in_effect = {t["code"]: t["source"] for t in after["tags"]}
    assert NEW_TAG in in_effect and WRONG_TAG not in in_effect
    assert in_effect["topic.finance.insurance"] == "editor"
    assert "topic.disclosure" not in {s["code"] for s in after["suggestions"]}
    wait_until(
        lambda: NEW_TAG in (c := library_codes(api, document_id) or set()) and WRONG_TAG not in c,
        timeout=SLOW,
        what="the library entry re-tagged",
    )
    history = api.client.get(f"{tagging}/v1/documents/{document_id}/tags/history").json()["changes"]
    assert history[0]["action"] == "retag" and history[0]["tags_added"] == [NEW_TAG]

    page = api.client.get(f"{tagging}/v1/catalog", headers={"accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>" not in page.text
    assert NEW_TAG in page.text


def test_editors_changing_one_document_at_once_all_get_their_change(api: Api, keys: dict[str, str]) -> None:
    """Each edit reads the tags, changes them and writes them back under a revision check; the loser of
    a race reads again and redoes its edit on what the winner wrote, so no edit is lost or refused."""
    tagging = api.url("tagging")
    store = KeyStore(api.stack.config.keys_file)
    editors = [keys["editor"], store.create("ed2", "editor")]
    response = api.submit(fresh("01-patent-pledge-notice.json"))
    assert response.status_code == 202, response.text
    document_id = response.json()["document_id"]
    tagged = wait_until(lambda: tags_of(api, document_id), timeout=SLOW, what="the document tagged")
    present = {t["code"] for t in tagged["tags"]} | {s["code"] for s in tagged["suggestions"]}
    catalogue = api.client.get(f"{tagging}/v1/catalog").json()
    topics = [t["code"] for t in catalogue["tags"] if t["dimension"] == "topic" and t["code"] not in present]
    chosen = topics[:6]
    assert len(chosen) == 6, topics
    start = threading.Barrier(len(chosen))

    def add(i: int) -> httpx.Response:
        start.wait()
        return httpx.put(
            f"{tagging}/v1/documents/{document_id}/tags",
            json={"add": [chosen[i]], "reason": f"并发编辑 {i}"},
            headers=bearer(editors[i % 2]),
            timeout=SLOW,
        )

    with ThreadPoolExecutor(len(chosen)) as pool:
        answers = list(pool.map(add, range(len(chosen))))
    assert [a.status_code for a in answers] == [200] * len(chosen), [a.text for a in answers]
    after = tags_of(api, document_id)
    assert after is not None
    in_effect = {t["code"]: t["source"] for t in after["tags"]}
    assert {code: in_effect.get(code) for code in chosen} == dict.fromkeys(chosen, "editor")
    history = api.client.get(f"{tagging}/v1/documents/{document_id}/tags/history").json()["changes"]
    edits = [c for c in history if c["action"] == "edit"]
    assert sorted(code for c in edits for code in c["add"]) == sorted(chosen)
    assert {c["by"] for c in edits} == {"ed", "ed2"}


def test_changing_tags_or_the_catalogue_needs_an_editor_key(api: Api, keys: dict[str, str]) -> None:
    tagging = api.url("tagging")
    change = {"remove": ["topic.patent"], "reason": "测试"}
    url = f"{tagging}/v1/documents/any-document/tags"
    assert api.client.put(url, json=change).status_code == 401
    assert api.client.put(url, json=change, headers=bearer("gpk_not-a-key")).status_code == 401
    forbidden = api.client.put(url, json=change, headers=bearer(keys["reviewer"]))
    assert forbidden.status_code == 403 and "editor" in forbidden.json()["detail"]
    assert api.client.post(f"{tagging}/v1/catalog", content=b"version: 99").status_code == 401
    assert api.client.post(
        f"{tagging}/v1/catalog", content=b"version: 99", headers=bearer(keys["reviewer"])
    ).status_code == 403
    accept = f"{tagging}/v1/documents/any-document/suggestions/topic.patent/accept"
    assert api.client.post(accept, headers=bearer(keys["reviewer"])).status_code == 403


def test_bad_codes_and_bad_catalogues_are_refused_naming_the_field(api: Api, keys: dict[str, str]) -> None:
    tagging = api.url("tagging")
    refused = api.client.put(
        f"{tagging}/v1/documents/any-document/tags",
        json={"add": ["topic.patent.pledg"], "reason": "测试"},
        headers=bearer(keys["editor"]),
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert "topic.patent.pledg" in problem["detail"]
    assert problem["errors"][0]["field"] == "add[0]"
    assert "topic.patent.pledge" in problem["errors"][0]["close_matches"]

    bad = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    bad["version"] = 1000
    bad["tags"][0]["rules"]["any"][0] = {"term": "企业", "wieght": 2}
    response = api.client.post(
        f"{tagging}/v1/catalog", json=bad, headers=bearer(keys["editor"])
    )
    assert response.status_code == 422, response.text
    fields = [e["field"] for e in response.json()["errors"]]
    assert "tags[0](audience.enterprise).rules.any[0].wieght" in fields
    unreachable = api.client.get(f"{tagging}/v1/documents/not-a-document/tags")
    assert unreachable.status_code == 404
