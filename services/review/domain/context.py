"""Confidence from context: words near a match raise or lower it."""

from __future__ import annotations

import re

from .fields import EMAIL_AT
from .ruleset import ContextCue, Rule, RuleSet
from .validators import VALIDATOR_NOTES


def clause_bounds(text: str, start: int, end: int, window: int, boundaries: re.Pattern[str]) -> tuple[int, int]:
    """The stretch around a span that context words may come from: at most `window`
    characters each side, and never across a sentence end."""
    lo = max(0, start - window)
    for m in boundaries.finditer(text, lo, start):
        lo = m.end()
    hi = min(len(text), end + window)
    stop = boundaries.search(text, end, hi)
    return lo, (hi if stop is None else stop.start())


def nearest_cue(
    text: str, start: int, end: int, cue: ContextCue, clause: tuple[int, int]
) -> tuple[int, int, str] | None:
    """(distance, -length, word) of the cue word closest to the span, within its window."""
    best: tuple[int, int, str] | None = None
    if cue.side != "after":
        last: re.Match[str] | None = None
        for hit_before in cue.regex.finditer(text, max(clause[0], start - cue.window), start):
            last = hit_before  # the nearest is the last one before the span
        if last is not None:
            best = (start - last.end(), last.start() - last.end(), last.group())
    if cue.side != "before":
        first = cue.regex.search(text, end, min(clause[1], end + cue.window))
        if first is not None:
            hit = (first.start() - end, first.start() - first.end(), first.group())
            best = hit if best is None or hit < best else best
    return best


Evidence = list[tuple[str, float, str]]  # (word or note, delta, label)


def score_match(rule: Rule, text: str, start: int, end: int, rules: RuleSet) -> tuple[float, Evidence]:
    """Confidence and the context that moved it.

    The nearest context word decides the direction: when words that raise and
    words that lower are both near, only those pulling the same way as the
    nearest one count (咨询电话 right before a number outweighs 投诉人 further back).
    """
    confidence = rule.base
    evidence: Evidence = []
    if rule.context:
        hits: list[tuple[tuple[int, int, str], ContextCue]] = []
        bounds = clause_bounds(text, start, end, rule.context_window, rules.boundary_regex)
        for cue in rule.context:
            hit = nearest_cue(text, start, end, cue, bounds)
            if hit is not None:
                hits.append((hit, cue))
        if hits:
            hits.sort(key=lambda h: h[0])
            raising = hits[0][1].delta > 0
            for (_, _, word), cue in hits:
                if (cue.delta > 0) == raising:
                    confidence += cue.delta
                    evidence.append((f"context '{word}'", cue.delta, cue.label))
    allow = rules.allowlist
    if rule.kind == "email" and allow.public_email_domains:
        value = text[start:end]
        sep = EMAIL_AT.search(value)
        domain = value[sep.end() :].lower() if sep else ""
        if any(domain == d or domain.endswith("." + d) for d in allow.public_email_domains):
            confidence += allow.public_email_delta
            evidence.append(("government mail domain", allow.public_email_delta, ""))
    return round(min(1.0, max(0.0, confidence)), 4), evidence


def explain(rule: Rule, evidence: Evidence, confidence: float, action: str) -> str:
    notes = [f"base {rule.base:.2f}"]
    if rule.validator is not None:
        notes.append(VALIDATOR_NOTES[rule.validator])
    notes.extend(f"{what} {delta:+.2f}" + (f" ({label})" if label else "") for what, delta, label in evidence)
    return f"{rule.description or rule.kind}: " + "; ".join(notes) + f" -> {confidence:.2f} {action}"
