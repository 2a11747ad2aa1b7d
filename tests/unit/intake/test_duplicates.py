"""The same document from two upstream systems is recognised; different documents are not."""

from __future__ import annotations

from services.intake.domain import normalize
from services.intake.domain.duplicates import Candidate, Fingerprint, find_original, fingerprint, similarity
from services.intake.identity import document_id_for
from tests.unit.intake.factories import upstream

BODY = (
    "各区知识产权局：\n为加强专利质押融资工作，现将有关事项通知如下。\n一、提高质押登记效率。\n"
    "二、完善风险补偿机制。\n三、加强宣传培训。\n上海市知识产权局\n2023年5月16日"
)


def candidate(**overrides: object) -> Candidate:
    doc = normalize(upstream(**{"body": BODY, **overrides}))  # type: ignore[arg-type]
    return Candidate(document_id_for(doc.source_system, doc.source_id), doc.source_system, fingerprint(doc))


def link_for(**overrides: object) -> str | None:
    doc = normalize(upstream(**{"body": BODY, **overrides}))  # type: ignore[arg-type]
    original = candidate()
    found = find_original(doc.source_system, document_id_for(doc.source_system, doc.source_id), fingerprint(doc),
                          [original])
    return found.reason if found else None


def test_same_number_and_organ_from_another_system_is_a_duplicate_despite_brackets_and_width() -> None:
    assert link_for(source_system="portal-cms", source_id="P-1", doc_number="沪知局[２０２３]12号",
                    body="完全不同的正文") == "doc_number"


def test_same_number_from_the_same_system_under_another_id_is_not_linked() -> None:
    assert link_for(source_id="OA-2023-999999") is None


def test_near_identical_title_and_body_without_a_number_is_a_duplicate() -> None:
    reason = link_for(source_system="portal-cms", source_id="P-2", doc_number=None,
                      title="关于印发《上海市知识產權保護辦法》的通知", body=BODY.replace("加强宣传培训", "加强宣传和培训"))
    assert reason == "title_body"


def test_same_title_with_a_different_body_is_not_a_duplicate() -> None:
    assert link_for(source_system="portal-cms", source_id="P-3", doc_number=None,
                    body="各单位：\n现就2024年度知识产权示范企业评定工作通知如下，请按时申报。") is None


def test_two_different_numbers_are_two_documents_however_alike() -> None:
    assert link_for(source_system="portal-cms", source_id="P-4", doc_number="沪知局〔2023〕13号") is None


def test_similarity_is_one_for_identical_and_low_for_unrelated_texts() -> None:
    a = fingerprint(normalize(upstream(body=BODY))).sketch
    b = fingerprint(normalize(upstream(body="完全无关的一段文字，讲的是别的事情，长度也差不多吧。" * 3))).sketch
    assert similarity(a, a) == 1.0
    assert similarity(a, b) < 0.2


def test_fingerprint_survives_storage() -> None:
    original = fingerprint(normalize(upstream(body="".join(f"第{i}条规定。" for i in range(5_000)))))
    assert Fingerprint.from_row(original.to_row()) == original
    assert len(original.sketch) == 64
