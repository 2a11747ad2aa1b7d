"""Release rules (先审查、后公开): pure functions over what publication has learned from events.

A version is released only when review approved exactly its content hash, its disclosure attribute
is 主动公开, it is tagged, and — for a policy that requires one — its interpretation is releasable
too, in which case both are released in the same step (三同步).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from shared import events

APPROVED = ("approved", "approved_with_redactions")
PROACTIVE = "主动公开"


class Readiness(StrEnum):
    WAITING_FOR_REVIEW = "waiting_for_review"
    WAITING_FOR_TAGS = "waiting_for_tags"
    HASH_MISMATCH = "hash_mismatch"
    AWAITING_REVIEWER = "awaiting_reviewer"
    NOT_APPROVED = "not_approved"
    NOT_PROACTIVE = "not_proactive"
    WITHDRAWN = "withdrawn"
    READY = "ready"


@dataclass(frozen=True)
class Candidate:
    """One version of a document as publication knows it."""

    document_id: str
    version: int
    decision: events.DecisionMade | None
    tagged: events.DocumentTagged | None
    withdrawn: bool = False

    @property
    def content(self) -> events.DocumentContent | None:
        return self.decision.document if self.decision else None


def readiness(c: Candidate) -> Readiness:
    if c.withdrawn:
        return Readiness.WITHDRAWN
    if c.decision is None:
        return Readiness.WAITING_FOR_REVIEW
    if c.decision.decision == "needs_human":
        return Readiness.AWAITING_REVIEWER
    if c.decision.decision not in APPROVED or c.decision.document is None:
        return Readiness.NOT_APPROVED
    if c.tagged is None:
        return Readiness.WAITING_FOR_TAGS
    if c.tagged.content_hash != c.decision.content_hash:
        # Tags of another content: never publish content review did not approve.
        return Readiness.HASH_MISMATCH
    if c.decision.document.disclosure != PROACTIVE:
        return Readiness.NOT_PROACTIVE
    return Readiness.READY


class Plan(StrEnum):
    RELEASE = "release"
    RELEASE_WITH_PARTNER = "release_with_partner"
    HOLD_FOR_PARTNER = "hold_for_partner"
    NOTHING = "nothing"


@dataclass(frozen=True)
class ReleasePlan:
    plan: Plan
    reason: str


def plan_release(
    c: Candidate,
    released_version: int | None,
    *,
    partner: Candidate | None,
    partner_released: bool,
) -> ReleasePlan:
    """What to do with ``c`` now. ``partner`` is its interpretation (for a policy) or its policy."""
    state = readiness(c)
    if state is not Readiness.READY:
        return ReleasePlan(Plan.NOTHING, state.value)
    if released_version is not None and released_version >= c.version:
        return ReleasePlan(Plan.NOTHING, "already_released")
    content = c.content
    assert content is not None
    is_interpretation = content.interprets is not None
    needs_partner = content.requires_interpretation or is_interpretation
    if not needs_partner:
        return ReleasePlan(Plan.RELEASE, "ready")
    if partner_released:
        return ReleasePlan(Plan.RELEASE, "partner_already_released")
    if partner is not None and readiness(partner) is Readiness.READY:
        return ReleasePlan(Plan.RELEASE_WITH_PARTNER, "released_together")
    # Held, never released alone: the partner's own release step will take this one along.
    return ReleasePlan(Plan.HOLD_FOR_PARTNER, "waiting_for_policy" if is_interpretation else "waiting_for_interpretation")


def summary_of(body: str, limit: int = 120) -> str:
    text = " ".join(body.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def release_id(document_id: str, version: int) -> str:
    return f"{document_id}:v{version}"


# ---------------------------------------------------------------- 三同步 deadline

def overdue(held_since: datetime, now: datetime, limit: timedelta) -> bool:
    """A policy held for its interpretation since ``held_since`` has waited past ``limit`` at ``now``."""
    return now - held_since > limit


# ---------------------------------------------------------------- validity (效力状态)

Validity = Literal["有效", "失效", "废止"]
VALIDITY: tuple[Validity, ...] = ("有效", "失效", "废止")
DEFAULT_VALIDITY: Validity = "有效"
