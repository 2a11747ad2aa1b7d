"""A document through all five services, over HTTP, against the real embedded broker and database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack


def fresh(name: str, **changes: Any) -> dict[str, Any]:
    """A sample document with a new source id, so tests do not see each other's documents."""
    document = sample(name)
    document["source_id"] = f"{document['source_id']}-{uuid.uuid4().hex[:8]}"
    document.update(changes)
    return document


def submit_ok(api: Api, document: dict[str, Any]) -> str:
    response = api.submit(document)
    assert response.status_code == 202, response.text
    return str(response.json()["document_id"])


def test_public_notice_reaches_the_library_search_and_every_public_channel_once(api: Api) -> None:
    document_id = submit_ok(api, fresh("01-patent-pledge-notice.json"))

    entry = wait_until(lambda: api.library_entry(document_id).status_code == 200 and api.library_entry(document_id),
                       what="the library entry").json()
    assert entry["doc_number"] == "沪知局〔2024〕7号"
    assert entry["url"].endswith(f"/documents/{document_id}")
    assert {t["code"] for t in entry["tags"]} >= {"topic.patent"}

    results = api.search(q="专利质押融资")["results"]
    assert document_id in [r["document_id"] for r in results]

    deliveries = wait_until(lambda: api.delivered(document_id, 2), what="two deliveries")
    assert sorted(d["channel_id"] for d in deliveries) == ["partner-webhook", "portal-feed"]
    posts = api.received()["posts"]
    assert posts[f"partner-webhook:{document_id}:v1:release"] == 1


def test_personal_data_is_masked_and_public_identifiers_are_left_alone(api: Api) -> None:
    document_id = submit_ok(api, fresh("02-trademark-enforcement-with-personal-data.json"))

    entry = wait_until(lambda: api.library_entry(document_id).status_code == 200 and api.library_entry(document_id),
                       what="the library entry").json()
    body = entry["body"]
    assert "310101199003071230" not in body and "13812345678" not in body
    assert "310***********1230" in body and "138****5678" in body
    assert "91310000MA1FL4CT3U" in body and "12345" in body
    assert entry["doc_number"] == "沪知局〔2024〕19号"
    assert entry["written_date"] == "2024-05-16"
    webhook = wait_until(lambda: [r for r in api.received()["received"] if r["data"]["document_id"] == document_id],
                         what="the webhook delivery")
    assert "310101199003071230" not in str(webhook)


def test_classified_document_never_reaches_the_library_or_a_channel(api: Api) -> None:
    document_id = submit_ok(api, fresh("03-classified-document.json"))

    review = wait_until(lambda: api.review(document_id), what="the review")
    assert review["decision"] == "rejected"
    status = wait_until(lambda: api.publication_status(document_id), what="publication status")
    assert status["library_status"] is None
    assert api.library_entry(document_id).status_code == 404
    assert api.deliveries(document_id) == []


def test_policy_and_interpretation_are_released_together_and_linked(api: Api) -> None:
    tag = uuid.uuid4().hex[:6]
    policy = fresh("04-policy-requiring-interpretation.json", doc_number=f"沪知局规〔2024〕{int(tag, 16) % 9000 + 100}号")
    interpretation = fresh("05-interpretation.json", interprets=policy["doc_number"])

    policy_id = submit_ok(api, policy)
    wait_until(lambda: (api.publication_status(policy_id) or {}).get("candidate_status") == "waiting_for_interpretation",
               what="the policy held for its interpretation")
    assert api.library_entry(policy_id).status_code == 404

    interpretation_id = submit_ok(api, interpretation)
    entry = wait_until(lambda: api.library_entry(policy_id).status_code == 200 and api.library_entry(policy_id),
                       what="the policy released").json()
    assert entry["interpretation"]["document_id"] == interpretation_id
    other = api.library_entry(interpretation_id).json()
    assert other["interprets"]["document_id"] == policy_id


def test_targeted_document_goes_only_to_its_audience_channel(api: Api) -> None:
    document_id = submit_ok(api, fresh("06-targeted-park-notice.json"))

    deliveries = wait_until(lambda: api.delivered(document_id, 1), what="the targeted delivery")
    assert [d["channel_id"] for d in deliveries] == ["park-webhook"]
    assert api.library_entry(document_id).status_code == 404
    assert document_id not in [r["document_id"] for r in api.search(q="海外知识产权纠纷")["results"]]


def test_same_submission_twice_is_one_document_and_changed_content_is_a_new_version(api: Api) -> None:
    document = fresh("01-patent-pledge-notice.json")
    first = api.submit(document).json()
    again = api.submit(document).json()
    assert again["document_id"] == first["document_id"]
    assert again["status"] == "unchanged" and again["version"] == 1
    document_id = first["document_id"]
    wait_until(lambda: api.delivered(document_id, 2), what="version 1 delivered")

    changed = api.submit({**document, "body": document["body"] + "\n三、联系方式\n详见市知识产权局网站。"}).json()
    assert changed["version"] == 2
    entry = wait_until(
        lambda: (e := api.library_entry(document_id).json()).get("version") == 2 and e, what="version 2 released"
    )
    assert [h["version"] for h in entry["history"]] == [1, 2]
    hits = [r for r in api.search(q="专利质押融资")["results"] if r["document_id"] == document_id]
    assert len(hits) == 1
    wait_until(lambda: api.delivered(document_id, 4), what="version 2 delivered to both channels")


def test_invalid_submission_gets_every_problem_at_once(api: Api) -> None:
    response = api.submit({"source_system": "oa", "title": "", "disclosure": "公开", "written_date": "昨天"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"source_id", "issuing_organ", "body", "disclosure", "written_date"} <= fields
    assert all(e["hint"] for e in response.json()["errors"])


def test_withdrawal_leaves_a_tombstone_and_retracts_from_every_channel(api: Api) -> None:
    document_id = submit_ok(api, fresh("01-patent-pledge-notice.json"))
    wait_until(lambda: api.delivered(document_id, 2), what="delivered before withdrawal")

    response = api.client.delete(f"{api.url('intake')}/v1/documents/{document_id}", params={"reason": "政策调整"})
    assert response.status_code == 202

    gone = wait_until(lambda: api.library_entry(document_id).status_code == 410 and api.library_entry(document_id),
                      what="the tombstone")
    assert gone.json()["withdrawal"]["reason"] == "政策调整"
    withdrawals = wait_until(
        lambda: [d for d in api.delivered(document_id, 4) or [] if d["action"] == "withdraw"], what="retractions"
    )
    assert sorted(d["channel_id"] for d in withdrawals) == ["partner-webhook", "portal-feed"]
    assert document_id not in [r["document_id"] for r in api.search(q="专利质押融资")["results"]]
