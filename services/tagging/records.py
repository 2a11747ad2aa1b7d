"""How tagging's domain values are stored and published: rows of its collections, DocumentTagged.

A document has one *head* (``documents``: its latest version, the editors' override and a revision
number every writer checks and bumps) and, per version, a *tagging* (``taggings``: what the rules
found and the tags in effect) and its *text* (``texts``: title, body and doc_type, kept only in
tagging's database so that a new catalogue can re-tag it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from services.tagging.domain import Evidence, EvidenceField, TagAssignment
from services.tagging.domain.editing import EffectiveTag, EffectiveTags, Override
from shared import events


def version_key(document_id: str, version: int) -> str:
    return f"{document_id}:v{version}"


# ---------------------------------------------------------------- tags


def evidence_dict(e: Evidence) -> dict[str, Any]:
    item: dict[str, Any] = {"term": e.term, "field": e.field, "start": e.start, "end": e.end}
    if e.inherited_from:
        item["inherited_from"] = e.inherited_from
    return item


def assignment_dict(a: TagAssignment) -> dict[str, Any]:
    return {
        "code": a.code,
        "dimension": a.dimension,
        "name_zh": a.name_zh,
        "name_en": a.name_en,
        "confidence": a.confidence,
        "evidence": [evidence_dict(e) for e in a.evidence],
    }


def assignment_from(item: Mapping[str, Any]) -> TagAssignment:
    return TagAssignment(
        code=item["code"],
        dimension=item.get("dimension") or item["code"].split(".", 1)[0],
        name_zh=item.get("name_zh", ""),
        name_en=item.get("name_en", ""),
        confidence=float(item.get("confidence", 1.0)),
        evidence=tuple(
            Evidence(
                term=e["term"],
                field=cast(EvidenceField, e["field"]),
                start=int(e["start"]),
                end=int(e["end"]),
                inherited_from=e.get("inherited_from"),
            )
            for e in item.get("evidence", ())
        ),
    )


def tag_dict(tag: EffectiveTag) -> dict[str, Any]:
    """A tag in effect, shaped like ``TagRef`` (evidence also says which child it was inherited from)."""
    return {**assignment_dict(tag.assignment), "source": tag.source}


def tag_ref(item: Mapping[str, Any]) -> events.TagRef:
    # Validated from the dict: a field TagEvidence gains later (inherited_from) flows through untouched.
    return events.TagRef.model_validate(item)


# ---------------------------------------------------------------- rows


def rule_of(row: Mapping[str, Any]) -> tuple[list[TagAssignment], list[TagAssignment], list[TagAssignment]]:
    """Rule tags, rule suggestions and model suggestions of a tagging row.

    Rows written before editors could change tags hold only the tags: they were all the rules'.
    """
    rule = row.get("rule")
    if rule is None:
        return (
            [assignment_from(t) for t in row.get("tags", ())],
            [assignment_from(t) for t in row.get("suggestions", ()) if t.get("source", "rule") == "rule"],
            [],
        )
    return (
        [assignment_from(t) for t in rule.get("assigned", ())],
        [assignment_from(t) for t in rule.get("suggestions", ())],
        [assignment_from(t) for t in row.get("model_suggestions", ())],
    )


def tagging_row(
    *,
    document_id: str,
    version: int,
    content_hash: str,
    catalogue_version: int,
    rule_tags: Sequence[TagAssignment],
    rule_suggestions: Sequence[TagAssignment],
    model_suggestions: Sequence[TagAssignment],
    effective: EffectiveTags,
    tagged_at: datetime,
    title: str,
    doc_type: str | None,
) -> dict[str, Any]:
    return {
        "_id": version_key(document_id, version),
        "document_id": document_id,
        "version": version,
        "content_hash": content_hash,
        "title": title,
        "doc_type": doc_type,
        "catalogue_version": catalogue_version,
        "tags": [tag_dict(t) for t in effective.tags],
        "suggestions": [tag_dict(t) for t in effective.suggestions],
        "rule": {
            "assigned": [assignment_dict(a) for a in rule_tags],
            "suggestions": [assignment_dict(a) for a in rule_suggestions],
        },
        "model_suggestions": [assignment_dict(a) for a in model_suggestions],
        "tagged_at": tagged_at,
    }


def with_effective(row: Mapping[str, Any], effective: EffectiveTags, now: datetime) -> dict[str, Any]:
    return {
        **row,
        "tags": [tag_dict(t) for t in effective.tags],
        "suggestions": [tag_dict(t) for t in effective.suggestions],
        "edited_at": now,
    }


def tagged_event(row: Mapping[str, Any], now: datetime) -> events.DocumentTagged:
    return events.DocumentTagged(
        document_id=row["document_id"],
        version=row["version"],
        content_hash=row["content_hash"],
        catalogue_version=row["catalogue_version"],
        tags=[tag_ref(t) for t in row["tags"]],
        suggestions=[tag_ref(t) for t in row["suggestions"]],
        tagged_at=now,
    )


def row_codes(row: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(t["code"] for t in row.get("tags", ()))


def tags_view(row: Mapping[str, Any], head: Mapping[str, Any] | None) -> dict[str, Any]:
    """``GET /v1/documents/{id}/tags``: the tags in effect, plus the editors' standing decisions."""
    override = (head or {}).get("override") or {}
    return {
        "document_id": row["document_id"],
        "version": row["version"],
        "catalogue_version": row["catalogue_version"],
        "tags": row["tags"],
        "suggestions": row["suggestions"],
        "editor": {
            kind: [dict(e) for e in override.get(kind, ())]
            for kind in ("added", "removed", "dismissed")
        },
    }


# ---------------------------------------------------------------- heads and overrides


def new_head(document_id: str) -> dict[str, Any]:
    return {"_id": document_id, "rev": 0, "version": 0, "override": {"added": [], "removed": [], "dismissed": []}}


def override_of(head: Mapping[str, Any] | None) -> Override:
    stored = (head or {}).get("override") or {}

    def codes(kind: str) -> frozenset[str]:
        return frozenset(e["code"] for e in stored.get(kind, ()))

    return Override(codes("added"), codes("removed"), codes("dismissed"))


def override_entries(
    head: Mapping[str, Any], override: Override, *, by: str, at: datetime, reason: str
) -> dict[str, list[dict[str, Any]]]:
    """The stored override: who decided each code, when and why; earlier decisions keep their record."""
    stored = head.get("override") or {}
    result: dict[str, list[dict[str, Any]]] = {}
    for kind, codes in (("added", override.added), ("removed", override.removed), ("dismissed", override.dismissed)):
        known = {e["code"]: e for e in stored.get(kind, ())}
        result[kind] = [
            known.get(code) or {"code": code, "by": by, "at": at, "reason": reason} for code in sorted(codes)
        ]
    return result


def change_record(
    *,
    change_id: str,
    document_id: str,
    version: int,
    action: str,
    by: str,
    role: str,
    at: datetime,
    reason: str,
    add: Iterable[str] = (),
    remove: Iterable[str] = (),
    dismiss: Iterable[str] = (),
    before: Iterable[str],
    after: Iterable[str],
    catalogue_version: int,
) -> dict[str, Any]:
    """One entry of ``tag_changes``, the append-only record of who changed which tags, when and why."""
    before_set, after_set = set(before), set(after)
    return {
        "_id": change_id,
        "document_id": document_id,
        "version": version,
        "action": action,
        "by": by,
        "role": role,
        "at": at,
        "reason": reason,
        "add": list(add),
        "remove": list(remove),
        "dismiss": list(dismiss),
        "tags_added": sorted(after_set - before_set),
        "tags_removed": sorted(before_set - after_set),
        "catalogue_version": catalogue_version,
    }
