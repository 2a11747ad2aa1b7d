"""Properties that hold for any text, checked with hypothesis."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.review.domain import Finding, ReviewInput, RuleSet, load_rules, mask, review, scan

from .conftest import make_id

RULES: RuleSet = load_rules()  # hypothesis tests cannot take function-scoped fixtures

# Characters that make the rules work hard: digits (half- and full-width), Latin
# letters, separators, marks, role and cue words' characters, line breaks.
ALPHABET = (
    "0123456789０１２３４５６７８９XxEGZLCNABab@.-+()（）：:，,。；;★☆ \u3000\n\t"
    "申请人联系举报投诉当事身份证号码手机电话咨询热线监督传真住址家庭现户籍护照银行卡账"
    "内部资料注意保存不得外传秘密机绝商业技术保协议此件予公开依统一社会信用代码专利商标第"
    "张王李欧阳某老师的于提出称和上海市浦东新区路弄室"
)
texts = st.text(alphabet=ALPHABET, max_size=200)
fast = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(title=texts, body=texts, note=st.none() | texts, classification=st.none() | texts, disclosure=st.none() | texts)
def test_scan_never_crashes_and_spans_point_at_their_text(
    title: str, body: str, note: str | None, classification: str | None, disclosure: str | None
) -> None:
    doc = ReviewInput(title, body, note, classification, disclosure)
    fields = {"title": title, "body": body, "note": note, "classification": classification, "disclosure": disclosure}
    findings = scan(doc, RULES)
    for f in findings:
        value = fields[f.field]
        assert value is not None and 0 <= f.start < f.end <= len(value)
        assert value[f.start : f.end] == f.text
        assert f.action in ("block", "mask", "human") and 0.0 <= f.confidence <= 1.0
    out = review(doc, RULES)
    assert len(out.redacted_body) == len(body) and len(out.redacted_title) == len(title)
    assert out.decision in ("approved", "approved_with_redactions", "needs_human", "rejected")


@st.composite
def text_and_findings(draw: st.DrawFn) -> tuple[str, list[Finding]]:
    text = draw(st.text(alphabet=ALPHABET.replace("*", ""), min_size=1, max_size=120))
    spans = draw(st.lists(st.tuples(st.integers(0, len(text) - 1), st.integers(1, 20)), max_size=6))
    kinds = st.sampled_from(
        ["id_number", "mobile", "landline", "email", "bank_card", "passport", "address", "person_name", "trade_secret"]
    )
    findings = [Finding("P", draw(kinds), "body", s, min(len(text), s + n), "", 0.9, "p", "mask") for s, n in spans]
    return text, findings


@fast
@given(text_and_findings())
def test_masking_keeps_unmasked_text_and_hides_every_masked_span(case: tuple[str, list[Finding]]) -> None:
    text, findings = case
    out = mask(text, findings)
    assert len(out) == len(text)
    covered = {i for f in findings for i in range(f.start, f.end)}
    assert all(out[i] == text[i] for i in range(len(text)) if i not in covered)
    for f in findings:
        assert out[f.start : f.end] != text[f.start : f.end]
        assert "*" in out[f.start : f.end]


filler = st.text(
    alphabet="的一是在了和有大这主中人上为们地个用工时要动国产以我到他会作来分生对于学下级就年", max_size=40
)


@fast
@given(
    before=filler,
    between=filler,
    after=filler,
    region=st.sampled_from(["110101", "310115", "440305", "510107", "620102"]),
    birth=st.dates(date(1920, 1, 1), date(2020, 12, 31)).map(lambda d: d.strftime("%Y%m%d")),
    seq=st.integers(0, 999).map(lambda n: f"{n:03d}"),
    mobile=st.tuples(st.sampled_from("3456789"), st.integers(0, 999_999_999)).map(lambda t: f"1{t[0]}{t[1]:09d}"),
)
def test_planted_id_and_mobile_never_survive_redaction(
    before: str, between: str, after: str, region: str, birth: str, seq: str, mobile: str
) -> None:
    number = make_id(region, birth, seq)
    body = f"{before}身份证号{number}{between}，手机{mobile}。{after}"
    out = review(ReviewInput(title="通知", body=body, disclosure="主动公开"), RULES)
    assert out.decision == "approved_with_redactions"
    assert number not in out.redacted_body and mobile not in out.redacted_body
    assert out.redacted_body.replace("*", "") != body.replace("*", "")
