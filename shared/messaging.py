"""Kafka plumbing: the broker factory, topic provisioning, typed batch subscribers with a dead-letter path.

Subscribers receive batches of raw records; each record is decoded on its own, so one unreadable
message goes to the dead-letter topic (with the error and its original bytes) and the rest of the
batch is handled. Offsets are committed only after the handler returned, and a handler that raises
makes the batch be delivered again (at-least-once; handlers are idempotent through the inbox).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from aiokafka import ConsumerRecord
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from pydantic import BaseModel, ValidationError

from shared.envelope import Envelope, EnvelopeError, decode
from shared.logging import get_logger
from shared.settings import CommonSettings
from shared.topics import CATALOGUE, Topic, dead_letter_topic

log = get_logger(__name__)
P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class Incoming(Generic[P]):
    """One decoded event: its CloudEvents envelope, its typed payload and where it came from."""

    envelope: Envelope
    payload: P
    topic: str
    partition: int
    offset: int


@dataclass
class ConsumerState:
    """What a service knows about its own consumers: assignment (for /ready) and lag (for /metrics)."""

    assigned: dict[str, set[int]] = field(default_factory=dict)
    high_water: dict[tuple[str, str, int], int] = field(default_factory=dict)
    position: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def lag(self) -> dict[tuple[str, str, int], int]:
        return {k: max(0, hw - self.position.get(k, 0)) for k, hw in self.high_water.items()}


class AssignmentListener(ConsumerRebalanceListener):
    def __init__(self, group: str, state: ConsumerState) -> None:
        self.group = group
        self.state = state

    async def on_partitions_revoked(self, revoked: Any) -> None:
        self.state.assigned.pop(self.group, None)

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.state.assigned[self.group] = {tp.partition for tp in assigned}


def _security(settings: CommonSettings) -> Any:
    """FastStream's security object for the configured protocol: TLS, SASL (PLAIN or SCRAM), or both."""
    protocol = settings.kafka_security_protocol.upper()
    if protocol not in ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"):
        raise ValueError(
            f"GOVPUB_KAFKA_SECURITY_PROTOCOL is {settings.kafka_security_protocol!r}; "
            "use PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"
        )
    ssl = None
    if protocol.endswith("SSL"):
        import ssl as ssl_module

        ssl = ssl_module.create_default_context(cafile=settings.kafka_ssl_cafile)
    if not protocol.startswith("SASL"):
        return BaseSecurity(ssl_context=ssl, use_ssl=True) if ssl else None
    mechanism = (settings.kafka_sasl_mechanism or "").upper()
    classes = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}
    if mechanism not in classes:
        raise ValueError(
            f"GOVPUB_KAFKA_SECURITY_PROTOCOL={protocol} needs GOVPUB_KAFKA_SASL_MECHANISM set to PLAIN, "
            f"SCRAM-SHA-256 or SCRAM-SHA-512 (it is {settings.kafka_sasl_mechanism!r})"
        )
    return classes[mechanism](
        username=settings.kafka_sasl_username or "",
        password=settings.kafka_sasl_password or "",
        ssl_context=ssl,
        use_ssl=ssl is not None,
    )


def client_security(settings: CommonSettings) -> dict[str, Any]:
    """The same security as keyword arguments for aiokafka's own clients (the admin client)."""
    return parse_security(_security(settings))


def make_broker(settings: CommonSettings, client_id: str) -> KafkaBroker:
    # Idempotent/transactional producers do not start against the embedded broker (DESIGN.md quirk 3),
    # so delivery is at-least-once and every consumer is idempotent.
    return KafkaBroker(
        settings.kafka_bootstrap,
        client_id=client_id,
        enable_idempotence=False,
        allow_auto_create_topics=False,
        acks="all",
        linger_ms=settings.producer_linger_ms,
        security=_security(settings),
        logger=None,
        graceful_timeout=10.0,
    )


async def provision_topics(
    bootstrap: str, topics: Sequence[Topic] = CATALOGUE, settings: CommonSettings | None = None
) -> list[str]:
    """Create every missing topic; returns the names created. Existing topics are left as they are.

    ``settings`` carry the TLS/SASL options of a secured cluster (none for the embedded broker).
    """
    security = client_security(settings) if settings is not None else {}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="govpub-provisioner", **security)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t.name not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [
                        NewTopic(
                            t.name,
                            num_partitions=t.partitions,
                            replication_factor=1,
                            topic_configs={"retention.ms": str(t.retention_ms)},
                        )
                        for t in missing
                    ]
                )
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in missing]
    finally:
        await admin.close()


class DeadLetters:
    """Publishes records a service cannot read to its dead-letter topic, keeping the original bytes."""

    def __init__(self, broker: KafkaBroker, service: str, on_dead_letter: Callable[[str], None]) -> None:
        self.broker = broker
        self.topic = dead_letter_topic(service)
        self.service = service
        self.on_dead_letter = on_dead_letter

    async def send(self, record: ConsumerRecord, group: str, error: str) -> None:
        headers = {k: v.decode("utf-8", "replace") for k, v in (record.headers or ()) if k != "content-type"}
        headers.update(
            {
                "dlq_source_topic": record.topic,
                "dlq_source_partition": str(record.partition),
                "dlq_source_offset": str(record.offset),
                "dlq_group": group,
                "dlq_error": error[:2000],
                "dlq_service": self.service,
                "dlq_time": datetime.now(UTC).isoformat(),
            }
        )
        await self.broker.publish(record.value or b"", self.topic, key=record.key, headers=headers)
        self.on_dead_letter(record.topic)
        log.warning(
            "dead-lettered", topic=record.topic, partition=record.partition, offset=record.offset, error=error[:300]
        )


BatchHandler = Callable[[list[Incoming[Any]]], Awaitable[None]]


def decode_record(record: ConsumerRecord, model: type[BaseModel], max_bytes: int) -> Incoming[Any]:
    """Decode one record or raise EnvelopeError/ValidationError naming what is wrong."""
    value = record.value or b""
    if len(value) > max_bytes:
        raise EnvelopeError(f"message is {len(value)} bytes, over the limit of {max_bytes}")
    envelope, payload = decode(record.headers or [], value)
    typed = model.model_validate(payload)
    return Incoming(envelope, typed, record.topic, record.partition, record.offset)


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return json.dumps(
            [{"field": ".".join(map(str, e["loc"])), "problem": e["msg"]} for e in exc.errors()], ensure_ascii=False
        )
    return str(exc)


def subscribe(
    broker: KafkaBroker,
    settings: CommonSettings,
    *,
    models: Mapping[str, type[BaseModel]],
    group: str,
    handler: BatchHandler,
    dead_letters: DeadLetters,
    state: ConsumerState,
    on_consumed: Callable[[str, int, float], None] | None = None,
    background: bool = False,
) -> None:
    """Register one batch subscriber of ``group`` on the topics of ``models``; ``handler`` gets typed events.

    One subscriber per group, whatever the number of topics: every extra group member costs a
    rebalance, and the embedded broker holds each JoinGroup for half the session timeout.
    ``background``: see ``consumer_options``.
    """

    async def on_batch(body: list[Any], message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord, ...] = message.raw_message
        started = asyncio.get_running_loop().time()
        good: list[Incoming[Any]] = []
        for record in records:
            key = (group, record.topic, record.partition)
            state.position[key] = record.offset + 1
            try:
                good.append(decode_record(record, models[record.topic], settings.max_event_bytes))
            except (EnvelopeError, ValidationError) as exc:
                await dead_letters.send(record, group, _describe(exc))
        if good:
            await handler(good)
            for m in good:
                log.info(
                    "handled", topic=m.topic, document_id=m.envelope.subject, event_id=m.envelope.id,
                    correlation_id=m.envelope.correlation_id, group=group,
                )
        note_high_water(message, group, state)
        if on_consumed:
            elapsed = asyncio.get_running_loop().time() - started
            for record in records:
                on_consumed(record.topic, 1, elapsed / len(records))

    broker.subscriber(*models, **consumer_options(settings, group, state, background=background))(on_batch)


async def _raw_body(msg: Any) -> Any:
    return msg.body


def consumer_options(
    settings: CommonSettings, group: str, state: ConsumerState, *, background: bool = False
) -> dict[str, Any]:
    """How every govpub consumer group subscribes: batches of raw records, from the earliest offset,
    committed after the handler, with assignments reported to ``state`` (for /ready and /metrics).

    ``background``: a group off the documents' way to the public waits longer for data (fewer fetches).
    """
    return {
        "group_id": group,
        "batch": True,
        "max_records": settings.max_poll_records,
        "auto_offset_reset": "earliest",  # the embedded broker reports wrong high-water marks (quirk 2)
        "session_timeout_ms": settings.session_timeout_ms,
        "heartbeat_interval_ms": settings.heartbeat_interval_ms,
        "fetch_max_wait_ms": settings.background_fetch_max_wait_ms if background else settings.fetch_max_wait_ms,
        "batch_timeout_ms": settings.batch_timeout_ms,
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "decoder": _raw_body,
        "listener": AssignmentListener(group, state),
        "title": group,
    }


def note_high_water(message: KafkaMessage, group: str, state: ConsumerState) -> None:
    """Record the high-water mark of every partition the message's consumer holds, for lag."""
    consumer = getattr(message, "consumer", None)
    if consumer is not None:
        for tp in consumer.assignment():
            hw = consumer.highwater(tp)
            if hw is not None:
                state.high_water[(group, tp.topic, tp.partition)] = hw
