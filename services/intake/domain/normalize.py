"""From a valid upstream document to the normalized one: repairs recorded as changes, the rest flagged."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from services.intake.domain.contract import UpstreamDocument
from services.intake.domain.dates import parse_date, parse_date_steps
from services.intake.domain.disclosure import body_tail, markings
from services.intake.domain.docnumber import normalize_doc_number, parse_doc_number
from services.intake.domain.doctype import FALLBACK_DOC_TYPE, infer_doc_type
from services.intake.domain.mojibake import find_mojibake
from services.intake.domain.text import CJK, remove_romanization, strip_html, to_halfwidth, to_simplified

__all__ = [
    "Change",
    "Flag",
    "NormalizedDocument",
    "content_hash",
    "normalize",
    "normalize_doc_number",
    "parse_date",
]

CONTENT_FIELDS = (
    "doc_number",
    "title",
    "issuing_organ",
    "doc_type",
    "written_date",
    "disclosure",
    "classification",
    "body",
    "note",
    "addressees",
    "attachments",
    "interprets",
    "requires_interpretation",
    "audience",
)
# A hostile body can hold thousands of glosses; past this many per field and kind, only a count is kept.
MAX_CHANGES_PER_KIND = 20
_SNIPPET_CONTEXT = 30
_SNIPPET_WHOLE = 200


@dataclass(frozen=True)
class Change:
    """One repair: which field, what kind (doc_number.brackets, text.html_stripped, …), before and after."""

    field: str
    kind: str
    before: str
    after: str


@dataclass(frozen=True)
class Flag:
    """Something wrong that cannot be repaired safely (text.mojibake, disclosure.conflict, …)."""

    field: str
    code: str
    message: str


class NormalizedDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source_system: str
    source_id: str
    doc_number: str | None
    doc_number_original: str | None
    organ_code: str | None
    doc_year: int | None
    doc_serial: int | None
    title: str
    issuing_organ: str
    doc_type: str
    written_date: str
    disclosure: str | None
    disclosure_marking: str | None
    classification: str | None
    body: str
    note: str | None
    addressees: list[str]
    attachments: list[dict[str, str]]
    interprets: str | None
    requires_interpretation: bool
    audience: list[str]
    search_text: str
    changes: list[Change]
    flags: list[Flag]


def _snippets(before: str, after: str) -> tuple[str, str]:
    """Whole values when short, else a window around the first difference, so changes stay small."""
    if len(before) <= _SNIPPET_WHOLE and len(after) <= _SNIPPET_WHOLE:
        return before, after
    start = next(
        (i for i, (a, b) in enumerate(zip(before, after, strict=False)) if a != b),
        min(len(before), len(after)),
    )
    begin = max(0, start - _SNIPPET_CONTEXT)
    width = 2 * _SNIPPET_CONTEXT + 20

    def cut(text: str) -> str:
        return ("…" if begin else "") + text[begin : begin + width] + ("…" if begin + width < len(text) else "")

    return cut(before), cut(after)


class _Recorder:
    """Collects changes and flags while the fields are normalized."""

    def __init__(self) -> None:
        self._changes: list[Change] = []
        self._recorded: Counter[tuple[str, str]] = Counter()
        self._omitted: Counter[tuple[str, str]] = Counter()
        self.flags: list[Flag] = []

    def change(self, field: str, kind: str, before: str, after: str) -> str:
        if before != after:
            if self._recorded[field, kind] < MAX_CHANGES_PER_KIND:
                self._recorded[field, kind] += 1
                self._changes.append(Change(field, kind, *_snippets(before, after)))
            else:
                self._omitted[field, kind] += 1
        return after

    @property
    def changes(self) -> list[Change]:
        summaries = [Change(field, kind, f"… {n} more", "…") for (field, kind), n in self._omitted.items()]
        return self._changes + summaries

    def flag(self, field: str, code: str, message: str) -> None:
        self.flags.append(Flag(field, code, message))

    def check_encoding(self, field: str, text: str) -> None:
        evidence = find_mojibake(text)
        if evidence is not None:
            self.flag(
                field,
                "text.mojibake",
                f"{field} looks like text decoded with the wrong encoding ('{evidence}'); "
                "ask the source system to resend it as UTF-8",
            )


_NEWLINE_RUN = re.compile(r"[ \t\u3000]*[\r\n]+[ \t\u3000]*")
_CJK_CHAR = re.compile(f"[{CJK}]")


def _one_line(text: str) -> str:
    """A line break inside a title joins Chinese directly and anything else with a space."""

    def join(match: re.Match[str]) -> str:
        left, right = text[match.start() - 1 : match.start()], text[match.end() : match.end() + 1]
        return "" if _CJK_CHAR.fullmatch(left) and _CJK_CHAR.fullmatch(right) else " "

    return _NEWLINE_RUN.sub(join, text)


def _text(rec: _Recorder, field: str, value: str, *, multiline: bool) -> str:
    current = value
    if multiline:
        current = rec.change(field, "text.line_endings", current, current.replace("\r\n", "\n").replace("\r", "\n"))
    current = rec.change(field, "text.html_stripped", current, strip_html(current, single_line=not multiline))
    cleaned, edits = remove_romanization(current)
    for edit in edits:
        rec.change(field, "text.romanization_removed", edit.before, edit.after)
    current = cleaned
    if not multiline:
        current = rec.change(field, "text.whitespace", current, _one_line(current).strip())
    rec.check_encoding(field, current)
    return current


def _optional(rec: _Recorder, field: str, value: str | None) -> str | None:
    """Blank optional values mean absent."""
    if value is not None and not value.strip():
        rec.change(field, "text.blank_removed", value, "")
        return None
    return value


def _doc_number(rec: _Recorder, field: str, value: str | None) -> tuple[str | None, str | None, int | None, int | None]:
    if value is None:
        return None, None, None, None
    parsed = parse_doc_number(value)
    if parsed is None:
        rec.flag(
            field,
            f"{field}.unparseable",
            f"'{value}' is not a document number in the form 沪知局〔2023〕12号",
        )
        return value.strip(), None, None, None
    for step in parsed.steps:
        rec.change(field, step.kind, step.before, step.after)
    return parsed.normalized, parsed.organ_code, parsed.year, parsed.serial


def _interprets(rec: _Recorder, value: str | None) -> str | None:
    """The interpreted policy's document number, normalized when it is one (it may also be a title)."""
    if value is None:
        return None
    if normalize_doc_number(value) is not None:
        return _doc_number(rec, "interprets", value)[0]
    return rec.change("interprets", "text.whitespace", value, _one_line(value).strip())


def _written_date(rec: _Recorder, value: str) -> str:
    parsed = parse_date_steps(value)
    if parsed.value is None:
        rec.flag("written_date", "written_date.unparseable", f"'{value}' is not a date")
        return value.strip()
    for step in parsed.steps:
        rec.change("written_date", step.kind, step.before, step.after)
    return parsed.value.isoformat()


def _doc_type(rec: _Recorder, value: str | None, title: str) -> str:
    if value is not None:
        return rec.change("doc_type", "text.whitespace", value, value.strip())
    inferred = infer_doc_type(title)
    if inferred is None:
        return rec.change("doc_type", "doc_type.defaulted", "", FALLBACK_DOC_TYPE)
    return rec.change("doc_type", "doc_type.inferred", "", inferred)


def _disclosure(rec: _Recorder, explicit: str | None, note: str | None, body: str) -> tuple[str | None, str | None]:
    """(effective attribute, marking read from note or body end); disagreement is left to review."""
    note_marks = markings(note) if note else []
    body_marks = markings(body_tail(body))
    stated = sorted(set(note_marks + body_marks))
    found = note_marks or body_marks
    marking = found[-1] if found else None
    if len(stated) > 1:
        rec.flag("disclosure", "disclosure.conflict", f"the document is marked both {' and '.join(stated)}")
        return None, marking
    if explicit is not None and marking is not None and explicit != marking:
        rec.flag("disclosure", "disclosure.conflict", f"the field says {explicit} but the marking says {marking}")
        return None, marking
    if explicit is None and marking is not None:
        source = "disclosure.from_note" if note_marks else "disclosure.from_body"
        return rec.change("disclosure", source, "", marking), marking
    return explicit, marking


def _texts(rec: _Recorder, field: str, values: list[str]) -> list[str]:
    kept: list[str] = []
    for index, value in enumerate(values):
        if not value.strip():
            rec.change(f"{field}.{index}", "text.blank_removed", value, "")
            continue
        cleaned = rec.change(f"{field}.{index}", "text.whitespace", value, _one_line(value).strip())
        rec.check_encoding(f"{field}.{index}", cleaned)
        kept.append(cleaned)
    return kept


def _search_text(rec: _Recorder, text: str) -> str:
    """Simplified, half-width text for matching queries; the document itself keeps its script."""
    simplified = rec.change("search_text", "text.traditional", text, to_simplified(text))
    return to_halfwidth(simplified)


def normalize(doc: UpstreamDocument) -> NormalizedDocument:
    """The normalized document; every repair is a Change, every unrepairable issue a Flag."""
    rec = _Recorder()
    original_number = _optional(rec, "doc_number", doc.doc_number)
    doc_number, organ_code, doc_year, doc_serial = _doc_number(rec, "doc_number", original_number)
    interprets_text = _optional(rec, "interprets", doc.interprets)
    interprets = _interprets(rec, interprets_text)
    title = _text(rec, "title", doc.title, multiline=False)
    issuing_organ = _text(rec, "issuing_organ", doc.issuing_organ, multiline=False)
    body = _text(rec, "body", doc.body, multiline=True)
    note_text = _optional(rec, "note", doc.note)
    note = None
    if note_text is not None:
        note = _text(rec, "note", note_text, multiline=True)
        note = rec.change("note", "text.whitespace", note, note.strip())
    disclosure, marking = _disclosure(rec, doc.disclosure, note, body)
    attachments = []
    for index, attachment in enumerate(doc.attachments):
        name = rec.change(f"attachments.{index}.name", "text.whitespace", attachment.name, attachment.name.strip())
        url = rec.change(f"attachments.{index}.url", "text.whitespace", attachment.url, attachment.url.strip())
        rec.check_encoding(f"attachments.{index}.name", name)
        attachments.append({"name": name, "url": url})
    search_text = _search_text(rec, "\n".join(part for part in (title, doc_number, issuing_organ, body) if part))
    return NormalizedDocument(
        source_system=doc.source_system,
        source_id=doc.source_id,
        doc_number=doc_number,
        doc_number_original=original_number,
        organ_code=organ_code,
        doc_year=doc_year,
        doc_serial=doc_serial,
        title=title,
        issuing_organ=issuing_organ,
        doc_type=_doc_type(rec, _optional(rec, "doc_type", doc.doc_type), title),
        written_date=_written_date(rec, doc.written_date),
        disclosure=disclosure,
        disclosure_marking=marking,
        classification=doc.classification,
        body=body,
        note=note,
        addressees=_texts(rec, "addressees", doc.addressees),
        attachments=attachments,
        interprets=interprets,
        requires_interpretation=doc.requires_interpretation,
        audience=_texts(rec, "audience", doc.audience),
        search_text=search_text,
        changes=rec.changes,
        flags=rec.flags,
    )


def content_hash(doc: NormalizedDocument) -> str:
    """sha256 over a canonical JSON of the content fields, so resent or re-filed copies hash alike."""
    content = doc.model_dump(include=set(CONTENT_FIELDS))
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8", errors="surrogatepass")).hexdigest()
