"""What leaves the service from a case: the queue item, the reviewer's case view, the DecisionMade event."""

from __future__ import annotations

from datetime import UTC, datetime

from services.review.domain import RuleSet
from services.review.domain.workbench import Proposal, decide_case
from services.review.handlers import automatic_audit, new_case, review_received
from services.review.workbench import case_from_row, decision_event
from services.review.workbench_api import case_view, queue_item
from shared import events

NOW = datetime(2024, 5, 16, 9, 0, tzinfo=UTC)
MOBILE = "13812345678"


def received(body: str, disclosure: str | None = "主动公开") -> events.DocumentReceived:
    return events.DocumentReceived(
        document_id="d1", version=1, content_hash="sha256:abc", source_system="oa", source_id="1",
        received_at=NOW,
        document=events.DocumentContent(
            title="关于某事项的通知", issuing_organ="上海市知识产权局", doc_type="通知", written_date="2024-05-16",
            disclosure=disclosure, body=body,
        ),
    )


def row_for(body: str, rules: RuleSet) -> dict[str, object]:
    message = received(body)
    return new_case(message, review_received(message, rules), rules, NOW, "corr-1")


def test_a_trade_secret_case_waits_in_the_queue_without_its_text(rules: RuleSet) -> None:
    row = row_for(f"本通知附件含商业秘密，<b>联系</b>电话{MOBILE}。", rules)
    assert row["status"] == "pending"
    item = queue_item(row, NOW)
    assert item["automatic"] == {"decision": "needs_human", "reason_code": "trade_secret"}
    assert item["findings"] == {"trade_secret/human": 1, "mobile/mask": 1}
    assert MOBILE not in repr(item) and "商业秘密" not in repr(item)


def test_the_case_view_marks_each_finding_in_escaped_html_and_lists_the_masks(rules: RuleSet) -> None:
    body = f"本通知附件含商业秘密，<b>联系</b>电话{MOBILE}。"
    view = case_view(row_for(body, rules), 1, NOW)
    field = view["fields"]["body"]
    assert field["text"] == body
    assert "&lt;b&gt;联系&lt;/b&gt;" in field["html"] and "<b>" not in field["html"]
    assert f'data-rule="PII-MOBILE" data-kind="mobile" data-action="mask" data-finding="1">{MOBILE}</mark>' in (
        field["html"])
    assert [(s["rule_id"], s["action"]) for s in field["spans"]] == [("TS-MARKER", "human"), ("PII-MOBILE", "mask")]
    assert view["masks"] == [{"rule_id": "PII-MOBILE", "kind": "mobile", "field": "body",
                              "start": body.index(MOBILE), "end": body.index(MOBILE) + 11}]
    assert "138****5678" in view["redacted"]["body"]
    assert view["decidable"] and not view["approval_needs_second_reviewer"]


def test_an_approval_event_carries_the_same_hash_and_only_masked_text(rules: RuleSet) -> None:
    row = row_for(f"本通知附件含商业秘密，联系电话{MOBILE}。", rules)
    case = case_from_row(row, 1)
    verdict = decide_case(case, Proposal("approved_with_redactions", "附件已删除", "alice", NOW))
    assert verdict.final is not None
    event = decision_event(row, case, verdict.final, NOW)
    assert (event.content_hash, event.decided_by, event.decision) == ("sha256:abc", "alice", "approved_with_redactions")
    assert event.document is not None and "138****5678" in event.document.body
    assert MOBILE not in event.model_dump_json()


def test_a_rejection_event_carries_no_document(rules: RuleSet) -> None:
    row = row_for(f"本通知附件含商业秘密，联系电话{MOBILE}。", rules)
    case = case_from_row(row, 1)
    verdict = decide_case(case, Proposal("rejected", "含商业秘密", "alice", NOW))
    assert verdict.final is not None
    event = decision_event(row, case, verdict.final, NOW)
    assert event.document is None and event.reason_code == "trade_secret"


def test_the_automatic_audit_row_hashes_the_text_before_and_after_masking(rules: RuleSet) -> None:
    message = received(f"联系电话{MOBILE}。")
    outcome = review_received(message, rules)
    row = automatic_audit(message, outcome, rules, NOW)
    assert row["decision"] == "approved_with_redactions"
    assert row["text_hash_before"] != row["text_hash_after"] is not None
    assert MOBILE not in repr(row)
