"""The compiled rule set: rules, context cues, public identifiers, allow-list."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Final, Literal, cast

from .anchors import Anchors
from .validators import VALIDATORS, Validator

Side = Literal["before", "after", "around"]
GATES: Final = ("digits", "email")


@dataclass(frozen=True)
class ContextCue:
    """Words near a match that raise (delta > 0) or lower (delta < 0) its confidence."""

    words: tuple[str, ...]
    delta: float
    window: int
    side: Side
    label: str = ""

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(alternation(self.words))


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    regex: re.Pattern[str]
    group: str | int  # the span reported and masked: named group "v" when present
    validator: str | None
    base: float
    context: tuple[ContextCue, ...]
    severity: str
    action: str
    requires_any: tuple[str, ...]  # cheap literal pre-filter: skip the regex when none occurs
    exemptable: bool  # public identifiers (USCC, patents, hotlines ...) suppress this rule
    gate: str | None = None  # run only in windows around digit runs / '@' (see engine)
    description: str = ""

    @cached_property
    def context_window(self) -> int:
        return max((c.window for c in self.context), default=0)


@dataclass(frozen=True)
class PublicIdentifier:
    """A span that is public by nature and must never be reported as personal data."""

    id: str
    regex: re.Pattern[str]
    group: str | int
    validator: str | None
    requires_context: ContextCue | None
    requires_any: tuple[str, ...]
    gate: str | None = None
    description: str = ""
    unless_context: ContextCue | None = None  # words that make the span personal after all


@dataclass(frozen=True)
class Allowlist:
    version: str
    hotlines: tuple[str, ...]
    identifiers: tuple[PublicIdentifier, ...]
    public_contact: ContextCue | None
    public_contact_kinds: frozenset[str]
    public_email_domains: tuple[str, ...]
    public_email_delta: float


@dataclass(frozen=True)
class RuleSet:
    """Compiled rules plus allow-list. `version` names both files' versions."""

    rules_version: str
    rules: tuple[Rule, ...]
    allowlist: Allowlist
    mask_threshold: float
    human_threshold: float
    boundaries: str  # context windows stop at these characters (sentence ends)

    @cached_property
    def triggers(self) -> Triggers:
        words = {w for r in self.rules for w in r.requires_any}
        words |= {w for i in self.allowlist.identifiers for w in i.requires_any}
        return Triggers(frozenset(words))

    @cached_property
    def steps(self) -> tuple[tuple[Rule, frozenset[str] | None, Validator | None], ...]:
        """Each rule with its pre-filter words as a set and its validator, looked up once."""
        return tuple(
            (r, frozenset(r.requires_any) or None, VALIDATORS[r.validator] if r.validator else None) for r in self.rules
        )

    @cached_property
    def anchors(self) -> Anchors:
        return Anchors(self.triggers)

    @cached_property
    def boundary_regex(self) -> re.Pattern[str]:
        return re.compile("[" + re.escape(self.boundaries) + "]")

    @property
    def version(self) -> str:
        return f"{self.rules_version}+allowlist.{self.allowlist.version}"


class Triggers:
    """Finds which `requires_any` words occur in a text, in one regex pass.

    Testing each word with `in` costs a call per word per field; a trie-shaped
    alternation visits the text once.
    """

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self.regex = re.compile(_trie_pattern(words)) if words else None
        # A word found also means every listed word inside it is present (住址 in 家庭住址).
        self._inside = {w: frozenset(v for v in words if v in w) for w in words}

    def present(self, text: str) -> set[str]:
        found: set[str] = set()
        if self.regex is None:
            return found
        search, pos = self.regex.search, 0
        while (m := search(text, pos)) is not None:
            found |= self._inside[m.group()]
            pos = m.start() + 1  # overlapping words starting later are found too
        return found


def _trie_pattern(words: Iterable[str]) -> str:
    trie: dict[str, dict[str, object]] = {}
    for word in words:
        node = trie
        for ch in word:
            node = cast(dict[str, dict[str, object]], node.setdefault(ch, {}))
        node[""] = {}

    def build(node: dict[str, dict[str, object]]) -> str:
        alts = [
            re.escape(ch) + build(cast(dict[str, dict[str, object]], sub)) for ch, sub in sorted(node.items()) if ch
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


def alternation(words: Iterable[str]) -> str:
    # Trie-shaped: one branch per first character, and the longest word wins at a
    # position (家庭住址 over 住址) while shorter ones remain for backtracking.
    return "(?:" + _trie_pattern(words) + ")"
