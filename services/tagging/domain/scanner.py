"""Fast literal search for many Chinese terms, and a word-boundary check for the hits.

Segmenting a whole 20 KB body with jieba costs ~15 ms, so bodies are searched with regexes and
only the hits are checked: first against jieba's dictionary (is any word crossing the hit's
edges?), and only if one is, by segmenting the clause around the hit."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import jieba

# Clause delimiters: a clause is what jieba segments to decide if a hit is a whole word.
_DELIMITERS = frozenset("。；;！!？?，,、：:\n\r\t 　（）()《》〈〉“”\"'‘’【】[]〔〕")
_CLAUSE_REACH = 12  # characters looked at on each side of a hit

_Trie = dict[str, "_Trie"]


def _trie_pattern(terms: Iterable[str]) -> str:
    """One regex alternation shaped like a trie, so `re` rejects most positions on the first character."""
    trie: _Trie = {}
    for term in terms:
        node = trie
        for ch in term:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class TermScanner:
    """Finds every occurrence (overlapping ones included) of a fixed set of terms.

    ASCII terms also match in upper and lower case. The regexes are case-sensitive on purpose:
    with IGNORECASE `re` loses its first-character prefilter and runs ~4x slower. Terms are
    split by first character over a few regexes because `re` tries a top-level alternation
    branch by branch; four short alternations beat one long one by ~40%.
    """

    _BUCKETS = 4

    def __init__(self, terms: Iterable[str]) -> None:
        spellings: dict[str, str] = {}  # spelling in text → term key (lower case)
        for term in terms:
            if term:
                for spelling in (term, term.lower(), term.upper()):
                    spellings[spelling] = term.lower()
        by_first: dict[str, list[str]] = {}
        for spelling in spellings:
            by_first.setdefault(spelling[0], []).append(spelling)
        firsts = sorted(by_first)
        self._regexes = [
            (re.compile(_trie_pattern(s for ch in bucket for s in by_first[ch])), frozenset(bucket))
            for bucket in (firsts[i :: self._BUCKETS] for i in range(self._BUCKETS))
            if bucket
        ]
        # A match is the longest term starting at a position; its prefixes that are terms match too.
        self._keys: dict[str, tuple[str, ...]] = {
            spelling: tuple(
                dict.fromkeys(spellings[spelling[:n]] for n in range(len(spelling), 0, -1) if spelling[:n] in spellings)
            )
            for spelling in spellings
        }

    def scan(self, text: str) -> dict[str, list[int]]:
        """Term key (lower case) → sorted start offsets."""
        hits: dict[str, list[int]] = {}
        keys = self._keys
        for regex, firsts in self._regexes:
            for match in regex.finditer(text):
                start, end = match.span()
                for key in keys[match.group()]:
                    hits.setdefault(key, []).append(start)
                # Terms of this regex that begin inside the match (质押融资 in 专利质押融资);
                # the other regexes find their own.
                for pos in range(start + 1, end):
                    if text[pos] in firsts:
                        inner = regex.match(text, pos)
                        if inner is not None:
                            for key in keys[inner.group()]:
                                hits.setdefault(key, []).append(pos)
        for starts in hits.values():
            starts.sort()
        return hits


def build_tokenizer(words: Iterable[str]) -> jieba.Tokenizer:
    """A private jieba tokenizer with `words` as its user dictionary (the global one is left alone)."""
    # jieba logs its dictionary loading at DEBUG to stderr through the "jieba" logger.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in sorted(set(words)):
        tokenizer.add_word(word)
    return tokenizer


def longest_word(tokenizer: jieba.Tokenizer) -> int:
    """Length of the longest word in the tokenizer's dictionary."""
    return max((len(w) for w, count in tokenizer.FREQ.items() if count), default=1)


class WordChecker:
    """Decides, per text, whether a span is a whole word for jieba; caches clause segmentations.

    A span also counts as a word when it sits inside a token that is itself a catalogue term
    (专利 inside 专利质押融资): the catalogue's own compounds embed their parts.

    Fast path: jieba (HMM off) cuts into dictionary words and single characters, so when no
    dictionary word crosses either edge of the span, every segmentation has both edges as
    boundaries and jieba need not run. Only spans with a crossing word (商标 in 商标局) are cut.
    """

    def __init__(
        self,
        tokenizer: jieba.Tokenizer,
        compounds: frozenset[str],
        text: str,
        *,
        max_word: int,
        fast_path: bool = True,
    ) -> None:
        self._tokenizer = tokenizer
        # jieba's prefix dictionary: every word with its frequency, every proper prefix with 0.
        self._freq: dict[str, int] = tokenizer.FREQ
        self._compounds = compounds
        self._text = text
        self._max_word = max_word
        self._fast_path = fast_path
        self._clauses: dict[tuple[int, int], tuple[frozenset[int], tuple[tuple[int, int], ...]]] = {}

    def is_word(self, start: int, end: int) -> bool:
        if self._fast_path and not self._crossed(start, end):
            return True
        text = self._text
        lo = max(0, start - _CLAUSE_REACH)
        left = start
        while left > lo and text[left - 1] not in _DELIMITERS:
            left -= 1
        hi = min(len(text), end + _CLAUSE_REACH)
        right = end
        while right < hi and text[right] not in _DELIMITERS:
            right += 1
        boundaries, inside_compound = self._segment(left, right)
        return _edge_ok(start, boundaries, inside_compound) and _edge_ok(end, boundaries, inside_compound)

    def _crossed(self, start: int, end: int) -> bool:
        """Whether some dictionary word (other than a catalogue compound covering the span) crosses
        an edge of [start, end), or an ASCII run does (jieba keeps letters and digits together)."""
        text, freq, compounds, longest = self._text, self._freq, self._compounds, self._max_word
        n = len(text)
        # A word crossing `start` begins before it; one crossing only `end` begins inside the span.
        for edge, first in ((start, max(0, start - longest + 1)), (end, start)):
            if edge <= 0 or edge >= n:
                continue
            if text[edge - 1].isascii() and text[edge].isascii() and text[edge - 1].isalnum() and text[edge].isalnum():
                return True
            for a in range(first, edge):
                b = edge + 1
                piece = text[a:b]
                count = freq.get(piece)  # None: not even a prefix of a word, so nothing from `a` crosses
                while count is not None:
                    if count > 0 and not (a <= start and b >= end and piece.lower() in compounds):
                        return True
                    b += 1
                    if b > n or b - a > longest:
                        break
                    piece = text[a:b]
                    count = freq.get(piece)
        return False

    def _segment(self, left: int, right: int) -> tuple[frozenset[int], tuple[tuple[int, int], ...]]:
        cached = self._clauses.get((left, right))
        if cached is not None:
            return cached
        boundaries = {left}
        compounds: list[tuple[int, int]] = []
        pos = left
        for token in self._tokenizer.cut(self._text[left:right], HMM=False):
            end = pos + len(token)
            boundaries.add(end)
            if len(token) > 1 and token.lower() in self._compounds:
                compounds.append((pos, end))
            pos = end
        result = (frozenset(boundaries), tuple(compounds))
        self._clauses[(left, right)] = result
        return result


def _edge_ok(pos: int, boundaries: frozenset[int], compounds: tuple[tuple[int, int], ...]) -> bool:
    return pos in boundaries or any(a < pos < b for a, b in compounds)
