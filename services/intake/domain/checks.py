"""Problems found by the contract model (pydantic) and by the rules it cannot express."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from services.intake.domain.contract import ATTACHMENT_FIELD_NAMES, FIELD_NAMES, Attachment, UpstreamDocument
from services.intake.domain.dates import DateProblem, parse_date_steps
from services.intake.domain.docnumber import MAX_YEAR, MIN_YEAR, parse_doc_number
from services.intake.domain.problems import Problem, json_type, path_of, show
from services.intake.domain.text import strip_html

_MARKUP_ALLOWED = ("title", "body")
_OPTIONAL_TEXT = ("doc_number", "doc_type", "note", "interprets")
_REQUIRED_TEXT = ("source_system", "source_id", "title", "issuing_organ", "written_date", "body")


def _field_description(parts: tuple[Any, ...]) -> str:
    if parts and parts[0] == "attachments" and len(parts) == 3 and parts[2] in Attachment.model_fields:
        return Attachment.model_fields[parts[2]].description or ""
    if parts and parts[0] in UpstreamDocument.model_fields:
        return UpstreamDocument.model_fields[parts[0]].description or ""
    return ""


def _unknown_field(parts: tuple[Any, ...]) -> Problem:
    key = show(parts[-1])
    allowed = ATTACHMENT_FIELD_NAMES if len(parts) > 1 and parts[0] == "attachments" else FIELD_NAMES
    close = difflib.get_close_matches(key, allowed, n=1)
    guess = f"did you mean '{close[0]}'? " if close else ""
    return Problem(
        path_of(parts),
        f"unknown field '{key}'",
        f"{guess}remove it; the allowed fields are {', '.join(allowed)}",
    )


def _literal_problem(field: str, value: object, expected: str) -> Problem:
    shown = show(value)
    if field == "disclosure":
        return Problem(
            field,
            f"'{shown}' is not a disclosure attribute",
            "use one of 主动公开, 依申请公开, 不予公开 or omit it",
        )
    if field == "classification":
        return Problem(
            field,
            f"'{shown}' is not a classification level",
            "use one of 秘密, 机密, 绝密 without the secrecy period (★1年), or omit it if unclassified",
        )
    return Problem(field, f"'{shown}' is not an allowed value", f"use one of {expected}")


def pydantic_problem(error: Any) -> Problem:
    parts: tuple[Any, ...] = tuple(error["loc"])
    field = path_of(parts)
    kind: str = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    described = _field_description(parts)
    if kind == "missing":
        return Problem(field, f"{field} is missing", f"add {field}: {described}")
    if kind == "extra_forbidden":
        return _unknown_field(parts)
    if kind == "string_type":
        optional = len(parts) == 1 and parts[0] in _OPTIONAL_TEXT
        return Problem(
            field,
            f"{field} must be a string, got {json_type(value)}",
            f"send {field} as a JSON string" + (", or omit it" if optional else ""),
        )
    if kind == "string_too_short":
        return Problem(field, f"{field} is empty", f"fill in {field}: {described}")
    if kind == "string_too_long":
        return Problem(
            field,
            f"{field} is longer than {ctx.get('max_length')} characters",
            f"shorten {field} to at most {ctx.get('max_length')} characters",
        )
    if kind == "literal_error":
        return _literal_problem(field, value, str(ctx.get("expected", "")))
    if kind == "bool_type":
        return Problem(
            field, f"{field} must be true or false, got {show(value)}", "use the JSON literals true or false"
        )
    if kind == "list_type":
        return Problem(field, f"{field} must be an array, got {json_type(value)}", f"send {field} as a JSON array")
    if kind == "too_long":
        return Problem(
            field,
            f"{field} has more than {ctx.get('max_length')} items",
            f"send at most {ctx.get('max_length')} items",
        )
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return Problem(
            field,
            f"{field} must be an object, got {json_type(value)}",
            'send each attachment as {"name": "…", "url": "https://…"}',
        )
    return Problem(field, str(error.get("msg", "invalid value")), "see the UpstreamDocument JSON Schema in contracts/")


def semantic_problems(raw: dict[Any, Any]) -> Iterator[Problem]:
    """Rules the schema cannot say: parseable number and date, fetchable attachment addresses."""
    for name in _REQUIRED_TEXT:
        value = raw.get(name)
        if isinstance(value, str) and value and not value.strip():
            yield Problem(
                name, f"{name} is blank", f"fill in {name}: {UpstreamDocument.model_fields[name].description}"
            )
        elif name in _MARKUP_ALLOWED and isinstance(value, str) and value.strip() and not strip_html(value).strip():
            yield Problem(name, f"{name} has no text once HTML markup is removed", f"send the {name} text itself")
    doc_number = raw.get("doc_number")
    if isinstance(doc_number, str) and doc_number.strip() and parse_doc_number(doc_number) is None:
        yield Problem(
            "doc_number",
            f"'{show(doc_number)}' is not a document number",
            f"write it as 机关代字〔年份〕序号号, e.g. 沪知局〔2023〕12号 (year {MIN_YEAR}–{MAX_YEAR}, "
            "serial from 1), or omit doc_number if the document has none",
        )
    written = raw.get("written_date")
    if isinstance(written, str) and written.strip():
        yield from _date_problems(written)
    attachments = raw.get("attachments")
    if isinstance(attachments, list):
        for index, item in enumerate(attachments):
            if isinstance(item, dict):
                yield from _attachment_problems(index, item)


def _date_problems(written: str) -> Iterator[Problem]:
    parsed = parse_date_steps(written)
    if parsed.problem is DateProblem.UNRECOGNIZED:
        yield Problem(
            "written_date",
            f"'{show(written)}' is not a date",
            "write the date written as 2023-05-16, 2023年5月16日 or 二〇二三年五月十六日",
        )
    elif parsed.problem is DateProblem.NOT_A_CALENDAR_DATE:
        yield Problem(
            "written_date",
            f"'{show(written)}' is not a calendar date",
            "check the month and the day (e.g. there is no 2023-02-30)",
        )
    elif parsed.value is not None and not MIN_YEAR <= parsed.value.year <= MAX_YEAR:
        yield Problem(
            "written_date",
            f"year {parsed.value.year} is out of range",
            f"check the year; it must be between {MIN_YEAR} and {MAX_YEAR}",
        )


def _attachment_problems(index: int, item: dict[Any, Any]) -> Iterator[Problem]:
    name, url = item.get("name"), item.get("url")
    if isinstance(name, str) and name and not name.strip():
        yield Problem(
            f"attachments.{index}.name",
            "the attachment name is blank",
            "give the name listed in the document",
        )
    if isinstance(url, str) and url and not _fetchable(url):
        yield Problem(
            f"attachments.{index}.url",
            f"'{show(url)}' is not an http(s) address",
            "give a full http:// or https:// address the publication service can fetch "
            "(not a file path, ftp or mailto link)",
        )


def _fetchable(url: str) -> bool:
    if any(char.isspace() or ord(char) < 0x20 for char in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(host)
