"""The review audit log (审查留痕): one shape for automatic and human actions, and its CSV form.

Rows are appended, never changed or removed (``AuditLog`` in repository.py has no method that
could). A row never holds matched text: findings are listed by rule, kind and span, and the text
before and after masking only by its hash.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any, Final

from services.review.domain import Finding, finding_public_view
from services.review.domain.redaction import MaskRef, MaskSpan

# Column, meaning. `govpub audit export` writes these columns in this order.
COLUMNS: Final = (
    ("at", "when, ISO 8601 in UTC"),
    ("actor", "reviewer name, or 'auto' for the rule engine"),
    ("actor_role", "the actor's role: system, reviewer or admin"),
    ("action", "automatic_review, superseded, lock, unlock, decision, proposal (awaits a second reviewer) or confirmation"),
    ("case_id", "review case, <document_id>:v<version>"),
    ("document_id", "the document"),
    ("version", "the document version"),
    ("content_hash", "the reviewed content hash from intake"),
    ("decision", "approved, approved_with_redactions, needs_human or rejected; empty for locks"),
    ("reason_code", "machine-readable reason"),
    ("reason", "the reviewer's words; empty for automatic rows"),
    ("proposed_by", "for a confirmation: who proposed the decision"),
    ("findings", "rule@field:start-end/action, ';'-separated; never the matched text"),
    ("masks_added", "field:start-end spans a reviewer masked, ';'-separated"),
    ("masks_removed", "rule@field:start automatic masks a reviewer removed, ';'-separated"),
    ("text_hash_before", "sha256 of title, body and note as received"),
    ("text_hash_after", "sha256 of the text released after masking; empty when nothing is released"),
    ("rules_version", "version of the rules file"),
    ("audit_id", "the row's id"),
)
COLUMN_NAMES: Final = tuple(name for name, _ in COLUMNS)


def entry(
    *,
    at: datetime,
    actor: str,
    actor_role: str,
    action: str,
    case_id: str,
    document_id: str,
    version: int,
    content_hash: str,
    decision: str | None = None,
    reason_code: str | None = None,
    reason: str | None = None,
    proposed_by: str | None = None,
    findings: Sequence[Finding] = (),
    masks_added: Sequence[MaskSpan] = (),
    masks_removed: Sequence[Finding | MaskRef] = (),
    text_hash_before: str | None = None,
    text_hash_after: str | None = None,
    rules_version: str | None = None,
) -> dict[str, Any]:
    """One audit row; every row has every key, whoever wrote it."""
    return {
        "at": at,
        "actor": actor,
        "actor_role": actor_role,
        "action": action,
        "case_id": case_id,
        "document_id": document_id,
        "version": version,
        "content_hash": content_hash,
        "decision": decision,
        "reason_code": reason_code,
        "reason": reason,
        "proposed_by": proposed_by,
        "findings": [finding_public_view(f) for f in findings],
        "masks_added": [{"field": m.field, "start": m.start, "end": m.end} for m in masks_added],
        "masks_removed": [
            {"rule_id": m.rule_id, "field": m.field, "start": m.start} for m in masks_removed
        ],
        "text_hash_before": text_hash_before,
        "text_hash_after": text_hash_after,
        "rules_version": rules_version,
    }


def public(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as the API returns it (rows from before this shape get empty values)."""
    out: dict[str, Any] = {name: row.get(name) for name in COLUMN_NAMES if name != "audit_id"}
    out["audit_id"] = str(row.get("_id", ""))
    at = row.get("at")
    if isinstance(at, datetime):
        out["at"] = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    # Early automatic rows listed findings by rule id only.
    out["findings"] = [{"rule_id": f} if isinstance(f, str) else f for f in row.get("findings") or []]
    for key in ("masks_added", "masks_removed"):
        out[key] = list(row.get(key) or [])
    if out["actor_role"] is None and row.get("actor") == "auto":
        out["actor_role"] = "system"
    return out


def _spans(items: Iterable[Mapping[str, Any]], fmt: str) -> str:
    return ";".join(fmt.format_map(_Blank(item)) for item in items)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def csv_cells(row: Mapping[str, Any]) -> list[str]:
    """One API row as CSV cells, in COLUMNS order; cells a spreadsheet would run as formulas are defused."""
    flat = dict(row)
    flat["findings"] = _spans(row["findings"], "{rule_id}@{field}:{start}-{end}/{action}")
    flat["masks_added"] = _spans(row["masks_added"], "{field}:{start}-{end}")
    flat["masks_removed"] = _spans(row["masks_removed"], "{rule_id}@{field}:{start}")
    return [_defuse("" if flat.get(name) is None else str(flat[name])) for name in COLUMN_NAMES]


def _defuse(cell: str) -> str:
    # A reason typed by a reviewer that starts with = + - @ would run as a formula in Excel.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


def utc_offset(value: str) -> timezone:
    """'+08:00' → a fixed offset (China has no daylight saving time, so no tz database is needed)."""
    sign = -1 if value.startswith("-") else 1
    hours, _, minutes = value.lstrip("+-").partition(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def period_bounds(start: date | datetime | None, end: date | datetime | None,
                  tz: timezone) -> tuple[datetime | None, datetime | None]:
    """[from, to) in UTC. A date means the whole day in ``tz``; ``to`` as a date is inclusive."""

    def at(value: date | datetime, next_day: bool) -> datetime:
        if isinstance(value, datetime):
            return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)
        day = value + timedelta(days=1) if next_day else value
        return datetime.combine(day, time(0), tz).astimezone(UTC)

    return (None if start is None else at(start, False)), (None if end is None else at(end, True))
