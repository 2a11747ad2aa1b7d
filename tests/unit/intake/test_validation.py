from typing import Any

import pytest

from services.intake.domain import Limits, Problem, UpstreamDocument, validate
from tests.unit.intake.factories import raw_document


def problems_of(raw: object, limits: Limits = Limits()) -> dict[str, Problem]:
    doc, problems = validate(raw, limits)
    assert doc is None
    return {problem.field: problem for problem in problems}


def test_accepts_a_complete_document() -> None:
    doc, problems = validate(raw_document(attachments=[{"name": "附件1", "url": "https://x.gov.cn/1.pdf"}]))
    assert problems == []
    assert isinstance(doc, UpstreamDocument)
    assert doc.attachments[0].url == "https://x.gov.cn/1.pdf"


def test_optional_fields_may_be_omitted_or_null() -> None:
    doc, problems = validate(raw_document(doc_number=None, note=None) | {"doc_type": None, "interprets": None})
    assert problems == []
    assert doc is not None and doc.doc_number is None


@pytest.mark.parametrize("raw", [None, 1, 1.5, True, "文件", [raw_document()], b"{}"])
def test_refuses_anything_but_an_object(raw: object) -> None:
    found = problems_of(raw)
    assert list(found) == ["(document)"]
    assert "expected a JSON object" in found["(document)"].problem


def test_reports_all_problems_at_once() -> None:
    raw = raw_document(title=3, disclosure="公开", written_date="2023-02-30", doc_number="第12号", source_id=None)
    assert set(problems_of(raw)) == {"title", "disclosure", "written_date", "doc_number", "source_id"}


def test_explains_a_wrong_disclosure_attribute_and_how_to_fix_it() -> None:
    problem = problems_of(raw_document(disclosure="公开"))["disclosure"]
    assert problem.problem == "'公开' is not a disclosure attribute"
    assert problem.hint == "use one of 主动公开, 依申请公开, 不予公开 or omit it"


def test_explains_that_the_secrecy_period_is_not_part_of_the_classification() -> None:
    problem = problems_of(raw_document(classification="机密★1年"))["classification"]
    assert "★1年" in problem.hint


def test_unknown_fields_are_refused_with_the_allowed_fields_and_a_guess() -> None:
    problem = problems_of(raw_document(tittle="x"))["tittle"]
    assert problem.problem == "unknown field 'tittle'"
    assert "did you mean 'title'?" in problem.hint
    assert "source_system" in problem.hint and "audience" in problem.hint


def test_unknown_attachment_fields_list_the_attachment_fields() -> None:
    found = problems_of(raw_document(attachments=[{"name": "a", "url": "https://x.cn/a", "size": 3}]))
    assert found["attachments.0.size"].hint.endswith("the allowed fields are name, url")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (raw_document() | {"$where": "1"}, "$where"),
        (raw_document(attachments=[{"name": "a", "url": "https://x.cn/a", "$ne": 1}]), "attachments.0.$ne"),
        (raw_document() | {"meta": {"deep": [{"$gt": ""}]}}, "meta.deep.0.$gt"),
        (raw_document() | {"a.b": 1}, "a.b"),
    ],
)
def test_refuses_operator_and_dotted_keys_anywhere(raw: dict[str, Any], field: str) -> None:
    found = problems_of(raw)
    assert field in found
    assert "may not" in found[field].hint


def test_refused_key_is_reported_once() -> None:
    _, problems = validate(raw_document() | {"$where": "1"})
    assert [p.field for p in problems] == ["$where"]


def test_refuses_nesting_deeper_than_the_limit() -> None:
    deep: Any = "x"
    for _ in range(15):
        deep = [deep]
    found = problems_of(raw_document() | {"extra": deep})
    assert any("nesting is deeper than 12 levels" in p.problem for p in found.values())


def test_measures_the_body_in_utf8_bytes() -> None:
    body = "知" * 400  # 1,200 bytes in UTF-8
    found = problems_of(raw_document(body=body), Limits(max_body_bytes=1_000))
    assert found["body"].problem == "body is 1,200 bytes in UTF-8, more than the 1,000 allowed"


def test_limits_title_length_and_list_sizes() -> None:
    limits = Limits(max_title_chars=10, max_list_items=3, max_attachments=1)
    attachment = {"name": "a", "url": "https://x.cn/a"}
    raw = raw_document(title="关" * 11, addressees=["a", "b", "c", "d"], attachments=[attachment, attachment])
    found = problems_of(raw, limits)
    assert set(found) == {"title", "addressees", "attachments"}


def test_limits_other_text_fields() -> None:
    found = problems_of(raw_document(note="注" * 30), Limits(max_field_chars=20))
    assert "30 characters" in found["note"].problem


BAD_URLS = [
    "ftp://x.cn/a.pdf",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "/files/a.pdf",
    "https://",
    "http://[::1",
]


@pytest.mark.parametrize("url", [*BAD_URLS, "https://x.cn/a b.pdf"])
def test_attachment_urls_must_be_http_or_https(url: str) -> None:
    found = problems_of(raw_document(attachments=[{"name": "a", "url": "https://x.cn/ok"}, {"name": "b", "url": url}]))
    assert list(found) == ["attachments.1.url"]
    assert "http" in found["attachments.1.url"].hint


def test_unparseable_doc_number_names_the_expected_form() -> None:
    problem = problems_of(raw_document(doc_number="沪知局2023-12"))["doc_number"]
    assert "沪知局〔2023〕12号" in problem.hint


def test_doc_number_repairable_by_normalization_is_accepted() -> None:
    doc, problems = validate(raw_document(doc_number="沪知局[２０２３]12"))
    assert problems == [] and doc is not None


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ("16/05/2023", "'16/05/2023' is not a date"),
        ("2023-02-30", "'2023-02-30' is not a calendar date"),
        ("1850-01-01", "year 1850 is out of range"),
    ],
)
def test_written_date_must_be_a_real_date(written: str, problem: str) -> None:
    assert problems_of(raw_document(written_date=written))["written_date"].problem == problem


def test_written_date_is_required() -> None:
    assert problems_of(raw_document(written_date=None))["written_date"].problem == "written_date is missing"


@pytest.mark.parametrize("field", ["title", "body", "issuing_organ", "source_id"])
def test_blank_required_text_is_refused(field: str) -> None:
    assert problems_of(raw_document(**{field: "  \n "}))[field].problem == f"{field} is blank"


def test_booleans_must_be_json_booleans() -> None:
    problem = problems_of(raw_document(requires_interpretation="true"))["requires_interpretation"]
    assert problem.hint == "use the JSON literals true or false"


def test_wrong_container_types_are_named() -> None:
    found = problems_of(raw_document(addressees="各区", attachments=["a.pdf"]))
    assert found["addressees"].problem == "addressees must be an array, got a string"
    assert found["attachments.0"].problem == "attachments.0 must be an object, got a string"


def test_unpaired_surrogates_are_refused() -> None:
    found = problems_of(raw_document(body="正文\ud800"))
    assert "surrogate" in found["body"].problem


def test_problem_list_is_capped() -> None:
    raw = raw_document() | {f"${i}": i for i in range(500)}
    _, problems = validate(raw)
    assert len(problems) <= 101
    assert problems[-1].field == "(document)"


def test_body_made_only_of_markup_is_refused() -> None:
    problem = problems_of(raw_document(body="<p><br></p>"))["body"]
    assert problem.problem == "body has no text once HTML markup is removed"
