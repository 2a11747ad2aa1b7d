"""What the console keeps of an event, a dead letter and a /metrics page."""

from __future__ import annotations

from datetime import UTC, datetime

from prometheus_client import generate_latest

from services.console import domain
from shared import events
from shared.envelope import Envelope
from shared.metrics import Metrics

NOW = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
BODY = "申请人张三，身份证号310115199003071234，联系电话13800138000。"


def envelope(subject: str = "doc-1", event_id: str = "e1") -> Envelope:
    return Envelope(event_id, "govpub.x", "/govpub/intake", subject, NOW, "c1", "e0")


def received_payload() -> dict[str, object]:
    return {
        "document_id": "doc-1", "version": 2, "content_hash": "sha256:abc", "source_system": "oa", "source_id": "17",
        "received_at": NOW.isoformat(), "changes": [{"field": "title", "kind": "x"}], "flags": [],
        "document": {"title": "关于张三的通知", "body": BODY, "issuing_organ": "局", "doc_type": "通知",
                     "written_date": "2024-07-01"},
    }


def test_received_event_keeps_ids_and_counts_but_neither_title_nor_body() -> None:
    row = domain.trace_row(envelope(), received_payload(), events.DocumentReceived.TOPIC, 3, 17, NOW)
    assert row["_id"] == "e1" and row["document_id"] == "doc-1"
    assert (row["topic"], row["partition"], row["offset"]) == (events.DocumentReceived.TOPIC, 3, 17)
    assert row["outcome"] == "v2 received (1 change(s), 0 flag(s))"
    assert row["summary"]["source_key"] == "oa:17"
    assert "张三" not in str(row) and "138" not in str(row)


def test_decision_names_a_human_reviewer_only_as_reviewer() -> None:
    payload = {"document_id": "d", "version": 1, "decision": "rejected", "reason_code": "classified",
               "decided_by": "李四", "findings": [{"rule_id": "r"}], "document": {"body": BODY}}
    outcome, summary = domain.summarize(events.DecisionMade.TOPIC, payload)
    assert outcome == "v1 rejected (classified)"
    assert summary == {"version": 1, "decision": "rejected", "reason_code": "classified", "findings": 1,
                       "decided_by": "reviewer"}
    assert "李四" not in str(summary)


def test_released_event_keeps_the_public_title_and_what_routing_needs() -> None:
    payload = {"document_id": "d", "release_id": "d:v3", "version": 3, "title": "关于专利的通知", "body": BODY,
               "audience": ["园区"], "tags": [{"code": "topic.patent", "dimension": "topic", "name_zh": "专利"}]}
    outcome, summary = domain.summarize(events.DocumentReleased.TOPIC, payload)
    assert outcome == "released d:v3"
    assert summary["title"] == "关于专利的通知" and summary["audience"] == ["园区"]
    assert summary["tag_codes"] == ["topic.patent"] and BODY not in str(summary)


def test_rejection_and_delivery_failure_are_summarized_by_counts_and_codes() -> None:
    outcome, summary = domain.summarize(events.DocumentRejected.TOPIC, {"problems": [
        {"field": "body", "problem": "missing"}, {"field": "written_date", "problem": "bad"}]})
    assert outcome == "rejected: 2 problem(s)" and summary["fields"] == ["body", "written_date"]
    outcome, summary = domain.summarize(events.DeliveryFailed.TOPIC, {
        "channel_id": "partner-webhook", "action": "release", "release_id": "d:v1", "attempts": 8, "permanent": False,
        "errors": ["timeout", "HTTP 503"]})
    assert outcome == "partner-webhook: release failed after 8 attempt(s)" and summary["last_error"] == "HTTP 503"


def test_a_payload_missing_fields_still_gets_a_summary() -> None:
    for topic in (e.TOPIC for e in events.ALL_EVENTS):
        outcome, _ = domain.summarize(topic, {})
        assert outcome


def test_unreadable_record_is_noted_under_its_key_without_its_bytes() -> None:
    row = domain.unreadable_row("review.decision-made.v1", 1, 5, b"doc-9", "payload is not JSON", 1_719_826_200_000, NOW)
    assert row["document_id"] == "doc-9" and row["type"] == domain.UNREADABLE
    assert row["outcome"] == "unreadable: payload is not JSON"
    assert row["time"] == datetime(2024, 7, 1, 9, 30, tzinfo=UTC)


def dead_letter_headers(time: str = "2024-07-01T09:30:00+00:00") -> list[tuple[str, bytes]]:
    return [("ce_id", b"e-17"), ("dlq_source_topic", b"review.decision-made.v1"), ("dlq_source_partition", b"2"),
            ("dlq_source_offset", b"41"), ("dlq_group", b"govpub.publication"), ("dlq_error", b"payload is not JSON"),
            ("dlq_service", b"publication"), ("dlq_time", time.encode())]


def test_dead_letter_keeps_the_original_bytes_and_where_they_came_from() -> None:
    value = b"\xff\xfe<script>"
    row = domain.dead_letter_row("publication.dead-letter.v1", 0, 7, b"doc-1", value, dead_letter_headers(), None, NOW)
    assert row["_id"].startswith("publication-") and row["value"] == value and row["key"] == b"doc-1"
    assert (row["source_topic"], row["source_partition"], row["source_offset"]) == ("review.decision-made.v1", 2, 41)
    assert row["group"] == "govpub.publication" and row["error"] == "payload is not JSON"
    assert row["time"] == datetime(2024, 7, 1, 9, 30, tzinfo=UTC)


def test_dead_letter_id_is_stable_for_a_redelivery_but_not_after_a_broker_restart() -> None:
    def row(time: str) -> str:
        record = domain.dead_letter_row("publication.dead-letter.v1", 0, 7, b"", b"x", dead_letter_headers(time), None, NOW)
        return str(record["_id"])

    assert row("2024-07-01T09:30:00+00:00") == row("2024-07-01T09:30:00+00:00")
    assert row("2024-07-01T09:30:00+00:00") != row("2024-07-02T10:00:00+00:00")


def test_replay_headers_are_the_original_ones_without_the_dead_letter_bookkeeping() -> None:
    assert domain.replay_headers([[k, v] for k, v in dead_letter_headers()]) == {"ce_id": "e-17"}


def test_previews_show_undecodable_bytes_without_failing() -> None:
    assert domain.text_preview(b"\xff ok") == "\ufffd ok"
    assert domain.hex_preview(b"AB\x00") == "00000000  " + "41 42 00".ljust(47) + "  AB."


def test_lag_is_read_for_every_partition_from_a_services_metrics_page() -> None:
    metrics = Metrics("review")
    metrics.lag.labels("review", "govpub.review", "intake.document-received.v1", "0").set(0)
    metrics.lag.labels("review", "govpub.review", "intake.document-received.v1", "3").set(12)
    metrics.on_consumed("intake.document-received.v1", 5, 0.01)
    rows = domain.parse_lag(generate_latest(metrics.registry).decode(), "review")
    assert rows == [
        domain.Lag("review", "govpub.review", "intake.document-received.v1", 0, 0),
        domain.Lag("review", "govpub.review", "intake.document-received.v1", 3, 12),
    ]
