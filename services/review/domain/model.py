"""Frozen value objects of the confidentiality review (保密审查)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Decision = Literal["approved", "approved_with_redactions", "needs_human", "rejected"]

KINDS: Final = frozenset(
    {
        "classification",
        "internal_marking",
        "not_for_disclosure",
        "id_number",
        "mobile",
        "landline",
        "email",
        "bank_card",
        "passport",
        "address",
        "person_name",
        "trade_secret",
    }
)
PERSONAL_KINDS: Final = frozenset(
    {"id_number", "mobile", "landline", "email", "bank_card", "passport", "address", "person_name"}
)
ACTIONS: Final = frozenset({"block", "mask", "human"})
TEXT_FIELDS: Final = ("title", "body", "note")
METADATA_FIELDS: Final = ("classification", "disclosure")


@dataclass(frozen=True)
class Finding:
    """One thing the review found: which rule, where, how sure, and what to do."""

    rule_id: str
    kind: str
    field: str
    start: int
    end: int
    text: str  # the matched text; never leaves the review service (see finding_public_view)
    confidence: float
    reason: str
    action: str


@dataclass(frozen=True)
class ReviewInput:
    title: str
    body: str
    note: str | None = None
    classification: str | None = None
    disclosure: str | None = None


@dataclass(frozen=True)
class ReviewOutcome:
    decision: Decision
    reason_code: str | None
    findings: tuple[Finding, ...]
    redacted_title: str
    redacted_body: str
    redacted_note: str | None


def finding_public_view(f: Finding) -> dict[str, object]:
    """Everything about a finding except the matched text, for events and logs."""
    return {
        "rule_id": f.rule_id,
        "kind": f.kind,
        "field": f.field,
        "start": f.start,
        "end": f.end,
        "confidence": f.confidence,
        "reason": f.reason,
        "action": f.action,
    }
