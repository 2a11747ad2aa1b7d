"""Audit rows: one shape for the engine and for reviewers, never the matched text; the CSV form."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from services.review import audit
from services.review.domain import Finding
from services.review.domain.redaction import MaskRef, MaskSpan

AT = datetime(2024, 5, 16, 1, 2, 3, tzinfo=UTC)
MOBILE = Finding("PII-MOBILE", "mobile", "body", 16, 27, "13812345678", 0.95, "mobile number", "mask")
IDS = {"case_id": "d1:v1", "document_id": "d1", "version": 1, "content_hash": "sha256:abc"}


def automatic_row() -> dict[str, object]:
    return audit.entry(at=AT, actor="auto", actor_role="system", action="automatic_review", decision="needs_human",
                       reason_code="trade_secret", findings=[MOBILE], text_hash_before="sha256:1",
                       rules_version="3", **IDS)  # type: ignore[arg-type]


def reviewer_row() -> dict[str, object]:
    return audit.entry(at=AT, actor="alice", actor_role="reviewer", action="decision",
                       decision="approved_with_redactions", reason="=HYPERLINK(\"x\") 已核实", findings=[MOBILE],
                       masks_added=[MaskSpan("body", 0, 2)], masks_removed=[MaskRef("PII-EMAIL", 3, "body")],
                       text_hash_before="sha256:1", text_hash_after="sha256:2", **IDS)  # type: ignore[arg-type]


def test_automatic_and_reviewer_rows_have_the_same_keys() -> None:
    assert automatic_row().keys() == reviewer_row().keys()
    assert set(audit.COLUMN_NAMES) == set(automatic_row()) | {"audit_id"}


def test_a_row_never_holds_the_matched_text() -> None:
    for row in (automatic_row(), reviewer_row()):
        assert "13812345678" not in repr(row)
        assert "13812345678" not in "".join(audit.csv_cells(audit.public(row)))


def test_rows_written_before_this_shape_are_read_with_empty_values() -> None:
    old = {"_id": "x", "document_id": "d1", "version": 1, "content_hash": "h", "actor": "auto",
           "action": "automatic_review", "decision": "approved", "reason_code": None, "findings": ["PII-MOBILE"],
           "at": AT}
    public = audit.public(old)
    assert public["actor_role"] == "system" and public["findings"] == [{"rule_id": "PII-MOBILE"}]
    cells = dict(zip(audit.COLUMN_NAMES, audit.csv_cells(public), strict=True))
    assert cells["findings"] == "PII-MOBILE@:-/" and cells["case_id"] == "" and cells["audit_id"] == "x"


def test_csv_cells_are_flat_and_a_formula_is_defused() -> None:
    cells = dict(zip(audit.COLUMN_NAMES, audit.csv_cells(audit.public(reviewer_row())), strict=True))
    assert cells["at"] == "2024-05-16T01:02:03+00:00"
    assert cells["findings"] == "PII-MOBILE@body:16-27/mask"
    assert cells["masks_added"] == "body:0-2" and cells["masks_removed"] == "PII-EMAIL@body:3"
    assert cells["reason"].startswith("'=HYPERLINK")
    line = audit.csv_line(list(cells.values()))
    assert next(csv.reader(io.StringIO(line))) == list(cells.values())


def test_a_day_means_the_whole_day_at_the_offices_offset_and_to_is_inclusive() -> None:
    tz = audit.utc_offset("+08:00")
    start, end = audit.period_bounds(date(2024, 5, 1), date(2024, 5, 31), tz)
    assert start == datetime(2024, 4, 30, 16, tzinfo=UTC)
    assert end == datetime(2024, 5, 31, 16, tzinfo=UTC)
    assert audit.utc_offset("-03:30").utcoffset(None) == -timedelta(hours=3, minutes=30)
    moment = datetime(2024, 5, 1, 12, tzinfo=UTC)
    assert audit.period_bounds(moment, None, tz) == (moment, None)
