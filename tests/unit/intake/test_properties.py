"""Properties over generated input: validation never fails to answer, normalizers are idempotent."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.intake.domain import normalize, normalize_doc_number, parse_date, validate
from services.intake.domain.contract import FIELD_NAMES
from services.intake.domain.text import remove_romanization, strip_html
from tests.unit.intake.factories import raw_document

# No example database: runs stay deterministic enough and leave nothing behind in the work tree.
FAST = settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

TOKENS = [
    *"沪知局關於印發通知办法〔〕[]()（）【】［］{}０１２３4567",
    *"第号號年月日〇零○一二三十廿 .-/\t\n<>&;pbr$\ufffd\ud800",
    *["<br>", "</p>", "&amp;", "(zhuanli)", "（此件主动公开）", "Ã©", "鐭ヨ瘑浜ф潈"],
]
MESSY_TEXT = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | MESSY_TEXT | st.text(max_size=20)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8) | MESSY_TEXT, children, max_size=5)
    ),
    max_leaves=30,
)
FIELD_VALUES = st.one_of(JSON_LIKE, MESSY_TEXT, st.lists(MESSY_TEXT, max_size=3))
DOCUMENT_LIKE = st.dictionaries(st.sampled_from([*FIELD_NAMES, "$where", "a.b", "extra"]), FIELD_VALUES, max_size=12)
ATTACHMENTS = st.lists(st.fixed_dictionaries({"name": MESSY_TEXT, "url": MESSY_TEXT | st.just("https://x.cn/a")}))


def check_answer(raw: object) -> None:
    doc, problems = validate(raw)
    assert (doc is None) == bool(problems)
    assert all(problem.field and problem.problem and problem.hint for problem in problems)
    assert all(problem.problem != "the document could not be checked" for problem in problems)
    if doc is not None:
        normalize(doc)


@FAST
@given(JSON_LIKE)
def test_validate_answers_any_json_like_value(raw: Any) -> None:
    check_answer(raw)


@FAST
@given(DOCUMENT_LIKE)
def test_validate_answers_documents_with_wrong_field_values(raw: dict[str, Any]) -> None:
    check_answer(raw)


@FAST
@given(
    doc_number=MESSY_TEXT,
    title=MESSY_TEXT,
    written_date=MESSY_TEXT,
    body=MESSY_TEXT,
    note=MESSY_TEXT,
    attachments=ATTACHMENTS,
)
def test_validate_and_normalize_nearly_valid_documents(**fields: Any) -> None:
    check_answer(raw_document(**fields))


DOC_NUMBERS = st.builds(
    lambda organ, open_, year, close, di, serial, hao, space: f"{organ}{space}{open_}{year}{close}{di}{serial}{hao}",
    st.sampled_from(["沪知局", "国知发保字", "滬知局"]),
    st.sampled_from(list("[(（【〔［{﹝")),
    st.integers(1900, 2100).map(str) | st.sampled_from(["２０２３", "2023"]),
    st.sampled_from(list("])）】〕］}﹞")),
    st.sampled_from(["", "第"]),
    st.integers(0, 99999).map(str) | st.sampled_from(["００７", "012"]),
    st.sampled_from(["", "号", "號"]),
    st.sampled_from(["", " ", "\u3000"]),
)


@FAST
@given(DOC_NUMBERS | MESSY_TEXT)
def test_doc_number_normalization_is_idempotent(text: str) -> None:
    first = normalize_doc_number(text)
    if first is not None:
        assert normalize_doc_number(first[0]) == first


DATES = st.dates().map(lambda d: f"{d.year}年{d.month}月{d.day}日") | st.dates().map(lambda d: f"{d:%Y/%m/%d}")


@FAST
@given(DATES | MESSY_TEXT)
def test_date_parsing_is_idempotent(text: str) -> None:
    first = parse_date(text)
    if first is not None:
        assert parse_date(first.isoformat()) == first


@FAST
@given(MESSY_TEXT)
def test_romanization_removal_is_idempotent(text: str) -> None:
    once, _ = remove_romanization(text)
    assert remove_romanization(once) == (once, [])


@FAST
@given(st.lists(st.sampled_from([*"正文段落 \n", "<p>", "</p>", "<br>", "<b>", "</b>"]), max_size=40).map("".join))
def test_html_stripping_is_idempotent_on_markup_without_entities(text: str) -> None:
    once = strip_html(text)
    assert strip_html(once) == once


@FAST
@given(
    doc_number=DOC_NUMBERS,
    written_date=DATES,
    title=st.sampled_from(["關於印發《辦法》的通知", "关于印发<br>办法的通知", "专利(zhuanli)工作要点"]),
    body=MESSY_TEXT.filter(lambda s: s.strip() and "\ud800" not in s and "&" not in s),
)
def test_normalizing_a_normalized_document_changes_nothing_more(**fields: Any) -> None:
    doc, problems = validate(raw_document(**fields))
    if doc is None:
        return
    first = normalize(doc)
    again, problems = validate(
        raw_document(
            doc_number=first.doc_number,
            written_date=first.written_date,
            title=first.title,
            body=first.body,
            doc_type=first.doc_type,
            disclosure=first.disclosure,
        )
    )
    assert again is not None, problems
    second = normalize(again)
    assert (second.doc_number, second.written_date, second.title, second.body) == (
        first.doc_number,
        first.written_date,
        first.title,
        first.body,
    )
    assert {c.kind for c in second.changes} <= {"text.traditional"}
