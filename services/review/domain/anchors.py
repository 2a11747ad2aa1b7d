"""What a field holds before any rule runs: its trigger words and gate anchors.

Python's regex engine reads Chinese text a character at a time for every
pattern it runs, so each whole-field pass (width folding, the trigger words,
the digit runs and '@' the gates need) costs about as much as the rules that
then run on a plain paragraph. With hyperscan installed, every trigger word and
the three anchors are compiled into one automaton that reads the field's UTF-8
once and reports which of them occur; without it, the same answers come from
the regex passes.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .fields import DIGIT_RUN, EMAIL_AT, WIDE, fold_width

if TYPE_CHECKING:
    from .ruleset import Triggers

try:
    import hyperscan
except ImportError:  # pragma: no cover - exercised where the wheel is missing
    hyperscan = None  # type: ignore[assignment]

# A gate's anchor: its windows (fields.py) are built around these spots.
_GATE_ANCHORS: Final = {"digits": DIGIT_RUN, "email": EMAIL_AT}


@dataclass(frozen=True, slots=True)
class Sighting:
    """A field's width-folded text, the trigger words in it and the gates with an anchor in it."""

    text: str
    words: set[str]
    gates: frozenset[str] | None  # None: not looked at; build the windows to know


class Anchors:
    """Finds a field's trigger words and gate anchors, natively when hyperscan is installed."""

    def __init__(self, triggers: Triggers, native: bool = True) -> None:
        self.triggers = triggers
        self._words = sorted(triggers.words)
        self._db: Any = None
        if native and hyperscan is not None:
            try:
                self._db = _compile(self._words)
            except (hyperscan.error, UnicodeEncodeError):  # a word hyperscan cannot take: the regex passes can
                self._db = None
        self._local = threading.local()  # hyperscan scratch space is per thread

    @property
    def native(self) -> bool:
        return self._db is not None

    def sight(self, original: str) -> Sighting:
        seen = None if self._db is None else self._scan(original)
        if seen is None:
            text = fold_width(original)
            return Sighting(text, self.triggers.present(text), None)
        wide = len(self._words)
        if wide in seen:  # rare: fold, then look again at the folded text
            original = fold_width(original)
            seen = self._scan(original) or []
        words = self._words
        return Sighting(
            original,
            {words[i] for i in seen if i < wide},
            frozenset(gate for i, gate in enumerate(_GATE_ANCHORS, wide + 1) if i in seen),
        )

    def _scan(self, text: str) -> list[int] | None:
        """Ids of the patterns occurring in `text`; None when it has no UTF-8 form (a lone surrogate)."""
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        seen: list[int] = []
        self._db.scan(data, _collect, context=seen, scratch=scratch)
        return seen


def _collect(pattern_id: int, start: int, end: int, flags: int, seen: list[int]) -> None:
    seen.append(pattern_id)


def _literal(word: str) -> str:
    """`word` as a hyperscan pattern: ASCII punctuation escaped, everything else as is."""
    return "".join("\\" + c if c.isascii() and not c.isalnum() else c for c in word)


def _compile(words: list[str]) -> Any:
    """One database: ids 0..n-1 the words, then the width-folding check, then each gate's anchor.

    Each reports at most once (SINGLEMATCH): only whether it occurs matters.
    """
    expressions = [_literal(w) for w in words]
    expressions.append(WIDE.pattern)
    expressions.extend(anchor.pattern for anchor in _GATE_ANCHORS.values())
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[e.encode("utf-8") for e in expressions],
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_SINGLEMATCH,
    )
    return db
