"""How refusals are counted in the quality report (要素齐全、格式规范): pure, no I/O."""

from __future__ import annotations

import re

from services.intake.domain.problems import Problem

_INDEX = re.compile(r"(?<=\.)\d+(?=\.|$)")


def field_group(field: str) -> str:
    """attachments.3.url and attachments.0.url count as one field: attachments.*.url."""
    return _INDEX.sub("*", field)


def problem_kind(problem: Problem) -> str:
    """missing, empty, too_long, unknown_field, wrong_type or malformed: what the office has to fix."""
    text = problem.problem
    if text.endswith("is missing"):
        return "missing"
    if text.endswith(("is empty", "is blank", "once HTML markup is removed")) or "holds no text" in text:
        return "empty"
    if "longer than" in text or "more than" in text:
        return "too_long"
    if text.startswith("unknown field"):
        return "unknown_field"
    if " must be " in text:
        return "wrong_type"
    return "malformed"
