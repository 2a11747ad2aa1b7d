"""Chinese search pieces: tokens, query parsing and document numbers, without a database."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.publication.search import contains_phrases, normalize_doc_number, parse_query, query_terms, tokens


def test_query_word_matches_a_document_that_segments_it_inside_a_longer_word() -> None:
    document = tokens("上海市知识产权局发布通知")
    assert set(query_terms("知识产权")) <= document


def test_doc_number_typed_with_square_brackets_finds_the_normalized_form() -> None:
    assert parse_query("沪知局[2023]12号").doc_number == "沪知局〔2023〕12号"
    assert normalize_doc_number("沪知局（２０２３）12") == "沪知局〔2023〕12号"
    assert normalize_doc_number("沪知局〔2023〕12号") == "沪知局〔2023〕12号"


def test_quoted_phrase_is_required_verbatim() -> None:
    query = parse_query('"质押融资" 园区')
    assert query.phrases == ["质押融资"]
    assert not contains_phrases(query, "园区活动", "专利质押和融资")
    assert contains_phrases(query, "园区活动", "开展专利质押融资")
    assert contains_phrases(parse_query('"ＡＢ公司"'), "ab公司通知")  # compared after NFKC and lower-casing


def test_stop_words_and_punctuation_are_not_tokens() -> None:
    assert not ({"的", "，", "。"} & tokens("关于做好专利工作的通知，请执行。"))


@given(st.text(max_size=200))
def test_parsing_any_query_never_fails(text: str) -> None:
    query = parse_query(text)
    assert isinstance(query.terms, list)
