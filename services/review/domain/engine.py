"""Scan a document with the rule set, then decide its outcome. Pure: no I/O, no clock."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from typing import Final

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
from .rules import ContextCue, PublicIdentifier, Rule, RuleSet
from .validators import VALIDATOR_NOTES, VALIDATORS

# Full-width digits, letters and @+-. folded to ASCII one for one, so offsets hold.
_WIDE: Final = re.compile("[\uff0b\uff0d\uff0e\uff10-\uff19\uff20-\uff3a\uff41-\uff5a]")
_WIDE_TABLE: Final = {
    cp: cp - 0xFEE0
    for cp in (0xFF0B, 0xFF0D, 0xFF0E, *range(0xFF10, 0xFF1A), *range(0xFF20, 0xFF3B), *range(0xFF41, 0xFF5B))
}


def _fold_width(text: str) -> str:
    return text.translate(_WIDE_TABLE) if _WIDE.search(text) else text


# Gated rules run only in windows around these spots instead of over the whole
# field: Chinese prose has few long digit runs and fewer '@', and a regex pass per
# rule over all of it is what would make scanning slow. A gated pattern's match
# must contain such a run and reach at most GATE_MARGIN characters beyond it.
_DIGIT_RUN: Final = re.compile(r"[0-9][0-9 \-]{5,}[0-9]")
_AT: Final = re.compile("@")
_ASCII_TAIL: Final = re.compile(r"[0-9A-Za-z._%+\-@]*")
GATE_MARGIN: Final = {"digits": (12, 12), "email": (66, 256)}


def _windows(text: str, gate: str) -> list[tuple[int, int]]:
    before, after = GATE_MARGIN[gate]
    finder = _DIGIT_RUN if gate == "digits" else _AT
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


class _Field:
    """One field's width-folded text with its gate windows, computed on first use."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._windows: dict[str, list[tuple[int, int]]] = {}

    def regions(self, gate: str | None) -> list[tuple[int, int]]:
        if gate is None:
            return [(0, len(self.text))]
        if gate not in self._windows:
            self._windows[gate] = _windows(self.text, gate)
        return self._windows[gate]


def _window_before(text: str, start: int, window: int, boundaries: re.Pattern[str]) -> int:
    lo = max(0, start - window)
    for m in boundaries.finditer(text, lo, start):
        lo = m.end()
    return lo


def _window_after(text: str, end: int, window: int, boundaries: re.Pattern[str]) -> int:
    hi = min(len(text), end + window)
    m = boundaries.search(text, end, hi)
    return hi if m is None else m.start()


def _nearest(
    text: str, start: int, end: int, cue: ContextCue, boundaries: re.Pattern[str]
) -> tuple[int, int, str] | None:
    """(distance, -length, word) of the cue word closest to the span, within its window."""
    best: tuple[int, int, str] | None = None
    if cue.side != "after":
        last = None
        for last in cue.regex.finditer(text, _window_before(text, start, cue.window, boundaries), start):
            pass
        if last is not None:
            best = (start - last.end(), last.start() - last.end(), last.group())
    if cue.side != "before":
        m = cue.regex.search(text, end, _window_after(text, end, cue.window, boundaries))
        if m is not None:
            hit = (m.start() - end, m.start() - m.end(), m.group())
            best = hit if best is None or hit < best else best
    return best


def _score(rule: Rule, text: str, start: int, end: int, rules: RuleSet) -> tuple[float, list[str]]:
    """Confidence and the reasons for it.

    The nearest context word decides the direction: when words that raise and
    words that lower are both near, only those pulling the same way as the
    nearest one count (咨询电话 right before a number outweighs 投诉人 further back).
    """
    notes = [f"base {rule.base:.2f}"]
    hits: list[tuple[tuple[int, int, str], ContextCue]] = []
    for cue in rule.context:
        if cue.delta:
            hit = _nearest(text, start, end, cue, rules.boundary_regex)
            if hit is not None:
                hits.append((hit, cue))
    confidence = rule.base
    if hits:
        hits.sort(key=lambda h: h[0])
        raising = hits[0][1].delta > 0
        for (_, _, word), cue in hits:
            if (cue.delta > 0) == raising:
                confidence += cue.delta
                label = f" ({cue.label})" if cue.label else ""
                notes.append(f"context '{word}' {cue.delta:+.2f}{label}")
    allow = rules.allowlist
    if rule.kind == "email" and allow.public_email_domains:
        domain = text[start:end].rsplit("@", 1)[-1].lower()
        if any(domain == d or domain.endswith("." + d) for d in allow.public_email_domains):
            confidence += allow.public_email_delta
            notes.append(f"government mail domain {allow.public_email_delta:+.2f}")
    return round(min(1.0, max(0.0, confidence)), 4), notes


class _Spans:
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


def _public_spans(field: _Field, present: set[str], rules: RuleSet) -> _Spans:
    spans: list[tuple[int, int]] = []
    for ident in rules.allowlist.identifiers:
        if ident.requires_any and present.isdisjoint(ident.requires_any):
            continue
        spans.extend(_identifier_spans(field, ident, rules.boundary_regex))
    return _Spans(spans)


def _identifier_spans(field: _Field, ident: PublicIdentifier, boundaries: re.Pattern[str]) -> list[tuple[int, int]]:
    text = field.text
    spans = []
    check = VALIDATORS[ident.validator] if ident.validator else None
    for lo, hi in field.regions(ident.gate):
        for m in ident.regex.finditer(text, lo, hi):
            s, e = m.span(ident.group)
            if s == e or (check is not None and not check(text[s:e])):
                continue
            cue = ident.requires_context
            if cue is not None and _nearest(text, s, e, cue, boundaries) is None:
                continue
            spans.append((s, e))
    return spans


def _scan_text(field_name: str, original: str, rules: RuleSet) -> list[Finding]:
    field = _Field(_fold_width(original))
    text = field.text
    present = rules.triggers.present(text)
    public: _Spans | None = None  # computed on first need
    found: list[Finding] = []
    for rule in rules.rules:
        if rule.requires_any and present.isdisjoint(rule.requires_any):
            continue
        regions = field.regions(rule.gate)
        if not regions:
            continue
        check = VALIDATORS[rule.validator] if rule.validator else None
        for lo, hi in regions:
            for m in rule.regex.finditer(text, lo, hi):
                s, e = m.span(rule.group)
                if s == e or (check is not None and not check(text[s:e])):
                    continue
                if rule.exemptable:
                    if public is None:
                        public = _public_spans(field, present, rules)
                    if public.overlaps(s, e):
                        continue
                confidence, notes = _score(rule, text, s, e, rules)
                if confidence >= rules.mask_threshold:
                    action = rule.action
                elif confidence >= rules.human_threshold:
                    action = "human"
                else:
                    continue
                if rule.validator is not None:
                    notes.insert(1, VALIDATOR_NOTES[rule.validator])
                what = rule.description or rule.kind
                reason = f"{what}: " + "; ".join(notes) + f" -> {confidence:.2f} {action}"
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
    out: list[Finding] = []
    if doc.classification is not None:
        reason = classification_reason(doc.classification)
        value = doc.classification
        if reason == "state_secret":
            out.append(Finding("META-CLASSIFICATION", "classification", "classification", 0, len(value),
                               value, 1.0, "classification field (密级) is set", "block"))
        elif reason == "internal_affairs":
            out.append(Finding("META-CLASSIFICATION-INTERNAL", "internal_marking", "classification", 0,
                               len(value), value, 1.0, "classification field marks internal use", "block"))
    if doc.disclosure is not None:
        value = doc.disclosure
        attr = disclosure_attribute(value)
        if attr == "not_disclosed":
            out.append(Finding("META-DISCLOSURE-WITHHELD", "not_for_disclosure", "disclosure", 0, len(value),
                               value, 1.0, "disclosure attribute is 不予公开 (not disclosed)", "block"))
        elif attr == "on_request":
            out.append(Finding("META-DISCLOSURE-ON-REQUEST", "not_for_disclosure", "disclosure", 0, len(value),
                               value, 1.0, "disclosure attribute is 依申请公开: released on request only, "
                               "not for the proactive library", "block"))
        elif attr == "undetermined":
            out.append(Finding("META-DISCLOSURE-UNKNOWN", "not_for_disclosure", "disclosure", 0, len(value),
                               value, 1.0, "disclosure attribute not recognised; a reviewer decides", "human"))
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
    return decide(doc, scan(doc, rules))
