"""CloudEvents 1.0 in Kafka binary mode: attributes in ``ce_*`` headers, JSON payload in the value.

Encoding and decoding go through the CloudEvents SDK; this module adds the two extension attributes
govpub carries on every event (``correlationid``, ``causationid``) and derives deterministic event ids,
so that a consumer that handles the same input twice emits byte-identical events and downstream
inboxes can drop the repeat.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary, to_binary
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

_FORMAT = JSONFormat()
_ID_NAMESPACE = uuid.UUID("6f1c2d1e-3c55-4f4e-9d35-0d1f5d2b7a10")


class EnvelopeError(ValueError):
    """The message is not a CloudEvent govpub can read (missing attribute, bad JSON)."""


@dataclass(frozen=True)
class Envelope:
    id: str
    type: str
    source: str
    subject: str
    time: datetime
    correlation_id: str
    causation_id: str | None = None


def derive_event_id(cause: str, kind: str) -> str:
    """The id of the event of ``kind`` caused by ``cause``: the same inputs always give the same id."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{cause}|{kind}"))


def new_event_id() -> str:
    return str(uuid.uuid4())


def encode(envelope: Envelope, payload: Mapping[str, Any]) -> tuple[dict[str, bytes], bytes]:
    """Headers and value for one Kafka record."""
    attributes: dict[str, Any] = {
        "id": envelope.id,
        "type": envelope.type,
        "source": envelope.source,
        "subject": envelope.subject,
        "time": envelope.time,
        "specversion": "1.0",
        "datacontenttype": "application/json",
        "correlationid": envelope.correlation_id,
    }
    if envelope.causation_id:
        attributes["causationid"] = envelope.causation_id
    message = to_binary(CloudEvent(attributes, None), _FORMAT)
    value = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()
    return dict(message.headers), value


def decode(headers: Mapping[str, bytes] | list[tuple[str, bytes]], value: bytes) -> tuple[Envelope, Any]:
    """Envelope and parsed JSON payload of one record; raises EnvelopeError for anything unreadable."""
    header_map = dict(headers)
    try:
        event = from_binary(KafkaMessage(headers=header_map, key=None, value=b""), _FORMAT)
    except Exception as exc:  # the SDK raises several unrelated types for a bad envelope
        raise EnvelopeError(f"not a CloudEvent in binary mode: {exc}") from exc
    try:
        payload = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(f"payload is not JSON: {exc}") from exc
    attrs = event.get_attributes()
    time = attrs.get("time") or datetime.now(UTC)
    subject = attrs.get("subject") or ""
    envelope = Envelope(
        id=str(attrs["id"]),
        type=str(attrs["type"]),
        source=str(attrs["source"]),
        subject=str(subject),
        time=time if isinstance(time, datetime) else datetime.fromisoformat(str(time)),
        correlation_id=str(attrs.get("correlationid") or attrs["id"]),
        causation_id=attrs.get("causationid"),
    )
    return envelope, payload
