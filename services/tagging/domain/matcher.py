"""Tagging: score every catalogue tag against a document's title, body and doc_type field.

Scoring, per tag: each distinct term found adds ``weight(field) × term weight`` — once for the
title, once per hit in the body up to ``body_cap`` hits. A hit nested inside a longer hit of the
same tag counts once (发明专利 is not also 专利). A tag whose score reaches its threshold is
assigned; a weaker one is a suggestion. Confidence is ``1 - 0.5 ** (score / threshold)``:
0.5 at the threshold, 0.75 at twice the threshold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import islice

from .catalogue import Catalogue, Dimension, Rule, RuleDefaults, Tag, TermSpec
from .results import Evidence, TagAssignment, TaggingResult
from .scanner import TermScanner, WordChecker, build_tokenizer

_BUILTIN_WEIGHTS = {"title": 3.0, "body": 1.0, "doc_type": 2.0, "suffix": 4.0}
_BUILTIN_THRESHOLD = 2.0
_BUILTIN_BODY_CAP = 3
_RAW_BODY_HITS = 24  # occurrences of one term looked at in the body; later ones cannot change the score
_MAX_EVIDENCE = 12

# Trailing decorations that are not part of the 文种: （征求意见稿）, (试行), 【2024年修订】, 》, punctuation.
_TITLE_TAIL = re.compile(
    r"(?:[\s。．.，,；;：:!！?？\"“”'’》〉」』]+|[（(【\[〔][^（()）【】\[\]〔〕]{0,30}[）)】\]〕])$"
)


@dataclass(frozen=True)
class _Term:
    key: str
    label: str
    weight: float
    word: bool
    gate: bool = False  # an `all` term: required, adds no points


@dataclass(frozen=True)
class _Pattern:
    regex: re.Pattern[str]
    weight: float
    fields: tuple[str, ...]


@dataclass(frozen=True)
class _CompiledTag:
    tag: Tag
    order: int
    terms: tuple[_Term, ...]
    required: frozenset[str]
    patterns: tuple[_Pattern, ...]
    exclude: tuple[str, ...]
    suffixes: frozenset[str]
    doc_type_values: frozenset[str]
    weights: dict[str, float]
    threshold: float
    body_cap: int


@dataclass
class _Document:
    title: str
    body: str
    doc_type: str | None
    hits: dict[str, dict[str, list[int]]]
    checkers: dict[str, WordChecker]
    suffix: tuple[str, int, int] | None

    def text(self, field: str) -> str:
        return self.title if field == "title" else self.body


@dataclass(frozen=True)
class _Score:
    points: float
    evidence: tuple[Evidence, ...]


class Tagger:
    """Tags documents against one catalogue. Build once (loads jieba's dictionary, ~1 s), reuse."""

    def __init__(self, catalogue: Catalogue, *, body_limit: int = 40_000) -> None:
        self._catalogue = catalogue
        self._body_limit = body_limit
        self._compiled = tuple(_compile(catalogue, tag, i) for i, tag in enumerate(catalogue.tags))
        self._by_code = {c.tag.code: c for c in self._compiled}
        positive = {t.key for c in self._compiled for t in c.terms}
        excluded = {x for c in self._compiled for x in c.exclude}
        self._scanner = TermScanner(positive | excluded)
        self._compounds = frozenset(positive)
        words = [t.label for c in self._compiled for t in c.terms] + [x for c in self._compiled for x in c.exclude]
        self._tokenizer = build_tokenizer(w for w in words if len(w) > 1)
        self._suffixes: dict[str, list[_CompiledTag]] = {}
        for c in self._compiled:
            for suffix in c.suffixes:
                self._suffixes.setdefault(suffix, []).append(c)
        self._suffix_lengths = sorted({len(s) for s in self._suffixes}, reverse=True)

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    def tag(self, title: str, body: str, doc_type: str | None = None) -> TaggingResult:
        body = body[: self._body_limit]
        doc = _Document(
            title=title,
            body=body,
            doc_type=doc_type.strip().lower() if doc_type and doc_type.strip() else None,
            hits={"title": self._scanner.scan(title), "body": self._scanner.scan(body)},
            checkers={
                "title": WordChecker(self._tokenizer, self._compounds, title),
                "body": WordChecker(self._tokenizer, self._compounds, body),
            },
            suffix=self._final_type(title),
        )
        scores: dict[str, _Score] = {}
        for compiled in self._compiled:
            score = self._score(compiled, doc)
            if score.points > 0:
                scores[compiled.tag.code] = score
        assigned = self._select(scores)
        return self._result(scores, assigned)

    # -- scoring ------------------------------------------------------------------------------

    def _final_type(self, title: str) -> tuple[str, int, int] | None:
        """The title's last 文种 (document type word), e.g. 通知 in 关于印发《…办法》的通知."""
        end = len(title)
        while True:
            tail = _TITLE_TAIL.search(title, 0, end)
            if tail is None or tail.start() == end:
                break
            end = tail.start()
        for length in self._suffix_lengths:
            start = end - length
            if start >= 0 and title[start:end] in self._suffixes:
                return title[start:end], start, end
        return None

    def _score(self, c: _CompiledTag, doc: _Document) -> _Score:
        title_hits, body_hits = doc.hits["title"], doc.hits["body"]
        if any(key not in title_hits and key not in body_hits for key in c.required):
            return _Score(0.0, ())
        evidence: list[Evidence] = []
        points = 0.0
        for field, cap in (("title", 1), ("body", c.body_cap)):
            field_points, field_evidence = self._score_field(c, doc, field, cap)
            points += field_points
            evidence.extend(field_evidence)
        if doc.suffix is not None and doc.suffix[0] in c.suffixes:
            suffix, start, end = doc.suffix
            points += c.weights["suffix"]
            evidence.insert(0, Evidence(suffix, "title", start, end))
        if doc.doc_type is not None and doc.doc_type in c.doc_type_values:
            points += c.weights["doc_type"]
            evidence.append(Evidence(doc.doc_type, "doc_type", 0, len(doc.doc_type)))
        return _Score(points, tuple(evidence[:_MAX_EVIDENCE]))

    def _score_field(self, c: _CompiledTag, doc: _Document, field: str, cap: int) -> tuple[float, list[Evidence]]:
        text = doc.text(field)
        hits = doc.hits[field]
        # (start, -length, term label, weight, needs word check)
        candidates: list[tuple[int, int, str, float, bool]] = []
        for term in c.terms:
            starts = hits.get(term.key)
            if starts:
                length = len(term.key)
                weight = 0.0 if term.gate else term.weight
                for start in islice(starts, _RAW_BODY_HITS):
                    candidates.append((start, -length, term.label, weight, term.word))
        for pattern in c.patterns:
            if field in pattern.fields:
                for m in islice(pattern.regex.finditer(text), _RAW_BODY_HITS):
                    if m.end() > m.start():
                        candidates.append((m.start(), m.start() - m.end(), m.group(), pattern.weight, False))
        if not candidates:
            return 0.0, []
        candidates.sort()
        masks = [(s, s + len(x)) for x in c.exclude for s in hits.get(x, ())]
        checker = doc.checkers[field]
        counts: dict[str, int] = {}
        covered_to = -1
        points = 0.0
        evidence: list[Evidence] = []
        for start, neg_length, label, weight, word in candidates:
            end = start - neg_length
            if end <= covered_to:
                continue  # nested inside a longer hit of this tag
            if counts.get(label, 0) >= cap:
                covered_to = max(covered_to, end)
                continue
            if any(s < end and start < e for s, e in masks):
                continue
            if word and not checker.is_word(start, end):
                continue
            counts[label] = counts.get(label, 0) + 1
            covered_to = max(covered_to, end)
            points += c.weights[field] * weight
            evidence.append(Evidence(label, "title" if field == "title" else "body", start, end))
        return points, evidence

    # -- selection ----------------------------------------------------------------------------

    def _select(self, scores: dict[str, _Score]) -> dict[str, _Score]:
        assigned: dict[str, _Score] = {}
        by_dimension: dict[str, list[_CompiledTag]] = {}
        for c in self._compiled:
            by_dimension.setdefault(c.tag.dimension, []).append(c)
        for dimension in self._catalogue.dimensions:
            members = by_dimension.get(dimension.code, [])
            passing = [c for c in members if c.tag.code in scores and scores[c.tag.code].points >= c.threshold]
            if dimension.exclusive:
                passing = _best(passing, scores)
            for c in passing:
                assigned[c.tag.code] = scores[c.tag.code]
            if not passing:
                self._apply_default(dimension, scores, assigned)
        for code in list(assigned):
            self._inherit(code, assigned)
        return assigned

    def _apply_default(self, dimension: Dimension, scores: dict[str, _Score], assigned: dict[str, _Score]) -> None:
        if dimension.default is None:
            return
        compiled = self._compiled_by_code(dimension.default)
        own = scores.get(dimension.default, _Score(0.0, ()))
        assigned[dimension.default] = _Score(max(own.points, compiled.threshold), own.evidence)

    def _inherit(self, code: str, assigned: dict[str, _Score]) -> None:
        """A child implies its ancestors; they carry the child's evidence, marked as inherited."""
        child = assigned[code]
        child_threshold = self._compiled_by_code(code).threshold
        for parent in self._catalogue.ancestors(code):
            inherited = tuple(
                e if e.inherited_from else replace(e, inherited_from=code) for e in child.evidence
            )
            own = assigned.get(parent)
            parent_threshold = self._compiled_by_code(parent).threshold
            # Keep the parent at least as confident as the child it is implied by.
            points = max(own.points if own else 0.0, child.points / child_threshold * parent_threshold)
            own_evidence = own.evidence if own else ()
            merged = own_evidence + tuple(e for e in inherited if e not in own_evidence)
            assigned[parent] = _Score(points, merged[:_MAX_EVIDENCE])

    def _compiled_by_code(self, code: str) -> _CompiledTag:
        return self._by_code[code]

    def _result(self, scores: dict[str, _Score], assigned: dict[str, _Score]) -> TaggingResult:
        chosen: list[TagAssignment] = []
        suggested: list[TagAssignment] = []
        for c in self._compiled:
            code = c.tag.code
            if code in assigned:
                chosen.append(_assignment(c, assigned[code]))
            elif code in scores:
                suggested.append(_assignment(c, scores[code]))
        suggested.sort(key=lambda a: -a.confidence)
        return TaggingResult(self._catalogue.version, tuple(chosen), tuple(suggested))


def _best(passing: list[_CompiledTag], scores: dict[str, _Score]) -> list[_CompiledTag]:
    if not passing:
        return []
    return [max(passing, key=lambda c: (c.tag.priority, scores[c.tag.code].points, -c.order))]


def _assignment(c: _CompiledTag, score: _Score) -> TagAssignment:
    return TagAssignment(
        code=c.tag.code,
        dimension=c.tag.dimension,
        name_zh=c.tag.name_zh,
        name_en=c.tag.name_en,
        confidence=round(1.0 - 0.5 ** (score.points / c.threshold), 3),
        evidence=score.evidence,
    )


def _compile(catalogue: Catalogue, tag: Tag, order: int) -> _CompiledTag:
    rule = tag.rules
    dimension = catalogue.dimension(tag.dimension)
    layers: list[Rule | RuleDefaults] = [rule, *([dimension.defaults] if dimension else []), catalogue.defaults]
    weights = {
        name: next((w for w in (getattr(layer.weights, name) for layer in layers) if w is not None), builtin)
        for name, builtin in _BUILTIN_WEIGHTS.items()
    }
    mode = next((layer.match for layer in layers if layer.match is not None), "substring")
    threshold = next((layer.threshold for layer in layers if layer.threshold is not None), _BUILTIN_THRESHOLD)
    body_cap = next((layer.body_cap for layer in layers if layer.body_cap is not None), _BUILTIN_BODY_CAP)

    def terms(specs: Iterable[TermSpec], exact: bool, gate: bool = False) -> list[_Term]:
        return [
            _Term(s.term.lower(), s.term, s.weight, not exact and (s.match or mode) == "word", gate)
            for s in specs
        ]

    all_terms = terms(rule.all_of, exact=False, gate=True)
    doc_type_values = {v.strip().lower() for v in rule.doc_type_values}
    if doc_type_values:  # upstream may also send the code or its last segment ("notice")
        doc_type_values |= {tag.code, tag.code.rsplit(".", 1)[-1]}
    return _CompiledTag(
        tag=tag,
        order=order,
        terms=tuple(terms(rule.any_of, exact=False) + all_terms + terms(rule.phrases, exact=True)),
        required=frozenset(t.key for t in all_terms),
        patterns=tuple(_Pattern(re.compile(p.pattern), p.weight, p.fields) for p in rule.regex),
        exclude=tuple(x.lower() for x in rule.exclude),
        suffixes=frozenset(rule.title_suffixes),
        doc_type_values=frozenset(doc_type_values),
        weights=weights,
        threshold=threshold,
        body_cap=body_cap,
    )
