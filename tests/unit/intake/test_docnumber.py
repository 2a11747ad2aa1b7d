import pytest

from services.intake.domain import normalize_doc_number
from services.intake.domain.docnumber import parse_doc_number


def test_normalizes_square_brackets_and_fullwidth_digits_in_doc_number() -> None:
    assert normalize_doc_number("沪知局［２０２３］１２号") == ("沪知局〔2023〕12号", "沪知局", 2023, 12)


@pytest.mark.parametrize(
    "written",
    [
        "沪知局[2023]12号",
        "沪知局(2023)12号",
        "沪知局（2023）12号",
        "沪知局【2023】12号",
        "沪知局〔2023〕12号",
        "沪知局［2023］12号",
        "沪知局{2023}12号",
        "沪知局﹝2023﹞12号",
        "沪知局 〔 2023 〕 12 号",
        "沪知局\u3000〔2023〕12号",
        "沪知局〔2023）12号",
    ],
)
def test_accepts_every_bracket_style_around_the_year(written: str) -> None:
    assert normalize_doc_number(written) == ("沪知局〔2023〕12号", "沪知局", 2023, 12)


def test_adds_missing_hao_and_records_it() -> None:
    parsed = parse_doc_number("沪知局〔2023〕12")
    assert parsed is not None
    assert parsed.normalized == "沪知局〔2023〕12号"
    assert [step.kind for step in parsed.steps] == ["doc_number.hao_added"]


def test_drops_di_and_leading_zeros_from_the_serial() -> None:
    parsed = parse_doc_number("沪知局[2023]第007号")
    assert parsed is not None
    assert parsed.normalized == "沪知局〔2023〕7号"
    assert [step.kind for step in parsed.steps] == [
        "doc_number.brackets",
        "doc_number.di_removed",
        "doc_number.leading_zeros",
    ]


def test_records_each_repair_with_the_text_before_and_after_it() -> None:
    parsed = parse_doc_number("沪知局 [2023] 12")
    assert parsed is not None
    assert [(s.kind, s.before, s.after) for s in parsed.steps] == [
        ("doc_number.whitespace", "沪知局 [2023] 12", "沪知局[2023]12"),
        ("doc_number.brackets", "沪知局[2023]12", "沪知局〔2023〕12"),
        ("doc_number.hao_added", "沪知局〔2023〕12", "沪知局〔2023〕12号"),
    ]


def test_canonical_doc_number_needs_no_repair() -> None:
    parsed = parse_doc_number("国知发保字〔2021〕3号")
    assert parsed is not None
    assert parsed.steps == ()
    assert parsed.organ_code == "国知发保字"


def test_reads_traditional_hao() -> None:
    assert normalize_doc_number("滬知局〔2023〕12號") == ("滬知局〔2023〕12号", "滬知局", 2023, 12)


@pytest.mark.parametrize(
    "text",
    ["", "12号", "〔2023〕12号", "沪知局2023年12号", "沪知局〔23〕12号", "沪知局〔2023〕号",
     "沪知局〔2023〕0号", "沪知局〔1800〕1号", "ABC〔2023〕1号", "沪知局〔2023〕12号附件",
     "沪知局〔٢٠٢٣〕12号"],
)  # fmt: skip
def test_refuses_text_that_is_not_a_document_number(text: str) -> None:
    assert normalize_doc_number(text) is None
