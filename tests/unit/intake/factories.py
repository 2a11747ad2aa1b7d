"""Builders for upstream documents used across the intake unit tests."""

from __future__ import annotations

from typing import Any

from services.intake.domain import UpstreamDocument, validate


def raw_document(**overrides: Any) -> dict[str, Any]:
    """A valid upstream document as parsed JSON; keyword arguments replace fields (None removes one)."""
    raw: dict[str, Any] = {
        "source_system": "oa-collab",
        "source_id": "OA-2023-000123",
        "doc_number": "沪知局〔2023〕12号",
        "title": "关于印发《上海市知识产权保护办法》的通知",
        "issuing_organ": "上海市知识产权局",
        "written_date": "2023-05-16",
        "body": (
            "各区知识产权局：\n现将《上海市知识产权保护办法》印发给你们，请认真贯彻执行。\n"
            "上海市知识产权局\n2023年5月16日"
        ),
    }
    for key, value in overrides.items():
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = value
    return raw


def upstream(**overrides: Any) -> UpstreamDocument:
    doc, problems = validate(raw_document(**overrides))
    assert doc is not None, problems
    return doc
