"""Uploaded body files: text extracted from .txt, .html and .docx; every unreadable file named with its fix."""

from __future__ import annotations

import io
import zipfile

import docx
from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.domain import validate
from services.intake.domain.quality import field_group, problem_kind
from services.intake.upload import Extracted, FileRefused, document_from_form, extract

MB = 5_000_000


def docx_bytes(*paragraphs: str, table: list[list[str]] | None = None) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def text_of(result: Extracted | FileRefused) -> str:
    assert isinstance(result, Extracted), result
    return result.text


def refusal(result: Extracted | FileRefused) -> FileRefused:
    assert isinstance(result, FileRefused), result
    assert result.problem.field == "file" and result.problem.hint
    return result


def test_docx_paragraphs_and_table_rows_come_out_in_order() -> None:
    data = docx_bytes("各区知识产权局：", "现将有关事项通知如下。", "（此件主动公开）", table=[["序号", "名称"], ["1", "甲公司"]])
    assert text_of(extract("通知.docx", None, data, max_bytes=MB)) == (
        "各区知识产权局：\n现将有关事项通知如下。\n（此件主动公开）\n序号\t名称\n1\t甲公司"
    )


def test_html_file_loses_scripts_styles_and_tags() -> None:
    page = ("<!DOCTYPE html><html><head><title>标题栏</title><style>p{color:red}</style>"
            "<script>alert('x')</script></head><body><p>第一段</p><div>第二段&amp;附件</div></body></html>")
    assert text_of(extract("notice.HTML", "text/html", page.encode(), max_bytes=MB)) == "第一段\n第二段&附件"


def test_text_file_in_gb18030_or_with_a_bom_is_decoded() -> None:
    assert text_of(extract("a.txt", None, "正文内容".encode("gb18030"), max_bytes=MB)) == "正文内容"
    assert text_of(extract("a.txt", None, "\ufeff正文".encode(), max_bytes=MB)) == "正文"
    assert text_of(extract("a.txt", None, "正文".encode("utf-16"), max_bytes=MB)) == "正文"


def test_type_comes_from_the_media_type_when_the_name_has_no_extension() -> None:
    assert text_of(extract("body", "text/plain; charset=utf-8", "正文".encode(), max_bytes=MB)) == "正文"


def test_unsupported_type_is_415_naming_the_accepted_types() -> None:
    refused = refusal(extract("scan.pdf", "application/pdf", b"%PDF-1.7", max_bytes=MB))
    assert refused.status == 415 and ".docx" in refused.problem.hint
    assert refusal(extract("old.doc", None, b"\xd0\xcf\x11\xe0", max_bytes=MB)).status == 415


def test_empty_oversized_and_blank_files_are_refused() -> None:
    assert refusal(extract("a.txt", None, b"", max_bytes=MB)).status == 422
    assert refusal(extract("a.txt", None, b"x" * 11, max_bytes=10)).status == 413
    assert "no text" in refusal(extract("a.html", None, b"<p> </p>", max_bytes=MB)).problem.problem


def test_corrupt_docx_is_refused_with_how_to_resave_it() -> None:
    refused = refusal(extract("a.docx", None, b"PK\x03\x04 broken", max_bytes=MB))
    assert "save it again as .docx" in refused.problem.hint
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    assert refusal(extract("a.docx", None, buffer.getvalue(), max_bytes=MB)).status == 422


def test_docx_that_inflates_far_beyond_the_limit_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "0" * 3_000_000)
    refused = refusal(extract("bomb.docx", None, buffer.getvalue(), max_bytes=100_000))
    assert "inflates" in refused.problem.problem


def test_invalid_utf8_that_is_not_gb18030_either_is_refused() -> None:
    assert refusal(extract("a.txt", None, b"\x81\x20\xff\xff", max_bytes=MB)).status == 422


def test_form_fields_become_an_upstream_document_that_validates() -> None:
    fields = [
        ("source_system", "portal-cms"), ("source_id", "P-1"), ("title", "关于开展培训的通知"),
        ("issuing_organ", "上海市知识产权局"), ("written_date", "2023年5月16日"), ("doc_number", ""),
        ("addressees", "各区知识产权局"), ("addressees", "各处室"), ("requires_interpretation", "false"),
        ("attachments", '{"name": "附件1", "url": "https://oa.example.gov.cn/1.pdf"}'),
    ]
    raw, problems = document_from_form(fields, "正文")
    assert problems == []
    assert raw["addressees"] == ["各区知识产权局", "各处室"] and "doc_number" not in raw
    assert raw["requires_interpretation"] is False
    document, refusals = validate(raw)
    assert document is not None, refusals


def test_body_as_a_field_and_repeated_fields_are_named() -> None:
    _, problems = document_from_form([("body", "正文"), ("title", "一"), ("title", "二")], None)
    assert {p.field for p in problems} == {"body", "title"}


def test_refusals_are_grouped_by_field_and_kind_for_the_quality_report() -> None:
    _, problems = validate({"source_system": "oa", "source_id": "1", "title": "", "attachments": [{"name": "a"}],
                            "written_date": "昨天", "bogus": 1})
    kinds = {(field_group(p.field), problem_kind(p)) for p in problems}
    assert {("issuing_organ", "missing"), ("title", "empty"), ("written_date", "malformed"),
            ("attachments.*.url", "missing"), ("bogus", "unknown_field")} <= kinds


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(["a.txt", "a.html", "a.docx", "a", "a.pdf"]), data=st.binary(max_size=2_000))
def test_no_file_crashes_extraction_and_every_refusal_names_the_file_field(name: str, data: bytes) -> None:
    result = extract(name, None, data, max_bytes=1_000)
    if isinstance(result, FileRefused):
        assert result.problem.field == "file" and result.problem.hint
    else:
        assert result.text.strip()


@settings(max_examples=100, deadline=None)
@given(fields=st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)), max_size=12))
def test_any_form_yields_a_document_the_validator_answers(fields: list[tuple[str, str]]) -> None:
    raw, problems = document_from_form(fields, "正文")
    document, refusals = validate(raw)
    assert document is not None or refusals or problems
    assert all(p.field for p in problems + refusals)
