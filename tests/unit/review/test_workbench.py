"""The workbench rules: locks, four-eyes, superseded versions, what a decision may say."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.review.domain import Finding
from services.review.domain.redaction import MaskRef, MaskSpan, Texts
from services.review.domain.workbench import (
    CannotApprove,
    Case,
    CaseClosed,
    InvalidDecision,
    Lock,
    LockHeld,
    NothingToConfirm,
    Proposal,
    SameReviewer,
    Superseded,
    confirm_case,
    decide_case,
    lock_case,
    unlock_case,
)

NOW = datetime(2024, 5, 16, 9, 0, tzinfo=UTC)
TTL = timedelta(minutes=15)
BODY = "本通知附件含商业秘密，联系人手机13812345678。"
MOBILE = Finding("PII-MOBILE", "mobile", "body", 16, 27, "13812345678", 0.95, "mobile number", "mask")
SECRET = Finding("TS-MARKER", "trade_secret", "body", 6, 10, "商业秘密", 0.8, "trade-secret marker", "human")
MARK = Finding("CLS-MARK", "classification", "body", 0, 2, "机密", 1.0, "classification mark", "block")


def pending_case(**changes: object) -> Case:
    case = Case(
        case_id="d1:v1", version=1, latest_version=1, status="pending", decided_by=None,
        automatic_decision="needs_human", automatic_reason_code="trade_secret",
        texts=Texts("关于某事项的通知", BODY, None), findings=(SECRET, MOBILE), disclosure="主动公开",
    )
    return replace(case, **changes)  # type: ignore[arg-type]


def rejected_case(**changes: object) -> Case:
    base = pending_case(status="rejected", decided_by="auto", automatic_decision="rejected",
                        automatic_reason_code="state_secret", texts=Texts("通知", "机密★1年\n正文", None),
                        findings=(MARK,))
    return replace(base, **changes)  # type: ignore[arg-type]


def ask(decision: str = "approved_with_redactions", by: str = "alice", **changes: object) -> Proposal:
    p = Proposal(decision=decision, reason="已核实，可公开", reviewer=by, at=NOW)  # type: ignore[arg-type]
    return replace(p, **changes)  # type: ignore[arg-type]


# ---------------------------------------------------------------- locks


def test_a_free_case_is_locked_for_the_ttl() -> None:
    assert lock_case(pending_case(), "alice", NOW, TTL) == Lock("alice", NOW + TTL)


def test_locking_a_case_someone_else_holds_is_refused_until_the_lock_expires() -> None:
    case = pending_case(lock=Lock("alice", NOW + TTL))
    with pytest.raises(LockHeld) as raised:
        lock_case(case, "bob", NOW, TTL)
    assert raised.value.lock == Lock("alice", NOW + TTL)
    assert lock_case(case, "bob", NOW + TTL, TTL).holder == "bob"


def test_the_holder_renews_their_own_lock() -> None:
    case = pending_case(lock=Lock("alice", NOW + TTL))
    assert lock_case(case, "alice", NOW + timedelta(minutes=10), TTL).expires_at == NOW + timedelta(minutes=25)


def test_only_the_holder_releases_a_live_lock() -> None:
    case = pending_case(lock=Lock("alice", NOW + TTL))
    with pytest.raises(LockHeld):
        unlock_case(case, "bob", NOW)
    unlock_case(case, "alice", NOW)
    unlock_case(case, "bob", NOW + TTL)  # expired: nobody's


def test_deciding_a_case_another_reviewer_holds_is_refused() -> None:
    with pytest.raises(LockHeld):
        decide_case(pending_case(lock=Lock("alice", NOW + TTL)), ask(by="bob"))


def test_deciding_an_unlocked_or_expired_case_takes_it_and_clears_the_lock() -> None:
    for case in (pending_case(), pending_case(lock=Lock("alice", NOW - timedelta(seconds=1)))):
        verdict = decide_case(case, ask(by="bob"))
        assert verdict.final is not None and verdict.final.decided_by == "bob"
        assert verdict.lock is None


def test_a_decided_case_cannot_be_locked_or_decided_again() -> None:
    done = pending_case(status="approved_with_redactions", decided_by="alice")
    with pytest.raises(CaseClosed):
        lock_case(done, "bob", NOW, TTL)
    with pytest.raises(CaseClosed):
        decide_case(done, ask(by="bob"))
    with pytest.raises(CaseClosed):
        decide_case(pending_case(status="approved", decided_by="auto", automatic_decision="approved"), ask())


# ---------------------------------------------------------------- superseded


@pytest.mark.parametrize("case", [pending_case(latest_version=2), pending_case(status="superseded")])
def test_a_superseded_version_is_never_decided_or_locked(case: Case) -> None:
    with pytest.raises(Superseded):
        decide_case(case, ask())
    with pytest.raises(Superseded):
        lock_case(case, "alice", NOW, TTL)


# ---------------------------------------------------------------- four-eyes


def test_approving_a_needs_human_case_is_decided_by_one_reviewer() -> None:
    verdict = decide_case(pending_case(), ask())
    assert verdict.action == "decision" and verdict.status == "approved_with_redactions"
    assert verdict.final is not None and verdict.final.reason_code == "personal_privacy"
    assert verdict.final.redaction is not None and "138****5678" in verdict.final.redaction.texts.body


def test_overturning_an_automatic_rejection_is_only_a_proposal() -> None:
    verdict = decide_case(rejected_case(), ask("approved"))
    assert verdict.action == "proposal" and verdict.status == "awaiting_confirmation"
    assert verdict.final is None and verdict.pending is not None and verdict.pending.reviewer == "alice"


def test_the_proposer_cannot_confirm_their_own_proposal() -> None:
    proposal = ask("approved")
    case = rejected_case(status="awaiting_confirmation", proposal=proposal)
    with pytest.raises(SameReviewer):
        confirm_case(case, "alice", NOW)


def test_a_different_reviewer_confirms_and_the_approval_is_made_as_proposed() -> None:
    proposal = ask("approved")
    verdict = confirm_case(rejected_case(status="awaiting_confirmation", proposal=proposal), "bob", NOW)
    assert verdict.action == "confirmation" and verdict.status == "approved"
    assert verdict.final is not None
    assert (verdict.final.decided_by, verdict.final.proposed_by) == ("bob", "alice")
    assert verdict.final.redaction is not None and verdict.final.redaction.texts.body == "机密★1年\n正文"


def test_confirming_without_a_proposal_is_refused() -> None:
    with pytest.raises(NothingToConfirm):
        confirm_case(pending_case(), "bob", NOW)
    with pytest.raises(NothingToConfirm):
        confirm_case(rejected_case(), "bob", NOW)


def test_a_rejection_never_needs_a_second_reviewer() -> None:
    verdict = decide_case(rejected_case(status="awaiting_confirmation", proposal=ask("approved")),
                          ask("rejected", by="alice"))
    assert verdict.action == "decision" and verdict.status == "rejected"
    assert verdict.final is not None and verdict.final.reason_code == "state_secret"
    assert verdict.final.redaction is None and verdict.pending is None


def test_a_new_approval_on_a_pending_proposal_replaces_it_and_its_proposer() -> None:
    verdict = decide_case(rejected_case(status="awaiting_confirmation", proposal=ask("approved")),
                          ask("approved", by="bob"))
    assert verdict.status == "awaiting_confirmation" and verdict.pending is not None
    assert verdict.pending.reviewer == "bob"


def test_a_case_locked_by_someone_else_cannot_be_confirmed() -> None:
    case = rejected_case(status="awaiting_confirmation", proposal=ask("approved"), lock=Lock("carol", NOW + TTL))
    with pytest.raises(LockHeld):
        confirm_case(case, "bob", NOW)


# ---------------------------------------------------------------- the document's own fields


@pytest.mark.parametrize(("field", "value"), [("classification", "机密"), ("disclosure", "不予公开"),
                                              ("disclosure", "依申请公开")])
def test_no_reviewer_approves_against_the_documents_own_fields(field: str, value: str) -> None:
    case = rejected_case(**{field: value})
    with pytest.raises(CannotApprove):
        decide_case(case, ask("approved"))
    assert decide_case(case, ask("rejected")).status == "rejected"


def test_an_approval_of_a_document_without_disclosure_attribute_must_set_it() -> None:
    case = pending_case(disclosure=None)
    with pytest.raises(InvalidDecision) as raised:
        decide_case(case, ask())
    assert [p.field for p in raised.value.problems] == ["disclosure"]
    verdict = decide_case(case, ask(disclosure="主动公开"))
    assert verdict.final is not None and verdict.final.disclosure == "主动公开"


def test_disclosure_cannot_contradict_the_document() -> None:
    with pytest.raises(InvalidDecision) as raised:
        decide_case(pending_case(), ask(disclosure="依申请公开"))
    assert raised.value.problems[0].field == "disclosure"


# ---------------------------------------------------------------- what a decision may say


def test_approved_with_masks_still_applying_is_refused_with_the_fix() -> None:
    with pytest.raises(InvalidDecision) as raised:
        decide_case(pending_case(), ask("approved"))
    problem = raised.value.problems[0]
    assert problem.field == "decision" and "approved_with_redactions" in problem.hint


def test_approved_after_removing_every_mask_releases_the_text_unmasked() -> None:
    verdict = decide_case(pending_case(), ask("approved", remove_masks=(MaskRef("PII-MOBILE", 16),)))
    assert verdict.final is not None and verdict.final.redaction is not None
    assert verdict.final.redaction.texts.body == BODY


def test_approved_with_redactions_needs_a_mask() -> None:
    with pytest.raises(InvalidDecision) as raised:
        decide_case(pending_case(findings=(SECRET,)), ask())
    assert raised.value.problems[0].field == "decision"


def test_every_problem_of_a_request_is_reported_at_once() -> None:
    request = ask("rejected", reason="  ", reason_code="Bad Code", add_masks=(MaskSpan("body", 0, 2),))
    with pytest.raises(InvalidDecision) as raised:
        decide_case(pending_case(), request)
    assert [p.field for p in raised.value.problems] == ["reason", "reason_code", "add_masks"]
    assert all(p.hint for p in raised.value.problems)


def test_bad_mask_spans_name_the_item_and_the_valid_range() -> None:
    request = ask(add_masks=(MaskSpan("body", 5, 99), MaskSpan("note", 0, 1)),
                  remove_masks=(MaskRef("PII-EMAIL", 3),))
    with pytest.raises(InvalidDecision) as raised:
        decide_case(pending_case(), request)
    fields = [p.field for p in raised.value.problems]
    assert fields == ["remove_masks[0]", "add_masks[0].end", "add_masks[1].field"]
    assert f"{len(BODY)}" in raised.value.problems[1].hint


def test_a_rejection_keeps_the_automatic_reason_or_says_a_reviewer_rejected() -> None:
    final = decide_case(pending_case(), ask("rejected")).final
    assert final is not None and final.reason_code == "trade_secret"
    uncertain = pending_case(automatic_reason_code="personal_data_uncertain")
    final = decide_case(uncertain, ask("rejected")).final
    assert final is not None and final.reason_code == "reviewer_rejected"
    final = decide_case(uncertain, ask("rejected", reason_code="personal_privacy")).final
    assert final is not None and final.reason_code == "personal_privacy"
