"""Chinese search without ``$text``: jieba tokens stored with each document, matched in memory (``index.py``).

Both sides are reduced to the same pieces: every word jieba finds, plus the dictionary words of two
characters inside longer words (what ``cut_for_search`` yields). A query word like 知识产权 is thus
found in a document that only says 知识产权局, because both contain 知识 and 产权.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)

_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
_STOP = frozenset("的 了 和 与 及 或 在 对 为 等 是 于 将 以 之 其 其他 有关 关于 进一步 做好 一 二 三".split())
_DOC_NUMBER = re.compile(
    r"(?P<organ>[\u3400-\u9fff]{1,12})\s*[〔\[(（【［{]\s*(?P<year>[0-9０-９]{4})\s*[〕\])）】］}]\s*"
    r"(?P<serial>[0-9０-９]{1,5})\s*号?"
)
_PHRASE = re.compile(r'"([^"]+)"|“([^”]+)”')


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def tokens(text: str) -> set[str]:
    """The search tokens of ``text``."""
    result: set[str] = set()
    for word in _tokenizer().cut_for_search(_normalize(text)):
        word = word.strip()
        if len(word) < 1 or word in _STOP or not _WORDLIKE.search(word):
            continue
        if len(word) == 1 and not ("\u3400" <= word <= "\u9fff"):
            continue
        result.add(word)
    return result


def query_terms(text: str) -> list[str]:
    """The smallest pieces of a query word, so that documents that segment it differently still match."""
    terms: list[str] = []
    for word in _tokenizer().cut(_normalize(text)):
        word = word.strip()
        if not word or word in _STOP or not _WORDLIKE.search(word):
            continue
        pieces = [p for p in _tokenizer().cut_for_search(word) if p != word and len(p) == 2]
        terms.extend(pieces or [word])
    return list(dict.fromkeys(terms))


def normalize_doc_number(text: str) -> str | None:
    """沪知局[2023]12号, 沪知局（2023）12 and 沪知局〔２０２３〕12号 all give 沪知局〔2023〕12号."""
    match = _DOC_NUMBER.search(text)
    if not match:
        return None
    year = unicodedata.normalize("NFKC", match["year"])
    serial = int(unicodedata.normalize("NFKC", match["serial"]))
    return f"{match['organ']}〔{year}〕{serial}号"


@dataclass(frozen=True)
class Query:
    text: str
    terms: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    doc_number: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.terms or self.phrases or self.doc_number)


def parse_query(q: str) -> Query:
    q = (q or "").strip()
    if not q:
        return Query("")
    doc_number = normalize_doc_number(q)
    if doc_number:
        return Query(q, doc_number=doc_number)
    phrases = [a or b for a, b in _PHRASE.findall(q)]
    rest = _PHRASE.sub(" ", q)
    terms = query_terms(rest)
    for phrase in phrases:
        terms.extend(t for t in query_terms(phrase) if t not in terms)
    return Query(q, terms=terms, phrases=[_normalize(p) for p in phrases])


def contains_phrases(query: Query, *texts: str) -> bool:
    """Whether every quoted phrase of ``query`` appears verbatim (after normalizing) in one of ``texts``."""
    normalized = [_normalize(t) for t in texts]
    return all(any(p in t for t in normalized) for p in query.phrases)


@dataclass(frozen=True)
class Filters:
    """Facet filters of a library search; None means any."""

    tag: str | None = None
    year: int | None = None
    organ: str | None = None
    doc_type: str | None = None
    validity: str | None = None

    def active(self) -> dict[str, str | int]:
        """The set filters under their facet names (tag, year, organ, type, validity)."""
        pairs: dict[str, str | int | None] = {
            "tag": self.tag, "year": self.year, "organ": self.organ, "type": self.doc_type, "validity": self.validity,
        }
        return {k: v for k, v in pairs.items() if v is not None and v != ""}
