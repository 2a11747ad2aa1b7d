"""Intake over HTTP against the real stack: uploaded body files, duplicates across systems, the quality report."""

from __future__ import annotations

import io
import random
import time
import uuid
from typing import Any

import docx
import pytest

from tests.conftest import Api, wait_until

pytestmark = pytest.mark.stack


def unique_document(source_system: str, **changes: Any) -> dict[str, Any]:
    """A valid notice whose number and title no other test uses, so duplicates are only the ones made here."""
    marker = uuid.uuid4().hex[:8]
    document = {
        "source_system": source_system,
        "source_id": f"T-{marker}",
        "doc_number": f"沪知局〔2025〕{random.randint(1000, 999_999)}号",
        "title": f"关于开展知识产权服务进园区活动的通知（{marker}）",
        "issuing_organ": "上海市知识产权局",
        "written_date": "2025年3月2日",
        "disclosure": "主动公开",
        "body": f"各区知识产权局：\n为推动知识产权服务进园区，现将活动安排通知如下。编号{marker}。\n一、活动时间。\n"
                "二、活动内容。\n上海市知识产权局\n2025年3月2日",
    }
    document.update(changes)
    return document


def docx_file(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def upload(api: Api, fields: dict[str, Any], name: str, content: bytes, media_type: str) -> Any:
    return api.client.post(f"{api.url('intake')}/v1/documents", data=fields, files={"file": (name, content, media_type)})


def metadata(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "body" and v is not None}


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_docx_upload_is_normalized_like_json_and_reaches_the_library(api: Api) -> None:
    document = unique_document("oa-upload", doc_number=f"沪知局[２０２５]{random.randint(1000, 999_999)}号",
                               disclosure=None, written_date="二〇二五年三月二日")
    body = docx_file("各区知识产权局：", "現將有關事項通知如下。", "上海市知识产权局", "（此件主动公开）")

    response = upload(api, metadata(document), "通知.docx", body, DOCX)

    assert response.status_code == 202, response.text
    result = response.json()
    assert result["file"]["kind"] == "docx" and result["file"]["characters"] > 10
    assert result["written_date"] == "2025-03-02" and result["disclosure"] == "主动公开"
    assert "〔2025〕" in result["doc_number"]
    assert {"doc_number.brackets", "disclosure.from_body"} <= {c["kind"] for c in result["changes"]}
    document_id = result["document_id"]
    entry = wait_until(lambda: api.library_entry(document_id).status_code == 200 and api.library_entry(document_id),
                       what="the uploaded document in the library").json()
    assert "有關事項" in entry["body"]
    again = upload(api, metadata(document), "通知.docx", body, DOCX).json()
    assert again["status"] == "unchanged" and again["version"] == 1


def test_html_and_text_uploads_take_the_same_path(api: Api) -> None:
    page = "<html><head><style>p{}</style><script>x()</script></head><body><p>各单位：</p><p>请按时报送。</p></body></html>"
    html_doc = unique_document("oa-upload")
    response = upload(api, metadata(html_doc), "notice.html", page.encode(), "text/html")
    assert response.status_code == 202, response.text
    stored = api.client.get(f"{api.url('intake')}/v1/documents/{response.json()['document_id']}").json()
    assert stored["current"]["body"] == "各单位：\n请按时报送。"

    text_doc = unique_document("oa-upload")
    response = upload(api, metadata(text_doc), "body.txt", "各单位：\n请按时报送。".encode("gb18030"), "text/plain")
    assert response.status_code == 202, response.text
    assert response.json()["file"]["encoding"] == "gb18030"


def assert_nothing_stored(api: Api, document: dict[str, Any]) -> None:
    receipt = api.client.get(f"{api.url('intake')}/v1/submissions/{document['source_system']}/{document['source_id']}")
    assert receipt.status_code == 404, receipt.text


@pytest.mark.parametrize(
    ("name", "content", "media_type", "status", "says"),
    [
        ("scan.pdf", b"%PDF-1.7 ...", "application/pdf", 415, "not a file type"),
        ("empty.txt", b"", "text/plain", 422, "is empty"),
        ("broken.docx", b"PK\x03\x04 truncated", DOCX, 422, "cannot be read as a .docx"),
        ("huge.txt", "正".encode() * 1_700_000, "text/plain", 413, "more than the 5,000,000 allowed"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file_field_and_nothing_is_stored(
    api: Api, name: str, content: bytes, media_type: str, status: int, says: str
) -> None:
    document = unique_document("oa-upload")
    response = upload(api, metadata(document), name, content, media_type)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["field"] == "file" and says in error["problem"] and error["hint"]
    assert_nothing_stored(api, document)


def test_a_refused_file_and_bad_metadata_are_reported_together(api: Api) -> None:
    document = unique_document("oa-upload", written_date="昨天")
    del document["issuing_organ"]
    response = upload(api, metadata(document), "scan.pdf", b"%PDF", "application/pdf")
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"file", "issuing_organ", "written_date"}
    assert_nothing_stored(api, document)


def test_same_document_from_two_systems_is_linked_and_published_once(api: Api) -> None:
    original = unique_document("oa-shzscq")
    first = api.submit(original).json()
    copy = unique_document(
        "portal-cms", doc_number=original["doc_number"].replace("〔", "[").replace("〕", "]"),
        title=original["title"], body=original["body"] + "\n（网站转载）",
    )
    second = api.submit(copy)

    assert second.status_code == 202
    assert second.json()["status"] == "duplicate" and second.json()["duplicate_of"] == first["document_id"]
    wait_until(lambda: api.library_entry(first["document_id"]).status_code == 200, what="the original released")
    time.sleep(1.0)  # the copy would have reached review by now had it been emitted
    assert api.review(second.json()["document_id"]) is None
    assert api.library_entry(second.json()["document_id"]).status_code == 404
    hits = [r["document_id"] for r in api.search(q=original["title"])["results"]]
    assert first["document_id"] in hits and second.json()["document_id"] not in hits
    stored = api.client.get(f"{api.url('intake')}/v1/documents/{second.json()['document_id']}").json()
    assert stored["status"] == "duplicate" and stored["duplicate"]["reason"] == "doc_number"
    again = api.submit(copy).json()
    assert again["status"] == "unchanged" and again["duplicate_of"] == first["document_id"]


def test_near_identical_text_without_a_number_is_linked(api: Api) -> None:
    original = unique_document("oa-shzscq")
    del original["doc_number"]
    first = api.submit(original).json()
    copy = {**original, "source_system": "portal-cms", "source_id": f"P-{uuid.uuid4().hex[:8]}",
            "body": original["body"].replace("活动内容", "活动的内容")}
    second = api.submit(copy).json()
    assert second["status"] == "duplicate" and second["duplicate_of"] == first["document_id"]


def test_quality_report_counts_problems_repairs_and_duplicates_per_system(api: Api) -> None:
    system = f"qa-{uuid.uuid4().hex[:6]}"
    other = f"qa-other-{uuid.uuid4().hex[:6]}"
    accepted = unique_document(system)
    accepted["doc_number"] = accepted["doc_number"].replace("〔", "【").replace("〕", "】")
    assert api.submit(accepted).status_code == 202
    broken = unique_document(system)
    del broken["issuing_organ"]
    for _ in range(2):  # the same faulty document twice is one refusal
        assert api.submit(broken).status_code == 422
    assert api.submit({**accepted, "source_system": other, "source_id": "copy-1"}).json()["status"] == "duplicate"

    report = api.client.get(f"{api.url('intake')}/v1/quality").json()
    mine = next(s for s in report["systems"] if s["source_system"] == system)
    assert mine["versions_accepted"] == 1 and mine["submissions_rejected"] == 1
    assert mine["acceptance_rate"] == 0.5
    assert {"field": "issuing_organ", "kind": "missing", "submissions": 1} in mine["problems"]
    assert {"kind": "doc_number.brackets", "documents": 1} in mine["normalizations"]
    copier = next(s for s in report["systems"] if s["source_system"] == other)
    assert copier["duplicates_linked"] == 1
    assert report["totals"]["versions_accepted"] >= 2

    empty = api.client.get(f"{api.url('intake')}/v1/quality", params={"until": "2001-01-01T00:00:00Z"}).json()
    assert empty["systems"] == [] and empty["totals"]["acceptance_rate"] is None
    wrong = api.client.get(f"{api.url('intake')}/v1/quality",
                           params={"since": "2030-01-01T00:00:00Z", "until": "2029-01-01T00:00:00Z"})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "since"


def test_copies_arriving_at_the_same_moment_leave_exactly_one_original(api: Api) -> None:
    from concurrent.futures import ThreadPoolExecutor

    for _ in range(4):
        original = unique_document("oa-shzscq")
        copies = [original, *({**original, "source_system": f"portal-{n}"} for n in range(3))]
        with ThreadPoolExecutor(len(copies)) as pool:
            answers = [r.json() for r in pool.map(api.submit, copies)]
        statuses = sorted(a["status"] for a in answers)
        assert statuses == ["duplicate", "duplicate", "duplicate", "received"], answers
        [kept] = [a["document_id"] for a in answers if a["status"] == "received"]
        assert {a["duplicate_of"] for a in answers if a["status"] == "duplicate"} == {kept}


async def test_a_copy_sent_over_kafka_is_linked_to_the_http_original(api: Api, stack: Any) -> None:
    import asyncio

    from aiokafka import AIOKafkaProducer

    from services.intake.identity import document_id_for
    from shared.topics import OA_DOCUMENT_ISSUED
    from tests.e2e.test_kafka_input import upstream_event

    original = unique_document("oa-shzscq")
    first = api.submit(original).json()
    copy = {**original, "source_system": "oa-kafka", "source_id": f"K-{uuid.uuid4().hex[:8]}"}
    producer = AIOKafkaProducer(bootstrap_servers=stack.config.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        headers, value = upstream_event(copy)
        await producer.send_and_wait(OA_DOCUMENT_ISSUED, value, key=copy["source_id"].encode(),
                                     headers=list(headers.items()))
    finally:
        await producer.stop()
    url = f"{api.url('intake')}/v1/submissions/oa-kafka/{copy['source_id']}"
    receipt = await asyncio.to_thread(
        wait_until, lambda: (r := api.client.get(url)).status_code == 200 and r.json(), 30, 0.2, "the Kafka copy"
    )
    assert receipt["via"] == "kafka" and receipt["duplicate_of"] == first["document_id"]
    assert receipt["document_id"] == document_id_for("oa-kafka", copy["source_id"])
