"""A reviewer's redaction: the automatic masks, minus the ones removed, plus the ones added. Pure.

Also what the workbench shows of a field: its findings as spans and as escaped HTML with
``<mark>`` around each finding, and the text hash the audit log keeps before and after masking.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from .masking import mask
from .model import TEXT_FIELDS, Finding

REVIEWER_RULE: Final = "REVIEWER-MASK"
REVIEWER_KIND: Final = "reviewer"  # not a masking style: a reviewer's mask hides every non-space character


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a reviewer's request: where, what, and how to fix it."""

    field: str
    problem: str
    hint: str


class InvalidRedaction(ValueError):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.problem}" for p in problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Texts:
    """The text fields of one document version."""

    title: str
    body: str
    note: str | None = None

    def get(self, field: str) -> str | None:
        return {"title": self.title, "body": self.body, "note": self.note}.get(field)

    def as_dict(self) -> dict[str, str | None]:
        return {"title": self.title, "body": self.body, "note": self.note}


@dataclass(frozen=True)
class MaskSpan:
    """A mask a reviewer adds: characters start..end (end exclusive) of a text field."""

    field: str
    start: int
    end: int


@dataclass(frozen=True)
class MaskRef:
    """An automatic mask a reviewer removes, named by its rule and start (and field when ambiguous)."""

    rule_id: str
    start: int
    field: str | None = None


@dataclass(frozen=True)
class Redaction:
    texts: Texts  # the text as it would be released
    applied: tuple[Finding, ...]  # the masks applied: automatic ones kept, then the reviewer's
    removed: tuple[Finding, ...]  # automatic masks the reviewer removed

    @property
    def masked(self) -> bool:
        return bool(self.applied)


def automatic_masks(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    """The masks the rule engine would apply: mask findings in the text fields."""
    return tuple(f for f in findings if f.action == "mask" and f.field in TEXT_FIELDS)


def apply_masks(
    texts: Texts,
    findings: Sequence[Finding],
    add: Sequence[MaskSpan] = (),
    remove: Sequence[MaskRef] = (),
) -> Redaction:
    """The released text: automatic masks except ``remove``, plus ``add``.

    Masks are unioned, so a removed mask un-hides only characters no other mask hides,
    and nothing outside a removed mask's span is ever un-hidden. Raises InvalidRedaction
    naming every bad item at once.
    """
    masks = automatic_masks(findings)
    problems: list[Problem] = []
    removed: list[Finding] = []
    for i, ref in enumerate(remove):
        hits = [
            f for f in masks
            if f.rule_id == ref.rule_id and f.start == ref.start and (ref.field is None or f.field == ref.field)
        ]
        where = f" in {ref.field}" if ref.field else ""
        if not hits:
            problems.append(Problem(
                f"remove_masks[{i}]",
                f"no automatic mask of rule {ref.rule_id!r} starts at {ref.start}{where}",
                "use a rule_id and start listed under `masks` in GET /v1/cases/{case_id}",
            ))
        elif len(hits) > 1:
            fields = ", ".join(sorted({f.field for f in hits}))
            problems.append(Problem(
                f"remove_masks[{i}].field",
                f"rule {ref.rule_id!r} at {ref.start} matches masks in several fields ({fields})",
                "add `field` (title, body or note) to say which one",
            ))
        else:
            if hits[0] not in removed:
                removed.append(hits[0])
    added: list[Finding] = []
    for i, span in enumerate(add):
        text = texts.get(span.field)
        if span.field not in TEXT_FIELDS:
            problems.append(Problem(f"add_masks[{i}].field", f"{span.field!r} is not a text field",
                                    "use title, body or note"))
            continue
        if text is None:
            problems.append(Problem(f"add_masks[{i}].field", f"the document has no {span.field}",
                                    "mask a span of title or body instead"))
            continue
        if span.start < 0 or span.start >= len(text):
            problems.append(Problem(f"add_masks[{i}].start",
                                    f"{span.start} is outside {span.field} (length {len(text)})",
                                    f"use a character offset from 0 to {len(text) - 1}"))
            continue
        if span.end <= span.start or span.end > len(text):
            problems.append(Problem(f"add_masks[{i}].end",
                                    f"{span.end} is not after start {span.start} within {span.field} "
                                    f"(length {len(text)})",
                                    f"use an exclusive end offset from {span.start + 1} to {len(text)}"))
            continue
        added.append(reviewer_mask(texts, span))
    if problems:
        raise InvalidRedaction(problems)
    applied = tuple(f for f in masks if f not in removed) + tuple(added)

    def redact(field: str, text: str) -> str:
        return mask(text, [f for f in applied if f.field == field])

    released = Texts(
        redact("title", texts.title),
        redact("body", texts.body),
        None if texts.note is None else redact("note", texts.note),
    )
    return Redaction(released, applied, tuple(removed))


def reviewer_mask(texts: Texts, span: MaskSpan) -> Finding:
    text = texts.get(span.field) or ""
    return Finding(REVIEWER_RULE, REVIEWER_KIND, span.field, span.start, span.end, text[span.start : span.end],
                   1.0, "masked by a reviewer", "mask")


def text_hash(texts: Texts) -> str:
    """sha256 over a canonical JSON of title, body and note: the audit log's before/after hash."""
    canonical = json.dumps(texts.as_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8", errors="surrogatepass")).hexdigest()


def render_marked(text: str, findings: Sequence[Finding]) -> str:
    """``text`` as HTML with every finding wrapped in ``<mark>``; everything else escaped.

    Overlapping findings cannot nest, so the text is cut at every span boundary and each
    piece covered by findings gets one ``<mark>`` naming all of them (``data-rule``,
    ``data-kind`` and ``data-action`` are space-separated lists, ``data-finding`` the
    indexes into ``findings``). Line breaks stay as they are: show it with
    ``white-space: pre-wrap``.
    """
    spans = [(i, f) for i, f in enumerate(findings) if 0 <= f.start < f.end <= len(text)]
    cuts = sorted({0, len(text)} | {f.start for _, f in spans} | {f.end for _, f in spans})
    out: list[str] = []
    for a, b in itertools.pairwise(cuts):
        piece = html.escape(text[a:b], quote=True)
        covering = [(i, f) for i, f in spans if f.start <= a and b <= f.end]
        if not covering:
            out.append(piece)
            continue
        out.append(
            f'<mark data-rule="{_attr([f.rule_id for _, f in covering])}" '
            f'data-kind="{_attr([f.kind for _, f in covering])}" '
            f'data-action="{_attr([f.action for _, f in covering])}" '
            f'data-finding="{_attr([str(i) for i, _ in covering])}">{piece}</mark>'
        )
    return "".join(out)


def _attr(values: list[str]) -> str:
    return html.escape(" ".join(dict.fromkeys(values)), quote=True)
