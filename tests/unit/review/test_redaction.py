"""A reviewer's redaction and the marked-up case view."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.review.domain import Finding, RuleSet, load_rules, mask, scan
from services.review.domain.masking import MASK_CHAR
from services.review.domain.model import ReviewInput
from services.review.domain.redaction import (
    InvalidRedaction,
    MaskRef,
    MaskSpan,
    Texts,
    apply_masks,
    render_marked,
    text_hash,
)

from .conftest import make_id

RULES: RuleSet = load_rules()


def masked_positions(original: str, redacted: str) -> set[int]:
    return {i for i, (a, b) in enumerate(zip(original, redacted, strict=True)) if a != b}


def test_without_changes_the_redaction_is_the_engines() -> None:
    body = f"举报人张伟（身份证号{make_id()}，联系电话13812345678）。"
    findings = scan(ReviewInput("公告", body, None, None, "主动公开"), RULES)
    redaction = apply_masks(Texts("公告", body), findings)
    assert redaction.texts.body == mask(body, [f for f in findings if f.field == "body"])
    assert redaction.removed == ()


def test_removing_one_mask_unhides_only_its_span() -> None:
    body = f"身份证号{make_id()}，手机13812345678。"
    findings = scan(ReviewInput("公告", body, None, None, "主动公开"), RULES)
    mobile = next(f for f in findings if f.kind == "mobile")
    redaction = apply_masks(Texts("公告", body), findings, remove=[MaskRef(mobile.rule_id, mobile.start)])
    assert "13812345678" in redaction.texts.body
    assert make_id() not in redaction.texts.body
    assert redaction.removed == (mobile,)


def test_an_added_mask_hides_every_character_of_its_span_but_spaces() -> None:
    texts = Texts("标题", "联系人 王小明 负责。")
    redaction = apply_masks(texts, [], add=[MaskSpan("body", 3, 8)])
    assert redaction.texts.body == "联系人 *** 负责。"
    assert redaction.applied[0].rule_id == "REVIEWER-MASK"


def test_the_same_rule_at_the_same_offset_in_two_fields_needs_the_field() -> None:
    title_hit = Finding("PII-MOBILE", "mobile", "title", 0, 11, "13812345678", 0.9, "", "mask")
    body_hit = Finding("PII-MOBILE", "mobile", "body", 0, 11, "13812345678", 0.9, "", "mask")
    texts = Texts("13812345678", "13812345678")
    try:
        apply_masks(texts, [title_hit, body_hit], remove=[MaskRef("PII-MOBILE", 0)])
    except InvalidRedaction as exc:
        assert exc.problems[0].field == "remove_masks[0].field"
    else:  # pragma: no cover
        raise AssertionError("an ambiguous removal was accepted")
    redaction = apply_masks(texts, [title_hit, body_hit], remove=[MaskRef("PII-MOBILE", 0, "body")])
    assert redaction.texts.body == "13812345678" and redaction.texts.title == "138****5678"


_texts = st.text(alphabet="0123456789张王李号码电话，。 \n", min_size=1, max_size=60)


@st.composite
def redaction_case(draw: st.DrawFn) -> tuple[str, list[Finding], list[MaskSpan], list[int]]:
    body = draw(_texts)
    n = len(body)
    spans = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(1, n)).filter(lambda t: t[0] < t[1]),
                          max_size=6))
    kinds = draw(st.lists(st.sampled_from(["mobile", "id_number", "person_name", "email", "address"]),
                          min_size=len(spans), max_size=len(spans)))
    findings = [Finding(f"R{i}", kind, "body", s, e, body[s:e], 0.9, "", "mask")
                for i, ((s, e), kind) in enumerate(zip(spans, kinds, strict=True))]
    added = [MaskSpan("body", s, e) for s, e in draw(st.lists(
        st.tuples(st.integers(0, n - 1), st.integers(1, n)).filter(lambda t: t[0] < t[1]), max_size=3))]
    removed = draw(st.lists(st.integers(0, max(len(findings) - 1, 0)), max_size=len(findings), unique=True))
    return body, findings, added, removed if findings else []


@settings(max_examples=300, deadline=None)
@given(redaction_case())
def test_added_and_removed_masks_never_unmask_text_outside_the_removed_spans(
    case: tuple[str, list[Finding], list[MaskSpan], list[int]],
) -> None:
    body, findings, added, removed_idx = case
    texts = Texts("标题", body)
    removed = [findings[i] for i in removed_idx]
    result = apply_masks(texts, findings, add=added, remove=[MaskRef(f.rule_id, f.start) for f in removed])
    before = masked_positions(body, mask(body, findings))
    after = masked_positions(body, result.texts.body)
    inside_removed = {i for f in removed for i in range(f.start, f.end)}
    assert before - inside_removed <= after  # nothing else is un-hidden
    for span in added:  # every added span is hidden, apart from spaces
        assert all(body[i].isspace() or result.texts.body[i] == MASK_CHAR for i in range(span.start, span.end))
    assert len(result.texts.body) == len(body)
    assert {i for i, c in enumerate(result.texts.body) if c != body[i]} == after


def test_text_hash_changes_with_any_field_and_is_stable() -> None:
    base = text_hash(Texts("标题", "正文", None))
    assert base == text_hash(Texts("标题", "正文", None)) and base.startswith("sha256:")
    assert len({base, text_hash(Texts("标题", "正文", "")), text_hash(Texts("标题", "正文*", None))}) == 3


def test_marked_html_escapes_everything_and_wraps_each_finding() -> None:
    text = '<script>alert("x")</script> 电话13812345678 & 张三'
    start = text.index("138")
    hit = Finding("PII-MOBILE", "mobile", "body", start, start + 11, "13812345678", 0.95, "", "mask")
    html = render_marked(text, [hit])
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert ('<mark data-rule="PII-MOBILE" data-kind="mobile" data-action="mask" data-finding="0">'
            "13812345678</mark>") in html
    assert html.endswith(" &amp; 张三")


def test_overlapping_findings_become_adjacent_marks_that_name_every_rule() -> None:
    text = "abcdef"
    a = Finding("A", "email", "body", 0, 4, "abcd", 1.0, "", "mask")
    b = Finding("B<", "person_name", "body", 2, 6, "cdef", 1.0, "", "human")
    html = render_marked(text, [a, b])
    assert html == (
        '<mark data-rule="A" data-kind="email" data-action="mask" data-finding="0">ab</mark>'
        '<mark data-rule="A B&lt;" data-kind="email person_name" data-action="mask human" data-finding="0 1">'
        "cd</mark>"
        '<mark data-rule="B&lt;" data-kind="person_name" data-action="human" data-finding="1">ef</mark>'
    )
