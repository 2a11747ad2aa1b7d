"""Documents arriving over Kafka (oa.document-issued.v1), rejected submissions, and poison messages."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from govpub.stack import Stack
from services.intake.identity import document_id_for
from shared.envelope import Envelope, encode
from shared.events import DocumentReleased, DocumentWithdrawn
from shared.topics import CATALOGUE, OA_DOCUMENT_ISSUED, dead_letter_topic
from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack


@pytest.fixture
async def producer(stack: Stack) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=stack.config.bootstrap, enable_idempotence=False)
    await p.start()
    yield p
    await p.stop()


async def read_topic(bootstrap: str, topic: str, predicate: Any, within_s: float = 30.0) -> dict[str, Any]:
    """The first record of ``topic`` (from the beginning) whose decoded form matches ``predicate``."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=f"test-{uuid.uuid4().hex}", auto_offset_reset="earliest",
        session_timeout_ms=6000, fetch_max_wait_ms=20, enable_auto_commit=False,
    )
    await consumer.start()
    try:
        deadline = asyncio.get_running_loop().time() + within_s
        while asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for records in batches.values():
                for r in records:
                    item = {"headers": {k: v.decode() for k, v in r.headers}, "value": r.value, "key": r.key}
                    if predicate(item):
                        return item
        raise AssertionError(f"nothing matching on {topic} within {within_s}s")
    finally:
        await consumer.stop()


def upstream_event(document: dict[str, Any]) -> tuple[dict[str, bytes], bytes]:
    envelope = Envelope(
        id=str(uuid.uuid4()), type="cn.gov.oa.document-issued", source="/oa/shzscq",
        subject=f"{document['source_system']}:{document['source_id']}", time=datetime.now(UTC),
        correlation_id=str(uuid.uuid4()),
    )
    return encode(envelope, document)


async def test_document_sent_over_kafka_is_published_like_an_http_one(api: Api, producer: AIOKafkaProducer) -> None:
    document = sample("01-patent-pledge-notice.json")
    document["source_id"] = f"kafka-{uuid.uuid4().hex[:8]}"
    headers, value = upstream_event(document)
    await producer.send_and_wait(OA_DOCUMENT_ISSUED, value, key=document["source_id"].encode(),
                                 headers=list(headers.items()))
    document_id = document_id_for(document["source_system"], document["source_id"])

    entry = await asyncio.to_thread(
        wait_until, lambda: api.library_entry(document_id).status_code == 200 and api.library_entry(document_id),
        30, 0.2, "the library entry",
    )
    assert entry.json()["title"] == document["title"]
    submission = api.client.get(
        f"{api.url('intake')}/v1/submissions/{document['source_system']}/{document['source_id']}"
    ).json()
    assert submission["status"] == "accepted" and submission["via"] == "kafka"


async def test_invalid_kafka_submission_emits_document_rejected_with_every_problem(
    api: Api, stack: Stack, producer: AIOKafkaProducer
) -> None:
    source_id = f"bad-{uuid.uuid4().hex[:8]}"
    headers, value = upstream_event({"source_system": "oa-shzscq", "source_id": source_id, "title": "无正文"})
    await producer.send_and_wait(OA_DOCUMENT_ISSUED, value, key=source_id.encode(), headers=list(headers.items()))

    record = await read_topic(
        stack.config.bootstrap, "intake.document-rejected.v1",
        lambda r: json.loads(r["value"]).get("source_id") == source_id,
    )
    problems = json.loads(record["value"])["problems"]
    assert {"issuing_organ", "body", "written_date"} <= {p["field"] for p in problems}
    assert record["headers"]["ce_type"] == "govpub.intake.document-rejected.v1"


# Every input topic of the pipeline and the service that consumes it (and dead-letters what it cannot read).
CONSUMED_BY = {
    "oa.document-issued.v1": "intake", "oa.document-withdrawn.v1": "intake",
    "intake.document-received.v1": "review", "intake.document-withdrawn.v1": "publication",
    "review.decision-made.v1": "publication", "tagging.document-tagged.v1": "publication",
    "publication.document-released.v1": "distribution", "publication.document-withdrawn.v1": "distribution",
}


def test_every_pipeline_input_topic_is_covered_by_the_poison_test() -> None:
    inputs = {t.name for t in CATALOGUE if t.producer in ("upstream office systems", "intake", "review", "tagging")
              or t.name in (DocumentReleased.TOPIC, DocumentWithdrawn.TOPIC)}
    inputs = {n for n in inputs if not n.endswith("dead-letter.v1")} - {"intake.document-rejected.v1"}
    assert inputs == set(CONSUMED_BY)


@pytest.mark.parametrize("topic", sorted(CONSUMED_BY))
async def test_poison_message_is_dead_lettered_and_the_pipeline_keeps_flowing(
    api: Api, stack: Stack, producer: AIOKafkaProducer, topic: str
) -> None:
    marker = uuid.uuid4().hex
    await producer.send_and_wait(topic, b"\xff\xfe not json " + marker.encode(), key=b"poison",
                                 headers=[("ce_id", marker.encode())])
    record = await read_topic(
        stack.config.bootstrap, dead_letter_topic(CONSUMED_BY[topic]),
        lambda r: marker.encode() in (r["value"] or b""),
    )
    assert record["headers"]["dlq_source_topic"] == topic
    assert record["headers"]["dlq_error"]
    assert record["value"].startswith(b"\xff\xfe")  # the original bytes, unchanged

    document = sample("01-patent-pledge-notice.json")
    document["source_id"] = f"after-poison-{marker[:8]}"
    response = api.submit(document)
    document_id = response.json()["document_id"]
    await asyncio.to_thread(wait_until, lambda: api.delivered(document_id, 2), 30, 0.2, "delivery after poison")
