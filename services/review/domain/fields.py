"""A field's text prepared for scanning: width folding, gate windows, span sets."""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Final

# Full-width digits, letters and @+-. folded to ASCII one for one, so offsets hold.
WIDE: Final = re.compile("[\uff0b\uff0d\uff0e\uff10-\uff19\uff20-\uff3a\uff41-\uff5a]")
_WIDE_TABLE: Final = {
    cp: cp - 0xFEE0
    for cp in (0xFF0B, 0xFF0D, 0xFF0E, *range(0xFF10, 0xFF1A), *range(0xFF20, 0xFF3B), *range(0xFF41, 0xFF5B))
}


def fold_width(text: str) -> str:
    return text.translate(_WIDE_TABLE) if WIDE.search(text) else text


# Gated rules run only in windows around these spots instead of over the whole
# field: Chinese prose has few long digit runs and fewer '@', and a regex pass per
# rule over all of it is what would make scanning slow. A gated pattern's match
# must contain such a run and reach at most GATE_MARGIN characters beyond it.
DIGIT_RUN: Final = re.compile(r"[0-9][0-9 \-]{5,}[0-9]")
# '@', or what stands for it where addresses are written to fool harvesters: (at) [at] #.
EMAIL_AT: Final = re.compile(r"@|[(\[（] ?[Aa][Tt] ?[)\]）]|#")
_ASCII_TAIL: Final = re.compile(r"[0-9A-Za-z._%+\-@]*")
GATE_MARGIN: Final = {"digits": (12, 12), "email": (66, 256)}


def _windows(text: str, gate: str) -> list[tuple[int, int]]:
    before, after = GATE_MARGIN[gate]
    finder = DIGIT_RUN if gate == "digits" else EMAIL_AT
    out: list[tuple[int, int]] = []
    for m in finder.finditer(text):
        lo = max(0, m.start() - before)
        # Never end a window inside an ASCII run: the regex would see a false end.
        hi = _ASCII_TAIL.match(text, min(len(text), m.end() + after)).end()  # type: ignore[union-attr]
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


class Field:
    """One field's width-folded text with its gate windows, computed on first use.

    `gates`, when known, names the gates with an anchor in the text: the others
    have no windows, and their rules are skipped without a pass over the text.
    """

    def __init__(self, text: str, gates: frozenset[str] | None = None) -> None:
        self.text = text
        self.gates = gates
        self._windows: dict[str, list[tuple[int, int]]] = {}
        self._spans: dict[tuple[str, int, str | int, str | None], list[tuple[int, int]]] = {}

    def spans(self, regex: re.Pattern[str], group: str | int, gate: str | None) -> list[tuple[int, int]]:
        """Non-empty spans of `group` for every match; rules sharing a pattern share the pass."""
        # Keyed by the pattern's text (its hash is kept): hashing a compiled pattern
        # runs over its whole program, thousands of codes where a lexicon is in it.
        key = (regex.pattern, regex.flags, group, gate)
        found = self._spans.get(key)
        if found is None:
            regions = self.regions(gate)
            if regions:
                text = self.text
                found = [
                    span
                    for lo, hi in regions
                    for m in regex.finditer(text, lo, hi)
                    if (span := m.span(group))[0] < span[1]
                ]
            else:
                found = []
            self._spans[key] = found
        return found

    def regions(self, gate: str | None) -> list[tuple[int, int]]:
        if gate is None:
            return [(0, len(self.text))]
        if gate not in self._windows:
            anchored = self.gates is None or gate in self.gates
            self._windows[gate] = _windows(self.text, gate) if anchored else []
        return self._windows[gate]


class Spans:
    """Disjoint sorted intervals with a logarithmic overlap test."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e) - 1  # last interval starting before e
        return i >= 0 and self.ends[i] > s
