"""Editors stay in control: their standing decisions on a document's tags, and the tags in effect.

An editor's decisions are an ``Override`` per document: codes added, codes removed and suggestions
dismissed. They are deltas, never a snapshot of the tags, so they outlive re-tagging (a new
version, a new catalogue) and two editors' changes commute. The tags in effect are

    effective = rule tags − removed (and their descendants) + added (and their ancestors)

with the catalogue's own invariants kept: a child implies its ancestors, and an exclusive dimension
(文种, 效力状态) holds one tag, the editor's when there is one. Pure: no I/O, no clock.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from .catalogue import Catalogue
from .results import TagAssignment

Source = Literal["rule", "editor", "model"]


@dataclass(frozen=True)
class Override:
    """What editors decided about one document's tags."""

    added: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    dismissed: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.dismissed)


@dataclass(frozen=True)
class Edit:
    """One editor action: tags to add and remove, suggestions to dismiss."""

    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    dismiss: tuple[str, ...] = ()


@dataclass(frozen=True)
class EditProblem:
    """Why an edit is refused; `field` names the offending request field (``add[1]``)."""

    field: str
    problem: str
    hint: str
    code: str | None = None
    close_matches: tuple[str, ...] = ()


@dataclass(frozen=True)
class EffectiveTag:
    assignment: TagAssignment
    source: Source

    @property
    def code(self) -> str:
        return self.assignment.code


@dataclass(frozen=True)
class EffectiveTags:
    tags: tuple[EffectiveTag, ...]
    suggestions: tuple[EffectiveTag, ...]

    def codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.tags)

    def suggestion_codes(self) -> frozenset[str]:
        return frozenset(t.code for t in self.suggestions)

    def signature(self) -> tuple[tuple[str, str], ...]:
        """What downstream sees change: tags with their sources, and the suggested codes."""
        return tuple(sorted((t.code, t.source) for t in self.tags)) + tuple(
            sorted(("suggested", t.code) for t in self.suggestions)
        )


# ---------------------------------------------------------------- validating and applying edits


def close_codes(catalogue: Catalogue, wanted: str, limit: int = 5) -> tuple[str, ...]:
    """Catalogue codes an editor may have meant: similar spellings, or tags whose names contain it."""
    codes = [t.code for t in catalogue.tags]
    similar = difflib.get_close_matches(wanted, codes, n=limit, cutoff=0.6)
    needle = wanted.strip().lower()
    by_name = (
        [
            t.code
            for t in catalogue.tags
            if needle and (needle in t.name_zh.lower() or needle in t.name_en.lower() or t.name_zh in wanted)
        ]
        if needle
        else []
    )
    return tuple(dict.fromkeys([*similar, *by_name]))[:limit]


def validate_edit(catalogue: Catalogue, edit: Edit) -> list[EditProblem]:
    """Every problem with ``edit`` against ``catalogue`` at once; empty when it can be applied."""
    problems: list[EditProblem] = []
    if not (edit.add or edit.remove or edit.dismiss):
        problems.append(EditProblem("add", "nothing to change", "give at least one code in `add` or `remove`"))
    for name, codes in (("add", edit.add), ("remove", edit.remove), ("dismiss", edit.dismiss)):
        for i, code in enumerate(codes):
            if catalogue.get(code) is None:
                matches = close_codes(catalogue, code)
                hint = f"did you mean {', '.join(matches)}?" if matches else "see GET /v1/catalog for the codes"
                problems.append(EditProblem(f"{name}[{i}]", f"unknown tag code {code!r}", hint, code, matches))
    for code in sorted(set(edit.add) & set(edit.remove)):
        problems.append(
            EditProblem("remove", f"{code!r} is both added and removed", "put each code in one list only", code)
        )
    exclusive: dict[str, list[str]] = {}
    for code in dict.fromkeys(edit.add):
        tag = catalogue.get(code)
        dimension = catalogue.dimension(tag.dimension) if tag else None
        if dimension is not None and dimension.exclusive:
            exclusive.setdefault(dimension.code, []).append(code)
    for dimension_code, chosen in exclusive.items():
        if len(chosen) > 1:
            problems.append(
                EditProblem(
                    "add",
                    f"dimension {dimension_code!r} holds one tag; {', '.join(chosen)} were all added",
                    "add one of them",
                    chosen[1],
                )
            )
    return problems


def descendants(catalogue: Catalogue, code: str) -> frozenset[str]:
    found: set[str] = set()
    stack = [code]
    while stack:
        for child in catalogue.children(stack.pop()):
            if child.code not in found:
                found.add(child.code)
                stack.append(child.code)
    return frozenset(found)


def apply_edit(override: Override, edit: Edit, catalogue: Catalogue) -> Override:
    """The override after ``edit``; assumes ``validate_edit`` found nothing.

    Adding a code withdraws an earlier removal of it and of its ancestors (a child needs its
    parent) and, in an exclusive dimension, any other code the editors added there. Removing a
    code withdraws an earlier addition of it and of its descendants. Dismissing a suggestion only
    hides it.
    """
    added, removed, dismissed = set(override.added), set(override.removed), set(override.dismissed)
    for code in edit.remove:
        removed.add(code)
        added -= {code} | descendants(catalogue, code)
    for code in edit.add:
        tag = catalogue.get(code)
        dimension = catalogue.dimension(tag.dimension) if tag else None
        if dimension is not None and dimension.exclusive:
            added = {c for c in added if c.split(".", 1)[0] != dimension.code}
        added.add(code)
        removed -= {code, *catalogue.ancestors(code)}
        dismissed.discard(code)
    dismissed |= set(edit.dismiss)
    return Override(frozenset(added), frozenset(removed), frozenset(dismissed))


# ---------------------------------------------------------------- the tags in effect


def editor_assignment(catalogue: Catalogue, code: str, evidence_from: TagAssignment | None = None) -> TagAssignment:
    """A tag an editor assigned: full confidence, with the rule's evidence when the rules saw some."""
    tag = catalogue.get(code)
    assert tag is not None, code
    return TagAssignment(
        code=code,
        dimension=tag.dimension,
        name_zh=tag.name_zh,
        name_en=tag.name_en,
        confidence=1.0,
        evidence=evidence_from.evidence if evidence_from is not None else (),
    )


def effective(
    catalogue: Catalogue,
    rule_tags: Sequence[TagAssignment],
    rule_suggestions: Sequence[TagAssignment],
    override: Override,
    model_suggestions: Sequence[TagAssignment] = (),
) -> EffectiveTags:
    """The tags in effect for one document version, and what is still worth suggesting.

    Removal wins over everything (an editor said the tag is wrong) and takes the tag's descendants
    along; an addition brings its ancestors. Rule tags from an older catalogue are kept as they
    are; codes the current catalogue no longer has are dropped from the editors' additions (the
    override keeps them, so they come back if the code does). Model suggestions never become tags.
    """
    blocked = set(override.removed)
    for code in override.removed:
        blocked |= descendants(catalogue, code)
    rules = {t.code: t for t in rule_tags}
    hints = {t.code: t for t in rule_suggestions}

    wanted: dict[str, Source] = {}
    for code in _catalogue_order(catalogue, override.added):
        if code in blocked:
            continue
        for implied in (code, *catalogue.ancestors(code)):
            if implied not in blocked and implied not in wanted:
                wanted[implied] = "editor" if implied == code or implied not in rules else "rule"
    # An exclusive dimension the editors chose a tag in keeps only that tag (and its ancestors).
    chosen: dict[str, str] = {}
    for code in wanted:
        dimension = catalogue.dimension(code.split(".", 1)[0])
        if dimension is not None and dimension.exclusive and code in override.added:
            chosen.setdefault(dimension.code, code)
    for dimension_code, code in chosen.items():
        keep = {code, *catalogue.ancestors(code)}
        for other in [c for c in wanted if c.split(".", 1)[0] == dimension_code and c not in keep]:
            del wanted[other]

    tags: list[EffectiveTag] = []
    for assignment in rule_tags:
        code = assignment.code
        if code in blocked or code in wanted:
            continue
        if assignment.dimension in chosen:
            continue
        tags.append(EffectiveTag(assignment, "rule"))
    for code, source in wanted.items():
        if source == "rule":
            tags.append(EffectiveTag(rules[code], "rule"))
        else:
            tags.append(EffectiveTag(editor_assignment(catalogue, code, rules.get(code) or hints.get(code)), "editor"))
    order = {t.code: i for i, t in enumerate(catalogue.tags)}
    tags.sort(key=lambda t: order.get(t.code, len(order)))

    in_effect = {t.code for t in tags}
    hidden = in_effect | blocked | override.dismissed
    suggestions = [EffectiveTag(s, "rule") for s in rule_suggestions if s.code not in hidden]
    seen = {s.code for s in suggestions}
    suggestions += [EffectiveTag(s, "model") for s in model_suggestions if s.code not in hidden | seen]
    return EffectiveTags(tuple(tags), tuple(suggestions))


def _catalogue_order(catalogue: Catalogue, codes: Iterable[str]) -> list[str]:
    order = {t.code: i for i, t in enumerate(catalogue.tags)}
    return sorted((c for c in codes if c in order), key=order.__getitem__)
