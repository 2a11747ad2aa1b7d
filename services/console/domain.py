"""What the console makes of what it sees: trace rows, dead-letter rows, lag samples. Pure; no I/O.

A trace row is an event's envelope and a one-line outcome. It never holds the document's body, its
title before review, free-text reasons or anyone's name: only ids, counts and codes (the released
title is the exception: it is public and was masked by review).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from shared import events
from shared.envelope import Envelope
from shared.topics import OA_DOCUMENT_ISSUED, OA_DOCUMENT_WITHDRAWN

LAG_METRIC = "govpub_consumer_lag"
UNREADABLE = "unreadable"
DLQ_PREFIX = "dlq_"
_SHORT = 200


def _cut(value: Any, size: int = _SHORT) -> str:
    text = str(value)
    return text if len(text) <= size else text[: size - 1] + "…"


def _count(payload: Mapping[str, Any], field: str) -> int:
    value = payload.get(field)
    return len(value) if isinstance(value, list) else 0


def _codes(items: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    return [_cut(i.get("code"), 60) for i in items if isinstance(i, dict) and i.get("code")][:50]


def _strings(items: Any) -> list[str]:
    return [_cut(i, 60) for i in items][:20] if isinstance(items, list) else []


def summarize(topic: str, payload: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """A short outcome line and a few safe fields of one event payload."""
    version = payload.get("version")
    v = f"v{version} " if version is not None else ""
    summary: dict[str, Any]
    if topic in (OA_DOCUMENT_ISSUED, OA_DOCUMENT_WITHDRAWN):
        summary = {"source_system": _cut(payload.get("source_system"), 80), "source_id": _cut(payload.get("source_id"), 120)}
        verb = "issued" if topic == OA_DOCUMENT_ISSUED else "withdrawal sent"
        return f"{verb} by {summary['source_system']}", summary
    if topic == events.DocumentReceived.TOPIC:
        summary = {
            "version": version,
            "content_hash": _cut(payload.get("content_hash"), 80),
            "source_key": f"{payload.get('source_system')}:{payload.get('source_id')}",
            "changes": _count(payload, "changes"),
            "flags": _count(payload, "flags"),
        }
        return f"{v}received ({summary['changes']} change(s), {summary['flags']} flag(s))", summary
    if topic == events.DocumentRejected.TOPIC:
        raw = payload.get("problems")
        problems: list[Any] = raw if isinstance(raw, list) else []
        fields = sorted({_cut(p.get("field"), 60) for p in problems if isinstance(p, dict)})
        return f"rejected: {len(problems)} problem(s)", {"problems": len(problems), "fields": fields[:20]}
    if topic == events.WithdrawalRequested.TOPIC:
        return "withdrawal requested by the issuing office", {}
    if topic == events.DecisionMade.TOPIC:
        decision, reason = _cut(payload.get("decision"), 40), payload.get("reason_code")
        summary = {
            "version": version,
            "decision": decision,
            "reason_code": _cut(reason, 80) if reason else None,
            "findings": _count(payload, "findings"),
            "decided_by": "auto" if payload.get("decided_by") == "auto" else "reviewer",
        }
        return f"{v}{decision}" + (f" ({summary['reason_code']})" if reason else ""), summary
    if topic == events.DocumentTagged.TOPIC:
        codes = _codes(payload.get("tags"))
        return f"{v}{len(codes)} tag(s)", {"version": version, "tags": _count(payload, "tags"), "tag_codes": codes}
    if topic == events.DocumentReleased.TOPIC:
        summary = {
            "version": version,
            "release_id": _cut(payload.get("release_id"), 120),
            "title": _cut(payload.get("title"), 120),
            "audience": _strings(payload.get("audience")),
            "tag_codes": _codes(payload.get("tags")),
        }
        return f"released {summary['release_id']}", summary
    if topic == events.DocumentWithdrawn.TOPIC:
        summary = {"version": version, "release_id": _cut(payload.get("release_id"), 120),
                   "audience": _strings(payload.get("audience"))}
        return f"withdrawn {summary['release_id']}", summary
    if topic == events.InterpretationOverdue.TOPIC:
        return f"{v}interpretation overdue (limit {payload.get('limit_hours')} h)", {
            "version": version, "limit_hours": payload.get("limit_hours")}
    if topic == events.LinkBroken.TOPIC:
        status = payload.get("status")
        summary = {"field": _cut(payload.get("field"), 40), "status": status}
        return f"broken {summary['field']} link (HTTP {status if status is not None else 'error'})", summary
    if topic == events.DeliveryFailed.TOPIC:
        raw = payload.get("errors")
        errors: list[Any] = raw if isinstance(raw, list) else []
        summary = {
            "channel_id": _cut(payload.get("channel_id"), 60),
            "action": _cut(payload.get("action"), 20),
            "release_id": _cut(payload.get("release_id"), 120),
            "attempts": payload.get("attempts"),
            "permanent": bool(payload.get("permanent")),
            "last_error": _cut(errors[-1]) if errors else None,
        }
        kind = "refused for good" if summary["permanent"] else f"failed after {summary['attempts']} attempt(s)"
        return f"{summary['channel_id']}: {summary['action']} {kind}", summary
    return _cut(topic, 80), {}


def trace_row(
    envelope: Envelope, payload: Mapping[str, Any], topic: str, partition: int, offset: int, now: datetime
) -> dict[str, Any]:
    """One trace row per event, keyed by its id: a re-published event is the same row."""
    outcome, summary = summarize(topic, payload)
    return {
        "_id": envelope.id,
        "document_id": _cut(envelope.subject, 200),
        "type": envelope.type,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "source": envelope.source,
        "time": envelope.time if envelope.time.tzinfo else envelope.time.replace(tzinfo=UTC),
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "outcome": outcome,
        "summary": summary,
        "seen_at": now,
    }


def unreadable_row(
    topic: str, partition: int, offset: int, key: bytes | None, error: str, timestamp_ms: int | None, now: datetime
) -> dict[str, Any]:
    """A record on an event topic that is no event: the consumer that owns it dead-letters it."""
    at = datetime.fromtimestamp(timestamp_ms / 1000, UTC) if timestamp_ms and timestamp_ms > 0 else now
    return {
        "_id": f"{UNREADABLE}:{topic}:{partition}:{offset}:{int(at.timestamp() * 1000)}",
        "document_id": _cut((key or b"").decode("utf-8", "replace"), 200),
        "type": UNREADABLE,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "source": "",
        "time": at,
        "correlation_id": None,
        "causation_id": None,
        "outcome": "unreadable: " + _cut(error),
        "summary": {},
        "seen_at": now,
    }


# ---------------------------------------------------------------- dead letters


def dead_letter_row(
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    headers: Sequence[tuple[str, bytes]],
    timestamp_ms: int | None,
    now: datetime,
) -> dict[str, Any]:
    """A record of a ``<service>.dead-letter.v1`` topic, with the original bytes and headers for a replay."""
    named = {k: v.decode("utf-8", "replace") for k, v in headers}
    stamp = named.get("dlq_time") or str(timestamp_ms)
    # Offsets start again after an embedded-broker restart, so the id also covers the time and the bytes.
    digest = hashlib.sha256(f"{topic}|{partition}|{offset}|{stamp}|".encode() + (value or b"")).hexdigest()
    service = named.get("dlq_service") or topic.split(".", 1)[0]
    try:
        at = datetime.fromisoformat(named["dlq_time"])
    except (KeyError, ValueError):
        at = datetime.fromtimestamp(timestamp_ms / 1000, UTC) if timestamp_ms and timestamp_ms > 0 else now
    source_partition = named.get("dlq_source_partition", "")
    source_offset = named.get("dlq_source_offset", "")
    return {
        "_id": f"{service}-{digest[:16]}",
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "service": service,
        "source_topic": named.get("dlq_source_topic", ""),
        "source_partition": int(source_partition) if source_partition.isdigit() else None,
        "source_offset": int(source_offset) if source_offset.isdigit() else None,
        "group": named.get("dlq_group", ""),
        "error": named.get("dlq_error", ""),
        "time": at if at.tzinfo else at.replace(tzinfo=UTC),
        "key": key or b"",
        "value": value or b"",
        "headers": [[k, v] for k, v in headers],
        "size": len(value or b""),
        "seen_at": now,
        "replays": [],
        "replayed": False,  # indexed: "never replayed" is counted on every overview
    }


def replay_headers(headers: Iterable[Sequence[Any]]) -> dict[str, str]:
    """The original record's headers: the dead-letter bookkeeping is taken off again."""
    result: dict[str, str] = {}
    for key, value in headers:
        if str(key).startswith(DLQ_PREFIX):
            continue
        result[str(key)] = bytes(value).decode("utf-8", "replace") if isinstance(value, bytes | bytearray) else str(value)
    return result


def text_preview(value: bytes, size: int = 4000) -> str:
    """The bytes as text for a person to read (undecodable bytes shown as �); escaping is the page's job."""
    return value[:size].decode("utf-8", "replace") + ("…" if len(value) > size else "")


def hex_preview(value: bytes, size: int = 256) -> str:
    lines = []
    for start in range(0, min(len(value), size), 16):
        chunk = value[start : start + 16]
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{start:08x}  {chunk.hex(' '):<47}  {text}")
    return "\n".join(lines)


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


# ---------------------------------------------------------------- consumer lag


@dataclass(frozen=True)
class Lag:
    service: str
    group: str
    topic: str
    partition: int
    lag: int


def parse_lag(text: str, service: str) -> list[Lag]:
    """Every ``govpub_consumer_lag`` sample of one service's /metrics page."""
    rows: list[Lag] = []
    for family in text_string_to_metric_families(text):
        if family.name != LAG_METRIC:
            continue
        for sample in family.samples:
            labels = sample.labels
            partition = labels.get("partition", "")
            rows.append(
                Lag(
                    service=labels.get("service", service),
                    group=labels.get("group", ""),
                    topic=labels.get("topic", ""),
                    partition=int(partition) if partition.isdigit() else -1,
                    lag=int(sample.value),
                )
            )
    return sorted(rows, key=lambda r: (r.service, r.group, r.topic, r.partition))
