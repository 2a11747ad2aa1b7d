"""Every event govpub publishes, as pydantic models: one vocabulary for all services.

Each event class names its topic; the topic catalogue (``shared.topics``) and the JSON Schemas and
AsyncAPI document in ``contracts/`` are generated from these classes. Consumers ignore unknown fields
so that producers can add optional ones without a new topic version; anything that removes or
changes a field is a breaking change and gets a new ``vN`` topic.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field


class EventPayload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    TOPIC: ClassVar[str]
    TYPE: ClassVar[str]

    document_id: str = Field(description="Stable id of the document, the same for all its versions.")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        topic = cls.__dict__.get("TOPIC")
        if topic:
            cls.TYPE = f"govpub.{topic}"


# ---------------------------------------------------------------- shared parts


class Attachment(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    name: str
    url: str


class DocumentContent(BaseModel):
    """The normalized elements of one version of an official document (公文)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    doc_number: str | None = Field(None, description="发文字号, normalized: 沪知局〔2023〕12号")
    title: str = Field(description="标题")
    issuing_organ: str = Field(description="发文机关")
    doc_type: str = Field(description="文种: 通知, 意见, 办法 ...")
    written_date: str = Field(description="成文日期, ISO 8601 date")
    disclosure: Literal["主动公开", "依申请公开", "不予公开"] | None = Field(
        None, description="公开属性; null when neither the field nor the note says (a reviewer decides)"
    )
    classification: Literal["秘密", "机密", "绝密"] | None = Field(None, description="密级")
    body: str = Field(description="正文, plain text")
    note: str | None = Field(None, description="附注")
    addressees: list[str] = Field(default_factory=list, description="主送机关")
    attachments: list[Attachment] = Field(default_factory=list, description="附件")
    interprets: str | None = Field(None, description="For a 政策解读: doc_number of the policy it interprets")
    requires_interpretation: bool = Field(False, description="The policy is released only with its interpretation")
    audience: list[str] = Field(
        default_factory=list, description="Target audiences for 定向公开; empty means the public library"
    )


class Problem(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    field: str
    problem: str
    hint: str


class ChangeSummary(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    field: str
    kind: str


class QualityFlag(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    field: str
    code: str
    message: str


# ---------------------------------------------------------------- intake


class DocumentReceived(EventPayload):
    """A new version of a document passed validation and normalization."""

    TOPIC: ClassVar[str] = "intake.document-received.v1"

    version: int = Field(ge=1)
    content_hash: str = Field(description="sha256 of the normalized content; review approves exactly this")
    source_system: str
    source_id: str
    received_at: datetime
    document: DocumentContent
    changes: list[ChangeSummary] = Field(default_factory=list)
    flags: list[QualityFlag] = Field(default_factory=list)


class DocumentRejected(EventPayload):
    """A submission that arrived over Kafka and failed validation; HTTP callers get a 422 instead."""

    TOPIC: ClassVar[str] = "intake.document-rejected.v1"

    source_system: str | None
    source_id: str | None
    problems: list[Problem]
    rejected_at: datetime


class WithdrawalRequested(EventPayload):
    """The issuing office withdrew the document; publication and every channel retract it."""

    TOPIC: ClassVar[str] = "intake.document-withdrawn.v1"

    reason: str
    withdrawn_at: datetime


# ---------------------------------------------------------------- review

Decision = Literal["approved", "approved_with_redactions", "needs_human", "rejected"]


class FindingSummary(BaseModel):
    """A review finding without the matched text, which never leaves the review service."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    rule_id: str
    kind: str
    field: str
    start: int
    end: int
    confidence: float
    action: str


class DecisionMade(EventPayload):
    TOPIC: ClassVar[str] = "review.decision-made.v1"

    version: int
    content_hash: str = Field(description="The content hash that was reviewed")
    decision: Decision
    reason_code: str | None = None
    rules_version: str
    findings: list[FindingSummary] = Field(default_factory=list)
    document: DocumentContent | None = Field(
        None, description="The reviewed content with personal data masked; only on approved decisions"
    )
    decided_by: str = Field(description="'auto' or the reviewer's name")
    decided_at: datetime


# ---------------------------------------------------------------- tagging


class TagEvidence(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    term: str
    field: str
    start: int
    end: int
    inherited_from: str | None = Field(None, description="For a parent tag: the child whose evidence this is")


class TagRef(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    code: str
    dimension: str
    name_zh: str
    name_en: str
    confidence: float = 1.0
    source: Literal["rule", "editor", "model"] = "rule"
    evidence: list[TagEvidence] = Field(default_factory=list)


class DocumentTagged(EventPayload):
    TOPIC: ClassVar[str] = "tagging.document-tagged.v1"

    version: int
    content_hash: str
    catalogue_version: int
    tags: list[TagRef]
    suggestions: list[TagRef] = Field(default_factory=list)
    tagged_at: datetime


# ---------------------------------------------------------------- publication (the public contract)


class LinkedDocument(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    document_id: str
    title: str
    url: str


class PublicTag(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    code: str
    dimension: str
    name_zh: str


class DocumentReleased(EventPayload):
    """One version of a document was released. This is govpub's public contract for channel adapters."""

    TOPIC: ClassVar[str] = "publication.document-released.v1"

    release_id: str = Field(description="document_id:v<version>; unique per released version")
    version: int
    supersedes_version: int | None = None
    url: str = Field(description="Permanent URL of the document on the public portal")
    doc_number: str | None
    title: str
    issuing_organ: str
    doc_type: str
    written_date: str
    released_at: datetime
    summary: str
    body: str = Field(description="Reviewed body, personal data masked")
    attachments: list[Attachment] = Field(default_factory=list)
    tags: list[PublicTag] = Field(default_factory=list)
    audience: list[str] = Field(
        default_factory=list,
        description="Empty: public (library and public channels). Otherwise only channels for these audiences.",
    )
    interpretation: LinkedDocument | None = Field(None, description="The 政策解读 released with this policy")
    interprets: LinkedDocument | None = Field(None, description="The policy this interpretation explains")
    validity: Literal["有效", "失效", "废止"] = "有效"


class DocumentWithdrawn(EventPayload):
    """A released document was withdrawn: channels retract what they posted."""

    TOPIC: ClassVar[str] = "publication.document-withdrawn.v1"

    release_id: str
    version: int
    reason: str
    withdrawn_at: datetime
    url: str
    audience: list[str] = Field(default_factory=list)


class InterpretationOverdue(EventPayload):
    """A policy has waited for its interpretation (三同步) longer than the configured limit."""

    TOPIC: ClassVar[str] = "publication.interpretation-overdue.v1"

    version: int
    doc_number: str | None
    title: str
    waiting_since: datetime
    limit_hours: float
    detected_at: datetime


class LinkBroken(EventPayload):
    """A link or attachment in a published document does not resolve (杜绝错链、断链)."""

    TOPIC: ClassVar[str] = "publication.link-broken.v1"

    url: str
    field: str = Field(description="'attachment' or 'body'")
    status: int | None = Field(None, description="HTTP status, or null when the request failed")
    error: str | None = None
    checked_at: datetime


# ---------------------------------------------------------------- distribution


class DeliveryFailed(EventPayload):
    """A delivery used up its attempts or was refused for good; operators replay it after a fix."""

    TOPIC: ClassVar[str] = "distribution.delivery-failed.v1"

    delivery_id: str
    channel_id: str
    action: Literal["release", "withdraw"]
    release_id: str
    attempts: int
    permanent: bool = Field(description="Refused in a way a retry cannot fix (e.g. 401, content refused)")
    errors: list[str] = Field(default_factory=list, description="The error of every attempt, oldest first")
    failed_at: datetime


ALL_EVENTS: tuple[type[EventPayload], ...] = (
    DocumentReceived,
    DocumentRejected,
    WithdrawalRequested,
    DecisionMade,
    DocumentTagged,
    DocumentReleased,
    DocumentWithdrawn,
    InterpretationOverdue,
    LinkBroken,
    DeliveryFailed,
)
