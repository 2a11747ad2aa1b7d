"""The reviewer workbench (人工审查): who may decide a case, when, and what the decision releases. Pure.

- A reviewer opens a case by locking it; the lock expires. Nobody decides a case another
  reviewer holds; deciding a case nobody holds takes it.
- Four-eyes (双人复核): turning an automatic rejection into an approval is only a proposal
  until a second, different reviewer confirms it.
- A version a newer one has replaced is never decided.
- The decision names what is released: `approved` releases the text unmasked,
  `approved_with_redactions` with at least one mask, `rejected` nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from .model import Decision, Finding
from .policy import REDACTION_REASON, REJECT_ORDER, classification_reason, disclosure_attribute
from .redaction import InvalidRedaction, MaskRef, MaskSpan, Problem, Redaction, Texts, apply_masks

HumanDecision = Literal["approved", "approved_with_redactions", "rejected"]
Action = Literal["decision", "proposal", "confirmation"]
APPROVALS: Final = ("approved", "approved_with_redactions")
OPEN: Final = ("pending", "awaiting_confirmation")
DISCLOSURES: Final = ("主动公开", "依申请公开")
REVIEWER_REJECTED: Final = "reviewer_rejected"
_REASON_CODE: Final = re.compile(r"[a-z][a-z0-9_]{1,63}")


class WorkbenchError(Exception):
    """A request the case's state does not allow; ``title`` and ``detail`` say why and what to do."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(detail)
        self.title = title
        self.detail = detail


class LockHeld(WorkbenchError):
    """Another reviewer holds the case."""

    def __init__(self, title: str, detail: str, lock: Lock | None = None) -> None:
        super().__init__(title, detail)
        self.lock = lock


class SameReviewer(WorkbenchError):
    """The second pair of eyes must belong to someone else."""


class Superseded(WorkbenchError):
    """A newer version of the document arrived; this one is never decided."""


class CaseClosed(WorkbenchError):
    """The case is decided for good."""


class CannotApprove(WorkbenchError):
    """The document's own fields forbid an approval; only a new version can change that."""


class NothingToConfirm(WorkbenchError):
    """The case holds no proposal awaiting confirmation."""


class InvalidDecision(InvalidRedaction):
    """The request itself is wrong: every problem, each with its field and fix."""


@dataclass(frozen=True)
class Lock:
    holder: str
    expires_at: datetime

    def held_against(self, reviewer: str, now: datetime) -> bool:
        return self.holder != reviewer and now < self.expires_at


@dataclass(frozen=True)
class Proposal:
    """A reviewer's decision as requested; kept as is while it awaits a second reviewer."""

    decision: HumanDecision
    reason: str
    reviewer: str
    at: datetime
    reason_code: str | None = None
    disclosure: str | None = None
    add_masks: tuple[MaskSpan, ...] = ()
    remove_masks: tuple[MaskRef, ...] = ()


@dataclass(frozen=True)
class Case:
    """What the rules need to know of a review case."""

    case_id: str
    version: int
    latest_version: int  # the newest version of the document review has received
    status: str  # pending | awaiting_confirmation | approved | approved_with_redactions | rejected | superseded
    decided_by: str | None
    automatic_decision: Decision
    automatic_reason_code: str | None
    texts: Texts
    findings: tuple[Finding, ...]
    classification: str | None = None
    disclosure: str | None = None
    lock: Lock | None = None
    proposal: Proposal | None = None


@dataclass(frozen=True)
class Decided:
    """A decision that is made: it is stored, audited and sent as DecisionMade."""

    decision: HumanDecision
    reason_code: str | None
    decided_by: str
    disclosure: str | None  # the released document's 公开属性
    redaction: Redaction | None  # None for a rejection: nothing is released
    proposed_by: str | None = None  # set when a second reviewer confirmed someone's proposal


@dataclass(frozen=True)
class Verdict:
    action: Action
    status: str
    proposal: Proposal  # what was requested (for a confirmation, the proposal confirmed)
    lock: Lock | None
    pending: Proposal | None  # the proposal awaiting confirmation, if any
    final: Decided | None
    redaction: Redaction | None  # what would be or is released


def decidable(case: Case) -> bool:
    """Open cases, and automatic rejections (a human may overturn them, with four-eyes)."""
    return case.status in OPEN or (case.status == "rejected" and case.decided_by == "auto")


def _check_open(case: Case, reviewer: str, now: datetime) -> None:
    if case.status == "superseded" or case.latest_version > case.version:
        raise Superseded(
            "Version superseded",
            f"Version {case.version} of this document was replaced by version {case.latest_version}; "
            "decide the newest version's case instead.",
        )
    if not decidable(case):
        how = "automatically" if case.decided_by == "auto" else f"by {case.decided_by}"
        hint = (" To take a published document back, withdraw it at intake."
                if case.status in APPROVALS else "")
        raise CaseClosed("Case already decided", f"Case {case.case_id} was {case.status} {how}.{hint}")
    if case.lock is not None and case.lock.held_against(reviewer, now):
        raise LockHeld(
            "Case locked by another reviewer",
            f"{case.lock.holder} holds case {case.case_id} until {case.lock.expires_at.isoformat()}; "
            "wait until they decide or the lock expires.",
            case.lock,
        )


def lock_case(case: Case, reviewer: str, now: datetime, ttl: timedelta) -> Lock:
    """Take or renew the lock on an open case."""
    _check_open(case, reviewer, now)
    return Lock(reviewer, now + ttl)


def unlock_case(case: Case, reviewer: str, now: datetime) -> None:
    """Give the lock back; only its holder may (an expired lock is nobody's)."""
    if case.lock is not None and case.lock.held_against(reviewer, now):
        raise LockHeld("Case locked by another reviewer",
                       f"{case.lock.holder} holds case {case.case_id}; only they can release it.", case.lock)


def needs_second_reviewer(case: Case, decision: str) -> bool:
    return case.automatic_decision == "rejected" and decision in APPROVALS


def decide_case(case: Case, request: Proposal) -> Verdict:
    """A reviewer's decision: made at once, or a proposal when it overturns an automatic rejection."""
    _check_open(case, request.reviewer, request.at)
    disclosure = _validate(case, request)
    redaction = _redaction_for(case, request)
    if needs_second_reviewer(case, request.decision):
        return Verdict("proposal", "awaiting_confirmation", request, None, request, None, redaction)
    final = Decided(request.decision, _reason_code(case, request), request.reviewer, disclosure, redaction)
    return Verdict("decision", request.decision, request, None, None, final, redaction)


def confirm_case(case: Case, reviewer: str, now: datetime) -> Verdict:
    """The second reviewer confirms the pending proposal, which is then decided as proposed."""
    _check_open(case, reviewer, now)
    proposal = case.proposal
    if case.status != "awaiting_confirmation" or proposal is None:
        raise NothingToConfirm("Nothing to confirm",
                               f"Case {case.case_id} is {case.status}; only a proposal awaiting confirmation "
                               "can be confirmed.")
    if proposal.reviewer == reviewer:
        raise SameReviewer("Second reviewer required",
                           f"{reviewer} proposed this decision; a different reviewer must confirm it (四眼原则).")
    disclosure = _validate(case, proposal)
    redaction = _redaction_for(case, proposal)
    final = Decided(proposal.decision, _reason_code(case, proposal), reviewer, disclosure, redaction,
                  proposed_by=proposal.reviewer)
    return Verdict("confirmation", proposal.decision, proposal, None, None, final, redaction)


def _redaction_for(case: Case, request: Proposal) -> Redaction | None:
    if request.decision not in APPROVALS:
        return None
    try:
        redaction = apply_masks(case.texts, case.findings, request.add_masks, request.remove_masks)
    except InvalidRedaction as exc:
        raise InvalidDecision(exc.problems) from exc
    if request.decision == "approved" and redaction.masked:
        raise InvalidDecision([Problem(
            "decision",
            f"`approved` releases the text unmasked, but {len(redaction.applied)} mask(s) apply",
            "send approved_with_redactions, or list every mask to drop in remove_masks",
        )])
    if request.decision == "approved_with_redactions" and not redaction.masked:
        raise InvalidDecision([Problem(
            "decision", "no mask applies, so nothing would be redacted",
            "send approved, or add the spans to hide in add_masks",
        )])
    return redaction


def _validate(case: Case, request: Proposal) -> str | None:
    """Problems with the request itself, all at once; returns the released document's 公开属性."""
    problems: list[Problem] = []
    if not request.reason.strip():
        problems.append(Problem("reason", "is empty", "say why, in a sentence: it goes to the audit log"))
    if request.reason_code is not None and not _REASON_CODE.fullmatch(request.reason_code):
        problems.append(Problem("reason_code", f"{request.reason_code!r} is not a code",
                                "use lower_snake_case, e.g. trade_secret or personal_privacy"))
    if request.decision == "rejected" and (request.add_masks or request.remove_masks):
        problems.append(Problem("add_masks", "masks mean nothing on a rejection: nothing is released",
                                "leave add_masks and remove_masks out, or approve with redactions"))
    disclosure = case.disclosure
    if request.disclosure is not None:
        if request.decision not in APPROVALS:
            problems.append(Problem("disclosure", "is only set with an approval", "leave it out"))
        elif disclosure is not None and request.disclosure != disclosure:
            problems.append(Problem("disclosure", f"the document already says {disclosure}",
                                    "leave it out; the issuing office sends a new version to change it"))
        elif request.disclosure not in DISCLOSURES:
            problems.append(Problem("disclosure", f"{request.disclosure!r} cannot be approved",
                                    "use 主动公开 or 依申请公开, or reject the document"))
        else:
            disclosure = request.disclosure
    elif request.decision in APPROVALS and disclosure is None:
        problems.append(Problem("disclosure", "the document has no 公开属性 (disclosure attribute)",
                                "send disclosure: 主动公开 (proactive) or 依申请公开 (on request)"))
    if problems:
        raise InvalidDecision(problems)
    if request.decision in APPROVALS:
        _check_fields_allow_approval(case)
    return disclosure


def _check_fields_allow_approval(case: Case) -> None:
    # The document's own 密级 and 公开属性 fields are the issuing office's decision, not a
    # pattern that may have misfired: no reviewer overrides them, a new version does.
    if classification_reason(case.classification) is not None:
        raise CannotApprove("Classified by its own field",
                            f"The document's classification field says {case.classification}; it cannot be "
                            "approved. The issuing office sends a declassified version through intake.")
    if disclosure_attribute(case.disclosure) in ("not_disclosed", "on_request"):
        raise CannotApprove("Not for proactive disclosure",
                            f"The document's disclosure attribute is {case.disclosure}; it cannot be approved "
                            "for release. The issuing office sends a new version to change it.")


def _reason_code(case: Case, request: Proposal) -> str | None:
    if request.reason_code is not None:
        return request.reason_code
    if request.decision == "approved_with_redactions":
        return REDACTION_REASON
    if request.decision == "rejected":
        auto = case.automatic_reason_code
        return auto if auto in REJECT_ORDER else REVIEWER_REJECTED
    return None
