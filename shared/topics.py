"""The topic catalogue: every topic govpub uses, defined once.

The embedded broker auto-creates topics with 4 partitions and cannot add partitions later, so every
topic is provisioned explicitly from this list at start-up (and by ``govpub topics provision``
against a real cluster).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared import events

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    retention_ms: int
    key: str
    payload: str  # name of the payload schema in contracts/schemas
    producer: str
    description: str


# Documents are keyed by document id, so one document's events stay in order on one partition.
DOCUMENT_PARTITIONS = 4

OA_DOCUMENT_ISSUED = "oa.document-issued.v1"
OA_DOCUMENT_WITHDRAWN = "oa.document-withdrawn.v1"
SERVICES = ("intake", "review", "tagging", "publication", "distribution")


def dead_letter_topic(service: str) -> str:
    return f"{service}.dead-letter.v1"


def _event_topic(event: type[events.EventPayload], producer: str, description: str) -> Topic:
    return Topic(
        name=event.TOPIC,
        partitions=DOCUMENT_PARTITIONS,
        retention_ms=30 * DAY_MS,
        key="document_id",
        payload=event.__name__,
        producer=producer,
        description=description,
    )


CATALOGUE: tuple[Topic, ...] = (
    Topic(
        OA_DOCUMENT_ISSUED,
        DOCUMENT_PARTITIONS,
        30 * DAY_MS,
        "source_system:source_id",
        "UpstreamDocument",
        "upstream office systems",
        "A document issued in an office system, sent for disclosure (CloudEvents binary mode).",
    ),
    Topic(
        OA_DOCUMENT_WITHDRAWN,
        DOCUMENT_PARTITIONS,
        30 * DAY_MS,
        "source_system:source_id",
        "UpstreamWithdrawal",
        "upstream office systems",
        "The office system withdrew a document it had sent.",
    ),
    _event_topic(events.DocumentReceived, "intake", "A new document version passed validation."),
    _event_topic(events.DocumentRejected, "intake", "A Kafka submission failed validation, with every problem."),
    _event_topic(events.WithdrawalRequested, "intake", "The issuing office withdrew a document."),
    _event_topic(events.DecisionMade, "review", "The confidentiality review decided on one document version."),
    _event_topic(events.DocumentTagged, "tagging", "Tags from the policy tag catalogue for one document version."),
    _event_topic(events.DocumentReleased, "publication", "Public contract: a document version was released."),
    _event_topic(events.DocumentWithdrawn, "publication", "Public contract: a released document was withdrawn."),
    _event_topic(events.InterpretationOverdue, "publication", "A policy waits too long for its interpretation."),
    _event_topic(events.LinkBroken, "publication", "A link or attachment in a published document is broken."),
    _event_topic(events.DeliveryFailed, "distribution", "A delivery failed for good; replay it after a fix."),
    *(
        Topic(
            dead_letter_topic(service),
            1,
            90 * DAY_MS,
            "original key",
            "DeadLetter",
            service,
            f"Messages {service} could not read, with the error and the original bytes.",
        )
        for service in SERVICES
    ),
)

BY_NAME = {topic.name: topic for topic in CATALOGUE}
