"""Scan a document with the rule set, then decide its outcome. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .context import clause_bounds, explain, nearest_cue, score_match
from .fields import Field, Spans
from .masking import mask
from .model import METADATA_FIELDS, PERSONAL_KINDS, TEXT_FIELDS, Finding, ReviewInput, ReviewOutcome
from .policy import (
    BLOCK_REASON,
    HUMAN_ORDER,
    HUMAN_REASON,
    REDACTION_REASON,
    REJECT_ORDER,
    classification_reason,
    disclosure_attribute,
    first_in_order,
)
from .ruleset import ContextCue, PublicIdentifier, RuleSet
from .validators import VALIDATORS


def _public_spans(field: Field, present: set[str], rules: RuleSet) -> Spans:
    spans: list[tuple[int, int]] = []
    for ident in rules.allowlist.identifiers:
        if ident.requires_any and present.isdisjoint(ident.requires_any):
            continue
        spans.extend(_identifier_spans(field, ident, rules.boundary_regex))
    return Spans(spans)


def _identifier_spans(field: Field, ident: PublicIdentifier, boundaries: re.Pattern[str]) -> list[tuple[int, int]]:
    text = field.text
    spans = []
    check = VALIDATORS[ident.validator] if ident.validator else None
    for s, e in field.spans(ident.regex, ident.group, ident.gate):
        if check is not None and not check(text[s:e]):
            continue
        if ident.requires_context is not None and not _near(text, s, e, ident.requires_context, boundaries):
            continue
        if ident.unless_context is not None and _near(text, s, e, ident.unless_context, boundaries):
            continue
        spans.append((s, e))
    return spans


def _near(text: str, s: int, e: int, cue: ContextCue, boundaries: re.Pattern[str]) -> bool:
    return nearest_cue(text, s, e, cue, clause_bounds(text, s, e, cue.window, boundaries)) is not None


def _scan_text(field_name: str, original: str, rules: RuleSet) -> list[Finding]:
    sighting = rules.anchors.sight(original)
    field = Field(sighting.text, sighting.gates)
    text = field.text
    present = sighting.words
    public: Spans | None = None  # computed on first need
    found: list[Finding] = []
    for rule, requires, check in rules.steps:
        if requires is not None and present.isdisjoint(requires):
            continue
        if rule.gate is not None and not field.regions(rule.gate):
            continue  # no digit run or '@' in the field: nothing for a gated rule
        for s, e in field.spans(rule.regex, rule.group, rule.gate):
            if check is not None and not check(text[s:e]):
                continue
            confidence, evidence = score_match(rule, text, s, e, rules)
            if confidence >= rules.mask_threshold:
                action = rule.action
            elif confidence >= rules.human_threshold:
                action = "human"
            else:
                continue
            if rule.exemptable:  # checked last: public spans cost a pass per identifier
                if public is None:
                    public = _public_spans(field, present, rules)
                if public.overlaps(s, e):
                    continue
            reason = explain(rule, evidence, confidence, action)
            found.append(Finding(rule.id, rule.kind, field_name, s, e, original[s:e], confidence, reason, action))
    return found


def _rank(f: Finding) -> tuple[float, int]:
    return (f.confidence, f.end - f.start)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per span, and per kind one among overlapping spans: the most confident."""
    by_span: dict[tuple[str, int, int], Finding] = {}
    for f in findings:
        key = (f.field, f.start, f.end)
        if key not in by_span or f.confidence > by_span[key].confidence:
            by_span[key] = f
    kept: list[Finding] = []
    last: dict[tuple[str, str], int] = {}  # (field, kind) -> index in kept of the latest one
    for f in sorted(by_span.values(), key=lambda f: (f.field, f.start, -f.end)):
        i = last.get((f.field, f.kind))
        if i is not None and f.start < kept[i].end:
            if _rank(f) > _rank(kept[i]):
                kept[i] = f
            continue
        last[(f.field, f.kind)] = len(kept)
        kept.append(f)
    order = {name: i for i, name in enumerate(TEXT_FIELDS + METADATA_FIELDS)}
    return sorted(kept, key=lambda f: (order.get(f.field, 99), f.start, f.end, f.rule_id))


def _metadata_findings(doc: ReviewInput) -> list[Finding]:
    """Findings for the document's own fields, so the audit trail shows them too."""

    def whole(rule_id: str, kind: str, field: str, value: str, why: str, action: str = "block") -> Finding:
        return Finding(rule_id, kind, field, 0, len(value), value, 1.0, why, action)

    out: list[Finding] = []
    cls = doc.classification
    if cls is not None:
        reason = classification_reason(cls)
        if reason == "state_secret":
            out.append(whole("META-CLASSIFICATION", "classification", "classification", cls, "密级 field is set"))
        elif reason == "internal_affairs":
            why = "classification field marks internal use"
            out.append(whole("META-CLASSIFICATION-INTERNAL", "internal_marking", "classification", cls, why))
    disclosure = doc.disclosure
    if disclosure is not None and disclosure.strip():  # blank is simply missing
        attr = disclosure_attribute(disclosure)
        if attr == "not_disclosed":
            why = "disclosure attribute is 不予公开 (not disclosed)"
            out.append(whole("META-DISCLOSURE-WITHHELD", "not_for_disclosure", "disclosure", disclosure, why))
        elif attr == "on_request":
            why = "disclosure attribute is 依申请公开: released on request only, not for the proactive library"
            out.append(whole("META-DISCLOSURE-ON-REQUEST", "not_for_disclosure", "disclosure", disclosure, why))
        elif attr == "undetermined":
            why = "disclosure attribute not recognised; a reviewer decides"
            out.append(whole("META-DISCLOSURE-UNKNOWN", "not_for_disclosure", "disclosure", disclosure, why, "human"))
    return out


def scan(doc: ReviewInput, rules: RuleSet) -> list[Finding]:
    """Every finding in the document's title, body and note, plus its metadata fields."""
    findings: list[Finding] = []
    for field, text in (("title", doc.title), ("body", doc.body), ("note", doc.note)):
        if text:
            findings.extend(_scan_text(field, text, rules))
    findings = _dedupe(findings)
    findings.extend(_metadata_findings(doc))
    return findings


def decide(doc: ReviewInput, findings: Sequence[Finding]) -> ReviewOutcome:
    """The outcome. Precedence: rejected > needs_human > approved_with_redactions > approved.

    The classification and disclosure fields are read from the document itself, so
    a caller that passes no findings still cannot publish a classified document.
    """
    rejected: set[str] = set()
    human: set[str] = set()
    masked = False
    cls = classification_reason(doc.classification)
    if cls is not None:
        rejected.add(cls)
    attr = disclosure_attribute(doc.disclosure)
    if attr == "not_disclosed":
        rejected.add("not_for_disclosure")
    elif attr == "on_request":
        rejected.add("on_request_only")
    elif attr == "undetermined":
        human.add("disclosure_undetermined")
    for f in findings:
        if f.field in METADATA_FIELDS:
            continue  # already judged from the document's fields above
        if f.action == "block":
            rejected.add("personal_privacy" if f.kind in PERSONAL_KINDS else BLOCK_REASON.get(f.kind, "blocked"))
        elif f.action == "human":
            human.add("personal_data_uncertain" if f.kind in PERSONAL_KINDS else HUMAN_REASON.get(f.kind, "uncertain"))
        elif f.action == "mask":
            masked = True

    def redact(field: str, text: str) -> str:
        return mask(text, [f for f in findings if f.field == field])

    title, body = redact("title", doc.title), redact("body", doc.body)
    note = None if doc.note is None else redact("note", doc.note)
    found = tuple(findings)
    if rejected:
        return ReviewOutcome("rejected", first_in_order(rejected, REJECT_ORDER), found, title, body, note)
    if human:
        return ReviewOutcome("needs_human", first_in_order(human, HUMAN_ORDER), found, title, body, note)
    if masked:
        return ReviewOutcome("approved_with_redactions", REDACTION_REASON, found, title, body, note)
    return ReviewOutcome("approved", None, found, title, body, note)


def review(doc: ReviewInput, rules: RuleSet) -> ReviewOutcome:
    """What the service calls: decide(doc, scan(doc, rules))."""
    return decide(doc, scan(doc, rules))
