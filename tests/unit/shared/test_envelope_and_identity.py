"""CloudEvents envelopes, deterministic event ids, and document identity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.intake.identity import Known, document_id_for, next_version
from shared.envelope import Envelope, EnvelopeError, decode, derive_event_id, encode


def test_envelope_round_trips_through_kafka_headers() -> None:
    envelope = Envelope("e1", "govpub.x.v1", "/govpub/test", "doc-1", datetime(2024, 1, 1, tzinfo=UTC), "c1", "e0")
    headers, value = encode(envelope, {"标题": "通知"})
    assert headers["ce_specversion"] == b"1.0" and headers["ce_subject"] == b"doc-1"
    decoded, payload = decode(list(headers.items()), value)
    assert decoded == envelope
    assert payload == {"标题": "通知"}


def test_message_without_cloudevents_headers_is_refused_with_a_reason() -> None:
    with pytest.raises(EnvelopeError, match="CloudEvent"):
        decode({"ce_id": b"1"}, b"{}")


def test_payload_that_is_not_json_is_refused_with_a_reason() -> None:
    envelope = Envelope("e1", "t", "/s", "d", datetime(2024, 1, 1, tzinfo=UTC), "c")
    headers, _ = encode(envelope, {})
    with pytest.raises(EnvelopeError, match="not JSON"):
        decode(headers, b"\xff{")


def test_same_cause_and_kind_always_give_the_same_event_id() -> None:
    assert derive_event_id("cause", "kind") == derive_event_id("cause", "kind")
    assert derive_event_id("cause", "kind") != derive_event_id("cause", "other")


def test_document_id_is_stable_per_source_system_and_source_id() -> None:
    assert document_id_for("oa", "1") == document_id_for("oa", "1")
    assert document_id_for("oa", "1") != document_id_for("portal", "1")
    # The separator cannot be forged by the ids themselves.
    assert document_id_for("oa-a", "b") != document_id_for("oa", "a-b")


def test_identical_content_is_a_no_op_and_changed_content_a_new_version() -> None:
    assert next_version(None, "h1").version == 1
    unchanged = next_version(Known(3, "h1"), "h1")
    assert (unchanged.version, unchanged.is_new) == (3, False)
    changed = next_version(Known(3, "h1"), "h2")
    assert (changed.version, changed.is_new) == (4, True)
