"""Documents uploaded as a file (.txt, .html, .docx) with their metadata as form fields.

The file becomes the body's text; the form fields become the rest of an upstream document; the
result goes through exactly the validation and normalization a JSON submission does. Everything
here is pure (bytes and strings in, text or problems out), so it is tested without a server.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from services.intake.domain import Problem
from services.intake.domain.contract import FIELD_NAMES
from services.intake.domain.text import strip_html

FILE_FIELD = "file"
KINDS = {".txt": "text", ".text": "text", ".html": "html", ".htm": "html", ".docx": "docx"}
_BY_MEDIA_TYPE = {
    "text/plain": "text",
    "text/html": "html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
_SUPPORTED = ".txt, .html or .docx"
# A .docx is a zip: refuse archives that would inflate far beyond what a document body can be.
MAX_INFLATION = 20
_LISTS = ("addressees", "audience")


@dataclass(frozen=True)
class FileRefused:
    """Why the uploaded file cannot become a body; ``status`` is the HTTP status when it is the only problem."""

    status: int
    problem: Problem


@dataclass(frozen=True)
class Extracted:
    text: str
    kind: str
    encoding: str | None

    def describe(self, name: str, size: int) -> dict[str, Any]:
        return {"name": name, "kind": self.kind, "bytes": size, "characters": len(self.text), "encoding": self.encoding}


def kind_of(filename: str, media_type: str | None) -> str | None:
    """text, html or docx by the file name's extension, else by the declared media type."""
    name = filename.lower()
    dot = name.rfind(".")
    if dot >= 0 and name[dot:] in KINDS:
        return KINDS[name[dot:]]
    if dot < 0 and media_type:
        return _BY_MEDIA_TYPE.get(media_type.split(";")[0].strip().lower())
    return None


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Text and the encoding it was in: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    return None


def _docx_text(data: bytes, max_bytes: int) -> str:
    """Paragraphs and table rows in document order; raises on anything that is not a readable .docx."""
    import docx  # python-docx: imported on first upload, not at service start
    from docx.table import Table

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        inflated = sum(info.file_size for info in archive.infolist())
    if inflated > max(max_bytes, len(data)) * MAX_INFLATION:
        raise ValueError(f"it inflates to {inflated:,} bytes")
    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                lines.append("\t".join(dict.fromkeys(c for c in cells if c)))  # merged cells repeat
        else:
            lines.append(block.text)
    return "\n".join(lines).strip("\n")


def extract(filename: str, media_type: str | None, data: bytes, *, max_bytes: int) -> Extracted | FileRefused:
    """The body text of an uploaded file, or why it cannot be read; never raises."""
    shown = filename or "(unnamed)"
    kind = kind_of(filename, media_type)
    if kind is None:
        return FileRefused(415, Problem(
            FILE_FIELD,
            f"'{shown}' ({media_type or 'no media type'}) is not a file type intake reads",
            f"send the body as a {_SUPPORTED} file, or submit the document as JSON",
        ))
    if not data:
        return FileRefused(422, Problem(
            FILE_FIELD, f"'{shown}' is empty", "attach the file that holds the document's body"
        ))
    if len(data) > max_bytes:
        return FileRefused(413, Problem(
            FILE_FIELD,
            f"'{shown}' is {len(data):,} bytes, more than the {max_bytes:,} allowed",
            "send the body alone and move large content (scans, annexes) into attachments",
        ))
    if kind == "docx":
        try:
            text = _docx_text(data, max_bytes)
        except Exception as exc:  # corrupt zip, missing parts, bad XML: all mean the same to the sender
            return FileRefused(422, Problem(
                FILE_FIELD,
                f"'{shown}' cannot be read as a .docx file ({type(exc).__name__}: {str(exc)[:120]})",
                "open it in Word or WPS and save it again as .docx (not .doc or .wps), then resend",
            ))
        extracted = Extracted(text, kind, None)
    else:
        decoded = decode_text(data)
        if decoded is None:
            return FileRefused(422, Problem(
                FILE_FIELD,
                f"'{shown}' is not UTF-8, UTF-16 or GB18030 text",
                "save the file as UTF-8 text and resend",
            ))
        text, encoding = decoded
        extracted = Extracted(strip_html(text) if kind == "html" else text, kind, encoding)
    if not extracted.text.strip():
        return FileRefused(422, Problem(
            FILE_FIELD, f"'{shown}' holds no text", "attach the file that holds the document's body text"
        ))
    return extracted


def _list_value(values: list[str]) -> list[Any]:
    """Repeated fields, or one field holding a JSON array."""
    if len(values) == 1 and values[0].lstrip().startswith("["):
        try:
            parsed = json.loads(values[0])
        except json.JSONDecodeError:
            return values
        return parsed if isinstance(parsed, list) else values
    return values


def _attachments(values: list[str]) -> list[Any]:
    """Each field a JSON object {"name", "url"}, or one field holding a JSON array of them."""
    items: list[Any] = []
    for value in values:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            items.append(value)  # validation names it: attachments.N must be an object
            continue
        items.extend(parsed if isinstance(parsed, list) else [parsed])
    return items


def _flag(value: str) -> Any:
    return {"true": True, "1": True, "false": False, "0": False}.get(value.strip().lower(), value)


def document_from_form(fields: Iterable[tuple[str, str]], body: str | None) -> tuple[dict[str, Any], list[Problem]]:
    """The upstream document the form describes, with problems only the form can have.

    Empty fields are left out, as a browser sends every input; validation then reports a missing
    required one by name.
    """
    grouped: dict[str, list[str]] = {}
    for name, value in fields:
        if value != "":
            grouped.setdefault(name, []).append(value)
    problems: list[Problem] = []
    raw: dict[str, Any] = {}
    for name, values in grouped.items():
        if name == "body":
            problems.append(Problem(
                "body", "the body was sent as a form field", f"send the body as the '{FILE_FIELD}' part, or submit JSON"
            ))
        elif name in _LISTS:
            raw[name] = _list_value(values)
        elif name == "attachments":
            raw[name] = _attachments(values)
        elif name == "requires_interpretation":
            raw[name] = _flag(values[-1])
        elif len(values) > 1 and name in FIELD_NAMES:
            problems.append(Problem(name, f"{name} was sent {len(values)} times", f"send {name} once"))
        else:
            raw[name] = values[-1]
    if body is not None:
        raw["body"] = body
    return raw, problems
