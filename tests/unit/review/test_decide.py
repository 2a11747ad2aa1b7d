"""The outcome of a review: decision, reason code, redacted text."""

from __future__ import annotations

import pytest

from services.review.domain import Finding, ReviewInput, RuleSet, decide, finding_public_view, review, scan

from .conftest import make_id, make_uscc


def doc(body: str, **kw: str | None) -> ReviewInput:
    fields: dict[str, str | None] = {"title": "关于开展知识产权服务的通知", "disclosure": "主动公开"}
    fields.update(kw)
    return ReviewInput(body=body, **fields)  # type: ignore[arg-type]


def test_done_scenario_masks_id_and_mobile_and_leaves_credit_code_and_hotline(rules: RuleSet) -> None:
    number, code = make_id(), make_uscc()
    body = f"申报企业统一社会信用代码{code}；联系人身份证号{number}，手机13812345678。如有疑问请拨打12345热线。"
    out = review(doc(body, note="（此件主动公开）"), rules)
    assert out.decision == "approved_with_redactions"
    assert out.reason_code == "personal_privacy"
    assert number not in out.redacted_body and "13812345678" not in out.redacted_body
    assert f"310***********{number[-4:]}" in out.redacted_body and "138****5678" in out.redacted_body
    assert code in out.redacted_body and "12345热线" in out.redacted_body
    assert len(out.redacted_body) == len(body)
    assert out.redacted_title == "关于开展知识产权服务的通知" and out.redacted_note == "（此件主动公开）"


def test_plain_document_is_approved_unchanged(rules: RuleSet) -> None:
    body = "为进一步优化营商环境，现将有关事项通知如下。本通知自2024年1月1日起施行。"
    out = review(doc(body), rules)
    assert (out.decision, out.reason_code, out.findings) == ("approved", None, ())
    assert out.redacted_body == body and out.redacted_note is None


@pytest.mark.parametrize("classification", ["秘密", "机密★1年", "绝密", "某种未知密级"])
def test_classification_field_set_rejects(rules: RuleSet, classification: str) -> None:
    out = review(doc("正文", classification=classification), rules)
    assert (out.decision, out.reason_code) == ("rejected", "state_secret")
    assert [(f.field, f.action) for f in out.findings] == [("classification", "block")]


@pytest.mark.parametrize("classification", ["", "无", "非密", " 公开 "])
def test_classification_field_saying_unclassified_does_not_reject(rules: RuleSet, classification: str) -> None:
    assert review(doc("正文", classification=classification), rules).decision == "approved"


def test_decide_rejects_a_classified_document_even_without_findings() -> None:
    assert decide(doc("正文", classification="机密"), []).decision == "rejected"
    assert decide(doc("正文", disclosure="不予公开"), []).reason_code == "not_for_disclosure"


def test_classification_mark_in_body_rejects_as_state_secret(rules: RuleSet) -> None:
    out = review(doc("机密★1年\n关于某事项的通知"), rules)
    assert (out.decision, out.reason_code) == ("rejected", "state_secret")


def test_ordinary_secret_words_do_not_reject(rules: RuleSet) -> None:
    out = review(doc("各单位要依法保守国家秘密，加强商业秘密保护。"), rules)
    assert out.decision == "approved"


@pytest.mark.parametrize(
    ("disclosure", "decision", "reason"),
    [
        ("主动公开", "approved", None),
        ("（此件主动公开）", "approved", None),
        ("proactive", "approved", None),
        ("不予公开", "rejected", "not_for_disclosure"),
        ("依申请公开", "rejected", "on_request_only"),
        (None, "needs_human", "disclosure_undetermined"),
        ("待定", "needs_human", "disclosure_undetermined"),
    ],
)
def test_disclosure_attribute(rules: RuleSet, disclosure: str | None, decision: str, reason: str | None) -> None:
    out = review(doc("正文", disclosure=disclosure), rules)
    assert (out.decision, out.reason_code) == (decision, reason)


def test_note_saying_not_for_disclosure_rejects(rules: RuleSet) -> None:
    out = review(doc("正文", note="（此件不予公开）"), rules)
    assert (out.decision, out.reason_code) == ("rejected", "not_for_disclosure")


def test_note_on_request_contradicting_a_proactive_attribute_needs_human(rules: RuleSet) -> None:
    out = review(doc("正文", note="（此件依申请公开）"), rules)
    assert (out.decision, out.reason_code) == ("needs_human", "disclosure_conflict")


@pytest.mark.parametrize("body", ["内部资料　注意保存\n正文", "（内部文件）", "本材料不得外传。"])
def test_internal_marking_rejects_as_internal_affairs(rules: RuleSet, body: str) -> None:
    out = review(doc(body), rules)
    assert (out.decision, out.reason_code) == ("rejected", "internal_affairs")


def test_trade_secret_marker_needs_human(rules: RuleSet) -> None:
    out = review(doc("附件所列工艺参数属于企业商业秘密。"), rules)
    assert (out.decision, out.reason_code) == ("needs_human", "trade_secret")


def test_low_confidence_personal_data_needs_human(rules: RuleSet) -> None:
    out = review(doc(f"档案编号{make_id()}。"), rules)
    assert (out.decision, out.reason_code) == ("needs_human", "personal_data_uncertain")


def test_precedence_rejected_over_needs_human_over_redactions(rules: RuleSet) -> None:
    everything = "机密★1年\n附件涉及商业秘密。联系电话13812345678。"
    assert review(doc(everything), rules).decision == "rejected"
    assert review(doc(everything.split("\n", 1)[1]), rules).decision == "needs_human"
    assert review(doc("联系电话13812345678。"), rules).decision == "approved_with_redactions"
    assert review(doc("联系电话13812345678。", disclosure=None), rules).decision == "needs_human"


def test_redactions_are_applied_even_when_a_human_must_decide(rules: RuleSet) -> None:
    out = review(doc("附件涉及商业秘密。联系电话13812345678。"), rules)
    assert out.decision == "needs_human" and "138****5678" in out.redacted_body


def test_state_secret_wins_over_other_rejection_reasons(rules: RuleSet) -> None:
    out = review(doc("（内部资料）\n绝密★长期", disclosure="依申请公开"), rules)
    assert out.reason_code == "state_secret"


def test_public_view_of_a_finding_omits_the_matched_text(rules: RuleSet) -> None:
    number = make_id()
    findings = scan(doc(f"身份证号{number}"), rules)
    view = finding_public_view(findings[0])
    assert set(view) == {"rule_id", "kind", "field", "start", "end", "confidence", "reason", "action"}
    assert number not in repr(view) and "check digit" in str(view["reason"])


def test_every_finding_explains_itself(rules: RuleSet) -> None:
    body = f"申请人张三，身份证号{make_id()}，咨询电话：021-62345678，手机13812345678。"
    for f in scan(doc(body), rules):
        assert f.reason and f.rule_id and 0.0 <= f.confidence <= 1.0
        assert f.text not in f.reason


def test_decide_masks_only_the_findings_of_each_field() -> None:
    d = ReviewInput(title="张三", body="李四", note="王五", disclosure="主动公开")
    body_only = Finding("X", "person_name", "body", 0, 2, "李四", 0.9, "test", "mask")
    out = decide(d, [body_only])
    assert (out.redacted_title, out.redacted_body, out.redacted_note) == ("张三", "李*", "王五")
