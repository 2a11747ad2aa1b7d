from hypothesis import given, settings
from hypothesis import strategies as st

from services.tagging.domain import Tagger
from services.tagging.domain.scanner import TermScanner, WordChecker, longest_word

TERMS = ["专利", "专利质押", "质押融资", "专利质押融资", "商标", "商标局", "企业", "中小企业", "PCT", "质押"]
# Pieces that make realistic clashes: words that swallow terms (商标局, 个人信息, 国家知识产权局),
# words that straddle them (利用, 业务), ASCII runs and delimiters.
PIECES = [*TERMS, "国家知识产权局", "个人", "个人信息", "利用", "业务", "园区", "入园", "惠企", "融资", "银行",
                  "pct", "Pct", "2024", "A", "，", "。", "\n", "的", "开展", "知识产权", "保护", "中心"]  # fmt: skip


def _naive(terms: list[str], text: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    lowered = text.lower()
    for term in {t.lower() for t in terms}:
        starts = [i for i in range(len(text)) if lowered.startswith(term, i)]
        if starts:
            out[term] = starts
    return out


texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_scanner_finds_every_occurrence_including_overlaps(text: str) -> None:
    # Mixed-case ASCII (Pct) is the one spelling the scanner does not promise to find.
    expected = _naive(TERMS, text)
    found = TermScanner(TERMS).scan(text)
    if "Pct" not in text:
        assert found == expected
    else:
        assert all(set(v) <= set(expected.get(k, [])) for k, v in found.items())


def test_scanner_reports_prefix_terms_at_the_same_start() -> None:
    hits = TermScanner(TERMS).scan("开展专利质押融资")
    assert hits["专利质押融资"] == [2] and hits["专利质押"] == [2] and hits["专利"] == [2]
    assert hits["质押融资"] == [4] and hits["质押"] == [4]


@settings(max_examples=300, deadline=None)
@given(texts, st.data())
def test_word_check_fast_path_agrees_with_jieba(tagger: Tagger, text: str, data: st.DataObject) -> None:
    tokenizer = tagger._tokenizer
    compounds = tagger._compounds
    longest = tagger._max_word
    hits = TermScanner(TERMS).scan(text)
    if not hits:
        return
    term = data.draw(st.sampled_from(sorted(hits)))
    start = data.draw(st.sampled_from(hits[term]))
    end = start + len(term)
    fast = WordChecker(tokenizer, compounds, text, max_word=longest)
    slow = WordChecker(tokenizer, compounds, text, max_word=longest, fast_path=False)
    assert fast.is_word(start, end) == slow.is_word(start, end)


def test_word_check_rejects_a_term_swallowed_by_a_longer_word(tagger: Tagger) -> None:
    text = "国家知识产权局商标局发布公告"
    checker = WordChecker(tagger._tokenizer, tagger._compounds, text, max_word=tagger._max_word)
    start = text.index("商标局")
    assert not checker.is_word(start, start + 2)


def test_longest_word_covers_the_dictionary(tagger: Tagger) -> None:
    assert tagger._max_word == longest_word(tagger._tokenizer) >= 4


def test_word_check_accepts_a_term_inside_a_catalogue_compound(tagger: Tagger) -> None:
    text = "开展专利质押融资活动"
    checker = WordChecker(tagger._tokenizer, tagger._compounds, text, max_word=tagger._max_word)
    assert checker.is_word(2, 4)  # 专利 inside 专利质押融资
