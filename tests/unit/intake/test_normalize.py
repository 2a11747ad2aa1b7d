import pytest
from pydantic import ValidationError

from services.intake.domain import Change, NormalizedDocument, content_hash, normalize, validate
from tests.unit.intake.factories import raw_document, upstream


def kinds(doc: NormalizedDocument) -> set[str]:
    return {change.kind for change in doc.changes}


def test_messy_real_world_notice_is_normalized_with_every_change_listed() -> None:
    raw = raw_document(
        doc_number="滬知局［２０２３］ 第012",
        title="關於印發《上海市知識產權保護辦法（試行）》的通知<br>",
        written_date="二〇二三年五月十六日",
        body=(
            "<p>各區知識產權局：</p><p>現將《上海市知識產權保護辦法（試行）》印發給你們，"
            "請加強知識產權（zhī shí chǎn quán）保護。</p>上海市知識產權局&nbsp;<br/>二〇二三年五月十六日"
        ),
        note="（此件主動公開）",
    )
    doc, problems = validate(raw)
    assert problems == [] and doc is not None

    normalized = normalize(doc)

    assert normalized.doc_number == "滬知局〔2023〕12号"
    assert normalized.doc_number_original == "滬知局［２０２３］ 第012"
    assert (normalized.organ_code, normalized.doc_year, normalized.doc_serial) == ("滬知局", 2023, 12)
    assert normalized.written_date == "2023-05-16"
    assert normalized.doc_type == "通知"
    assert normalized.disclosure == "主动公开"
    assert normalized.disclosure_marking == "主动公开"
    assert normalized.title == "關於印發《上海市知識產權保護辦法（試行）》的通知"
    assert normalized.body.startswith("各區知識產權局：\n現將")
    assert "（zhī" not in normalized.body and "<" not in normalized.body
    assert "关于印发《上海市知识产权保护办法(试行)》的通知" in normalized.search_text
    assert normalized.flags == []
    assert kinds(normalized) == {
        "doc_number.fullwidth_digits",
        "doc_number.whitespace",
        "doc_number.brackets",
        "doc_number.di_removed",
        "doc_number.leading_zeros",
        "doc_number.hao_added",
        "text.html_stripped",
        "text.romanization_removed",
        "text.traditional",
        "date.chinese_numerals",
        "date.format",
        "doc_type.inferred",
        "disclosure.from_note",
    }
    assert Change("disclosure", "disclosure.from_note", "", "主动公开") in normalized.changes
    assert Change("doc_type", "doc_type.inferred", "", "通知") in normalized.changes


def test_clean_document_has_no_changes_or_flags() -> None:
    normalized = normalize(upstream(doc_type="通知", disclosure="主动公开"))
    assert normalized.changes == []
    assert normalized.flags == []


def test_body_keeps_chinese_punctuation_and_fullwidth_forms() -> None:
    body = "第一条　为了加强保护，制定本办法（试行）。电话：１２３４５"
    normalized = normalize(upstream(body=body))
    assert normalized.body == body
    assert "电话:12345" in normalized.search_text


def test_explicit_disclosure_wins_when_no_marking() -> None:
    assert normalize(upstream(disclosure="依申请公开")).disclosure == "依申请公开"


def test_reads_the_marking_at_the_end_of_the_body() -> None:
    normalized = normalize(upstream(body="正文内容。\n上海市知识产权局\n2023年5月16日\n（此件依申请公开）"))
    assert normalized.disclosure == "依申请公开"
    assert "disclosure.from_body" in kinds(normalized)


def test_a_marking_early_in_a_long_body_is_not_the_documents_marking() -> None:
    body = "引用原文（此件主动公开）。" + "正文" * 400
    assert normalize(upstream(body=body)).disclosure is None


def test_conflicting_field_and_marking_are_flagged_and_left_to_review() -> None:
    normalized = normalize(upstream(disclosure="主动公开", note="（此件不予公开）"))
    assert normalized.disclosure is None
    assert normalized.disclosure_marking == "不予公开"
    assert [flag.code for flag in normalized.flags] == ["disclosure.conflict"]


def test_conflicting_markings_are_flagged() -> None:
    normalized = normalize(upstream(note="（此件主动公开）", body="正文。\n（此件不予公开）"))
    assert normalized.disclosure is None
    assert [flag.code for flag in normalized.flags] == ["disclosure.conflict"]


def test_no_attribute_and_no_marking_leaves_disclosure_open() -> None:
    normalized = normalize(upstream())
    assert normalized.disclosure is None and normalized.disclosure_marking is None


def test_falls_back_to_other_doc_type_and_records_it() -> None:
    normalized = normalize(upstream(title="知识产权宣传周活动"))
    assert normalized.doc_type == "其他"
    assert "doc_type.defaulted" in kinds(normalized)


def test_keeps_the_sent_doc_type() -> None:
    assert normalize(upstream(doc_type="办法")).doc_type == "办法"


def test_flags_mojibake_without_repairing_it() -> None:
    garbled = "关于印发《上海市知识产权保护办法》的通知".encode().decode("gbk", errors="replace")
    normalized = normalize(upstream(title=garbled))
    assert normalized.title == garbled
    assert [(flag.field, flag.code) for flag in normalized.flags] == [("title", "text.mojibake")]


def test_blank_optional_values_become_absent() -> None:
    normalized = normalize(upstream(doc_number="  ", note=""))
    assert normalized.doc_number is None and normalized.note is None
    assert "text.blank_removed" in kinds(normalized)


def test_normalizes_interprets_like_a_doc_number() -> None:
    normalized = normalize(upstream(title="《保护办法》政策解读", interprets="沪知局[2023]12号", doc_number=None))
    assert normalized.interprets == "沪知局〔2023〕12号"
    assert normalized.doc_type == "解读"
    assert any(change.field == "interprets" for change in normalized.changes)


def test_interprets_that_is_a_title_is_kept() -> None:
    assert normalize(upstream(interprets="《上海市知识产权保护办法》")).interprets == "《上海市知识产权保护办法》"


def test_cleans_list_items_and_drops_blank_ones() -> None:
    normalized = normalize(upstream(addressees=[" 各区知识产权局 ", "", "市局各处室"], audience=["张江科学城"]))
    assert normalized.addressees == ["各区知识产权局", "市局各处室"]
    assert normalized.audience == ["张江科学城"]


def test_title_line_breaks_join_chinese_without_space() -> None:
    assert normalize(upstream(title="关于印发\n保护办法的通知")).title == "关于印发保护办法的通知"


def test_crlf_line_endings_are_normalized() -> None:
    normalized = normalize(upstream(body="第一段\r\n第二段"))
    assert normalized.body == "第一段\n第二段"
    assert "text.line_endings" in kinds(normalized)


def test_long_field_changes_keep_a_window_around_the_difference() -> None:
    body = "正文" * 500 + "<br>" + "结尾" * 500
    change = next(c for c in normalize(upstream(body=body)).changes if c.kind == "text.html_stripped")
    assert "<br>" in change.before and len(change.before) < 200


def test_content_hash_ignores_source_ids_and_repairs() -> None:
    first = normalize(upstream(doc_number="沪知局[2023]12"))
    second = normalize(upstream(source_system="portal-cms", source_id="P-9", doc_number="沪知局〔2023〕12号"))
    assert first.changes != second.changes
    assert content_hash(first) == content_hash(second)
    assert content_hash(first).startswith("sha256:") and len(content_hash(first)) == 71


def test_content_hash_changes_with_content() -> None:
    assert content_hash(normalize(upstream())) != content_hash(normalize(upstream(body="另一正文")))


def test_normalized_document_is_frozen() -> None:
    normalized = normalize(upstream())
    with pytest.raises(ValidationError):
        normalized.title = "x"


def test_repeated_repairs_are_summarized_past_a_cap() -> None:
    normalized = normalize(upstream(body="专利(zhuanli)，" * 50))
    glosses = [c for c in normalized.changes if c.kind == "text.romanization_removed"]
    assert len(glosses) == 21
    assert glosses[-1].before == "… 30 more"
