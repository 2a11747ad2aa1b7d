"""What `govpub import` reads: documents in JSON files, JSON Lines files and CSV tables.

Archives of issued documents come out of office systems as one JSON file per document, as a JSON
Lines export, or as a spreadsheet saved as CSV (which Excel and WPS write in GB18030 unless told
otherwise). Each becomes a stream of items, one per document, each naming where it came from
("notices.csv row 12"), so a refusal points at the row to fix. Reading is pure: files in, items
out; intake still validates every document, exactly as it does a submission.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.intake.domain.contract import FIELD_NAMES, UpstreamDocument
from services.intake.upload import decode_text, document_from_form

SUFFIXES = (".json", ".jsonl", ".csv")
REQUIRED: tuple[str, ...] = tuple(name for name, field in UpstreamDocument.model_fields.items() if field.is_required())
# A list cell in a spreadsheet: items split by semicolons or the enumeration comma, or a JSON array.
LIST_COLUMNS = ("addressees", "audience")
_LIST_SEPARATORS = re.compile("[;；、]")


@dataclass(frozen=True)
class Item:
    """One document to submit, or why it cannot be: ``where`` names the file and the line or row."""

    where: str
    document: dict[str, Any] | None = None
    error: str | None = None


def files_in(path: Path) -> list[Path]:
    """The files to read: ``path`` itself, or every .json, .jsonl and .csv file under a folder."""
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_items(path: Path, root: Path) -> Iterator[Item]:
    """The documents in one file, named relative to ``root`` (the folder or file that was imported)."""
    name = str(path.relative_to(root)) if path != root and path.is_relative_to(root) else path.name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        yield json_item(path, name)
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Item(name, error=f"cannot read the file ({exc.strerror})")
        return
    yield from (_csv_items if suffix == ".csv" else _jsonl_items)(name, data)


def json_item(path: Path, name: str) -> Item:
    """The one document in a JSON file (also what `govpub submit` sends)."""
    try:
        return Item(name, json.loads(path.read_bytes().decode("utf-8-sig")))
    except OSError as exc:
        return Item(name, error=f"cannot read the file ({exc.strerror})")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Item(name, error=f"cannot read JSON ({exc}); save it as UTF-8 JSON")


def _jsonl_items(name: str, data: bytes) -> Iterator[Item]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Item(name, error=f"not UTF-8 ({exc}); save it as UTF-8 JSON Lines")
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name} line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Item(where, error=f"cannot read JSON ({exc}); each line holds one document as a JSON object")
            continue
        yield Item(where, value)


def _csv_items(name: str, data: bytes) -> Iterator[Item]:
    decoded = decode_text(data)
    if decoded is None:
        yield Item(name, error="not UTF-8, UTF-16 or GB18030 text; save the table as CSV (UTF-8)")
        return
    rows = csv.reader(io.StringIO(decoded[0], newline=""))
    header = [column.strip() for column in next(rows, [])]
    problem = _header_problem(header)
    if problem is not None:
        # Nothing from this table is sent: every row would be refused for the same reason.
        yield Item(name, error=problem)
        return
    for number, row in enumerate(rows, start=2):  # row 1 is the header, as a spreadsheet counts
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name} row {number}"
        if len(row) > len(header):
            yield Item(where, error=f"{len(row)} cells under {len(header)} columns; quote cells that hold a comma")
            continue
        pairs: list[tuple[str, str]] = []
        body: str | None = None
        for column, cell in zip(header, row, strict=False):
            if column == "body":
                body = cell or None
            elif column in LIST_COLUMNS and not cell.lstrip().startswith("["):
                pairs.extend((column, part.strip()) for part in _LIST_SEPARATORS.split(cell) if part.strip())
            else:
                pairs.append((column, cell.strip()))
        document, problems = document_from_form(pairs, body)
        if problems:
            yield Item(where, error="; ".join(f"{p.field}: {p.problem}" for p in problems))
        else:
            yield Item(where, document)


def _header_problem(header: list[str]) -> str | None:
    if not any(header):
        return "the first row must name the columns (title, issuing_organ, body, ...); add a header row"
    for column in header:
        if header.count(column) > 1 and column not in LIST_COLUMNS:
            return f"column '{column}' appears {header.count(column)} times; keep one"
        if column not in FIELD_NAMES:
            close = difflib.get_close_matches(column, FIELD_NAMES, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"columns are the document's fields: {', '.join(FIELD_NAMES)}"
            )
            return f"unknown column '{column}'; {hint}"
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        return f"no column for {', '.join(missing)}, which every document needs; add {'it' if len(missing) == 1 else 'them'}"
    return None
