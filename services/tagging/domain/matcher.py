"""Tagging: score every catalogue tag against a document's title, body and doc_type field.

Per tag, each distinct term found adds ``weight(field) × term weight``: once for the title, once
per body hit up to ``body_cap`` hits (or once per sentence with ``per_sentence``), multiplied
inside a dimension's cue regions. A hit nested inside a longer hit of the same tag counts once
(发明专利 is not also 专利); a hit overlapping an ``exclude`` term is dropped. Document types
also score the title's final 文种 and the upstream doc_type field.

A tag whose score reaches its threshold is assigned, a weaker one is a suggestion; an exclusive
dimension keeps only its best tag, and a child implies its ancestors. Confidence is
``1 - 0.5 ** (score / threshold)``: 0.5 at the threshold, 0.75 at twice the threshold.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from itertools import islice

from .catalogue import Catalogue, Cues, Dimension
from .compiled import CompiledTag, compile_tag
from .results import Evidence, TagAssignment, TaggingResult
from .scanner import TermScanner, WordChecker, build_tokenizer, longest_word

_RAW_BODY_HITS = 24  # occurrences of one term looked at in the body; later ones cannot change the score
_MAX_EVIDENCE = 12

# Trailing decorations that are not part of the 文种: （征求意见稿）, (试行), 【2024年修订】, 》, punctuation.
_TITLE_TAIL = re.compile(
    r"(?:[\s。．.，,；;：:!！?？\"“”'’》〉」』]+|[（(【\[〔][^（()）【】\[\]〔〕]{0,30}[）)】\]〕])$"
)

_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
# The addressee line (主送机关): near the top, short, ends with a colon — "各有关企业：".
_ADDRESSEE = re.compile(r"^[^\n：:。]{2,80}[：:][ \t]*$", re.MULTILINE)
_ADDRESSEE_WITHIN = 300


@dataclass
class _Document:
    title: str
    body: str
    doc_type: str | None
    hits: dict[str, dict[str, list[int]]]
    checkers: dict[str, WordChecker]
    suffix: tuple[str, int, int] | None
    _sentence_ends: list[int] | None = None
    _cue_regions: dict[int, list[tuple[int, int]]] = dataclass_field(default_factory=dict)

    def cue_regions(self, cues: Cues) -> list[tuple[int, int]]:
        """Body spans where the document says whom it addresses (cached per cue set)."""
        regions = self._cue_regions.get(id(cues))
        if regions is None:
            body_hits = self.hits["body"]
            regions = [
                (max(0, s - group.reach_before), s + len(term) + group.reach)
                for group in cues.groups
                for term in group.terms
                for s in body_hits.get(term.lower(), ())
            ]
            if cues.addressee:
                line = _ADDRESSEE.search(self.body, 0, _ADDRESSEE_WITHIN)
                if line is not None:
                    regions.append(line.span())
            self._cue_regions[id(cues)] = regions
        return regions

    def sentence_of(self, pos: int) -> int:
        """Index of the body sentence holding `pos`."""
        if self._sentence_ends is None:
            self._sentence_ends = [m.start() for m in _SENTENCE_END.finditer(self.body)]
        return bisect_left(self._sentence_ends, pos)

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
        self._compiled = tuple(compile_tag(catalogue, tag, i) for i, tag in enumerate(catalogue.tags))
        self._by_code = {c.tag.code: c for c in self._compiled}
        self._by_dimension: dict[str, list[CompiledTag]] = {}
        for c in self._compiled:
            self._by_dimension.setdefault(c.tag.dimension, []).append(c)
        positive = {t.key for c in self._compiled for t in c.terms}
        excluded = {x for c in self._compiled for x in c.exclude}
        cue_terms = {t.lower() for d in catalogue.dimensions if d.cues for g in d.cues.groups for t in g.terms}
        self._scanner = TermScanner(positive | excluded | cue_terms)
        self._compounds = frozenset(positive)
        words = [t.label for c in self._compiled for t in c.terms] + [x for c in self._compiled for x in c.exclude]
        self._tokenizer = build_tokenizer(w for w in words if len(w) > 1)
        self._max_word = longest_word(self._tokenizer)
        self._suffixes: dict[str, list[CompiledTag]] = {}
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
            doc_type=doc_type.strip() if doc_type and doc_type.strip() else None,
            hits={"title": self._scanner.scan(title), "body": self._scanner.scan(body)},
            checkers={
                "title": WordChecker(self._tokenizer, self._compounds, title, max_word=self._max_word),
                "body": WordChecker(self._tokenizer, self._compounds, body, max_word=self._max_word),
            },
            suffix=self._final_type(title),
        )
        scores: dict[str, _Score] = {}
        found = doc.hits["title"].keys() | doc.hits["body"].keys()
        for compiled in self._compiled:
            if compiled.keys.isdisjoint(found) and not compiled.always_scored:
                continue
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

    def _score(self, c: CompiledTag, doc: _Document) -> _Score:
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
        if doc.doc_type is not None and doc.doc_type.lower() in c.doc_type_values:
            points += c.weights["doc_type"]
            evidence.append(Evidence(doc.doc_type, "doc_type", 0, len(doc.doc_type)))
        return _Score(points, tuple(evidence[:_MAX_EVIDENCE]))

    def _score_field(self, c: CompiledTag, doc: _Document, field: str, cap: int) -> tuple[float, list[Evidence]]:
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
        per_sentence = c.per_sentence and field == "body"
        cues = c.cues if field == "body" else None
        regions = doc.cue_regions(cues) if cues is not None else []
        factor = cues.factor if cues is not None else 1.0
        sentence_points: dict[int, float] = {}
        counts: dict[str, int] = {}
        covered_to = -1
        points = 0.0
        evidence: list[Evidence] = []
        for start, neg_length, label, weight, word in candidates:
            end = start - neg_length
            if end <= covered_to:
                continue  # nested inside a longer hit of this tag
            if counts.get(label, 0) >= cap:
                if end > covered_to:
                    covered_to = end
                continue
            if any(s < end and start < e for s, e in masks):
                continue
            if word and not checker.is_word(start, end):
                continue
            counts[label] = counts.get(label, 0) + 1
            if end > covered_to:
                covered_to = end
            gained = c.weights[field] * weight
            if regions and any(a <= start < b for a, b in regions):
                gained *= factor
            if per_sentence:
                sentence = doc.sentence_of(start)
                previous = sentence_points.get(sentence, 0.0)
                if gained > previous:
                    points += gained - previous
                    sentence_points[sentence] = gained
            else:
                points += gained
            evidence.append(Evidence(label, "title" if field == "title" else "body", start, end))
        return points, evidence

    # -- selection ----------------------------------------------------------------------------

    def _select(self, scores: dict[str, _Score]) -> dict[str, _Score]:
        assigned: dict[str, _Score] = {}
        for dimension in self._catalogue.dimensions:
            members = self._by_dimension.get(dimension.code, [])
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
        compiled = self._by_code[dimension.default]
        own = scores.get(dimension.default, _Score(0.0, ()))
        assigned[dimension.default] = _Score(max(own.points, compiled.threshold), own.evidence)

    def _inherit(self, code: str, assigned: dict[str, _Score]) -> None:
        """A child implies its ancestors; they carry the child's evidence, marked as inherited."""
        child = assigned[code]
        child_threshold = self._by_code[code].threshold
        for parent in self._catalogue.ancestors(code):
            inherited = tuple(e if e.inherited_from else replace(e, inherited_from=code) for e in child.evidence)
            own = assigned.get(parent)
            parent_threshold = self._by_code[parent].threshold
            # Keep the parent at least as confident as the child it is implied by.
            points = max(own.points if own else 0.0, child.points / child_threshold * parent_threshold)
            own_evidence = own.evidence if own else ()
            merged = own_evidence + tuple(e for e in inherited if e not in own_evidence)
            assigned[parent] = _Score(points, merged[:_MAX_EVIDENCE])

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


def _best(passing: list[CompiledTag], scores: dict[str, _Score]) -> list[CompiledTag]:
    if not passing:
        return []
    return [max(passing, key=lambda c: (c.tag.priority, scores[c.tag.code].points, -c.order))]


def _assignment(c: CompiledTag, score: _Score) -> TagAssignment:
    return TagAssignment(
        code=c.tag.code,
        dimension=c.tag.dimension,
        name_zh=c.tag.name_zh,
        name_en=c.tag.name_en,
        confidence=round(1.0 - 0.5 ** (score.points / c.threshold), 3),
        evidence=score.evidence,
    )
