"""Catalogue rules compiled for the matcher: defaults resolved, terms lower-cased, regexes built."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .catalogue import Catalogue, Cues, Rule, RuleDefaults, Tag, TermSpec

BUILTIN_WEIGHTS = {"title": 3.0, "body": 1.0, "doc_type": 2.0, "suffix": 4.0}
BUILTIN_THRESHOLD = 2.0
BUILTIN_BODY_CAP = 3


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    weight: float
    word: bool
    gate: bool = False  # an `all` term: required, adds no points


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    weight: float
    fields: tuple[str, ...]


@dataclass(frozen=True)
class CompiledTag:
    tag: Tag
    order: int
    keys: frozenset[str]  # every literal term key, to skip tags with no hit at all
    terms: tuple[Term, ...]
    required: frozenset[str]
    patterns: tuple[Pattern, ...]
    exclude: tuple[str, ...]
    suffixes: frozenset[str]
    doc_type_values: frozenset[str]
    weights: dict[str, float]
    threshold: float
    body_cap: int
    per_sentence: bool
    cues: Cues | None

    @property
    def always_scored(self) -> bool:
        """Tags whose evidence is not a literal term: regexes, the title's 文种, the doc_type field."""
        return bool(self.patterns or self.suffixes or self.doc_type_values)


def compile_tag(catalogue: Catalogue, tag: Tag, order: int) -> CompiledTag:
    """Resolve a tag's rules against dimension and catalogue defaults into matcher-ready form."""
    rule = tag.rules
    dimension = catalogue.dimension(tag.dimension)
    layers: list[Rule | RuleDefaults] = [rule, *([dimension.defaults] if dimension else []), catalogue.defaults]
    weights = {
        name: next((w for w in (getattr(layer.weights, name) for layer in layers) if w is not None), builtin)
        for name, builtin in BUILTIN_WEIGHTS.items()
    }
    mode = next((layer.match for layer in layers if layer.match is not None), "substring")
    threshold = next((layer.threshold for layer in layers if layer.threshold is not None), BUILTIN_THRESHOLD)
    body_cap = next((layer.body_cap for layer in layers if layer.body_cap is not None), BUILTIN_BODY_CAP)
    per_sentence = next((layer.per_sentence for layer in layers if layer.per_sentence is not None), False)

    def terms(specs: Iterable[TermSpec], exact: bool, gate: bool = False) -> list[Term]:
        return [Term(s.term.lower(), s.term, s.weight, not exact and (s.match or mode) == "word", gate) for s in specs]

    all_terms = terms(rule.all_of, exact=False, gate=True)
    doc_type_values = {v.strip().lower() for v in rule.doc_type_values}
    if doc_type_values:  # upstream may also send the code or its last segment ("notice")
        doc_type_values |= {tag.code, tag.code.rsplit(".", 1)[-1]}
    literal = terms(rule.any_of, exact=False) + all_terms + terms(rule.phrases, exact=True)
    return CompiledTag(
        tag=tag,
        order=order,
        keys=frozenset(t.key for t in literal),
        terms=tuple(literal),
        required=frozenset(t.key for t in all_terms),
        patterns=tuple(Pattern(re.compile(p.pattern), p.weight, p.fields) for p in rule.regex),
        exclude=tuple(x.lower() for x in rule.exclude),
        suffixes=frozenset(rule.title_suffixes),
        doc_type_values=frozenset(doc_type_values),
        weights=weights,
        threshold=threshold,
        body_cap=body_cap,
        per_sentence=per_sentence,
        cues=dimension.cues if dimension else None,
    )
