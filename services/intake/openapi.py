"""What intake's OpenAPI document says about bodies and answers the endpoints read and write by hand."""

from __future__ import annotations

from typing import Any

from services.intake.domain.contract import UpstreamDocument
from shared.http import PROBLEM


def _inline(schema: Any, defs: dict[str, Any]) -> Any:
    """The schema with its local $refs replaced by their definitions (OpenAPI has no $defs of its own)."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, defs) for item in schema]
    return schema


def upstream_document_schema() -> dict[str, Any]:
    schema = UpstreamDocument.model_json_schema(mode="validation")
    inlined: dict[str, Any] = _inline(schema, schema.get("$defs", {}))
    return inlined


def _upload_schema() -> dict[str, Any]:
    document = upstream_document_schema()
    properties: dict[str, Any] = {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "正文文件 / the body as a .txt, .html or .docx file (UTF-8, UTF-16 or GB18030 text)",
        }
    }
    for name, field in document["properties"].items():
        if name == "body":
            continue
        if name in ("addressees", "audience"):
            properties[name] = {"type": "array", "items": {"type": "string"}, "description": field.get("description")}
        elif name == "attachments":
            properties[name] = {
                "type": "array",
                "items": {"type": "string"},
                "description": 'each a JSON object {"name": "…", "url": "https://…"}, or one JSON array of them',
            }
        elif name == "requires_interpretation":
            properties[name] = {"type": "boolean", "description": field.get("description")}
        else:
            properties[name] = {"type": "string", "description": field.get("description")}
    required = ["file", *(n for n in document.get("required", []) if n != "body")]
    return {"type": "object", "properties": properties, "required": required}


SUBMIT_REQUEST_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {"schema": upstream_document_schema()},
        "multipart/form-data": {"schema": _upload_schema()},
    },
}

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "problem", "hint"],
                "properties": {"field": {"type": "string"}, "problem": {"type": "string"}, "hint": {"type": "string"}},
            },
        },
    },
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """RFC 9457 problem+json answers for ``statuses``."""
    described = {
        400: "The body is not JSON, or the multipart body cannot be parsed",
        403: "The API key's role may not do this",
        404: "No such document or submission",
        413: "The request or the uploaded file is too large",
        415: "The uploaded file is not .txt, .html or .docx",
        422: "Every problem with the request, each with the field and a hint how to fix it",
        503: "Copies of the same document are being stored at this moment; send it again",
    }
    return {
        status: {"description": described[status], "content": {PROBLEM: {"schema": _PROBLEM_SCHEMA}}}
        for status in statuses
    }


_ACCEPTED: dict[str, Any] = {
    "type": "object",
    "required": ["document_id", "version", "content_hash", "status", "changes", "flags"],
    "properties": {
        "document_id": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
        "content_hash": {"type": "string"},
        "status": {"type": "string", "enum": ["received", "unchanged", "duplicate"]},
        "duplicate_of": {"type": "string", "description": "the original, sent earlier by another system"},
        "doc_number": {"type": ["string", "null"]},
        "written_date": {"type": "string"},
        "doc_type": {"type": "string"},
        "disclosure": {"type": ["string", "null"]},
        "changes": {"type": "array", "items": {"type": "object"}},
        "flags": {"type": "array", "items": {"type": "object"}},
        "file": {"type": ["object", "null"], "description": "for uploads: the file read and what came out of it"},
    },
}

SUBMIT_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"description": "Accepted (or unchanged, or linked as a duplicate)", "content": {"application/json": {
        "schema": _ACCEPTED}}},
    **problems(400, 403, 413, 415, 422, 503),
}

QUALITY_RESPONSES: dict[int | str, dict[str, Any]] = problems(403, 422)
