"""Problem: how intake tells a sender what is wrong with a document and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.intake.domain.text import excerpt

ROOT = "(document)"


@dataclass(frozen=True)
class Problem:
    """Why the document was refused: the field as a dotted path (attachments.2.url), what, and the fix."""

    field: str
    problem: str
    hint: str


def json_type(value: object) -> str:
    names: list[tuple[type, str]] = [
        (bool, "a boolean"),
        (int, "a number"),
        (float, "a number"),
        (str, "a string"),
        (list, "an array"),
        (dict, "an object"),
    ]
    if value is None:
        return "null"
    return next((name for kind, name in names if isinstance(value, kind)), type(value).__name__)


def show(value: object) -> str:
    try:
        text = value if isinstance(value, str) else repr(value)
    except Exception:  # a hostile __repr__ must not stop validation
        text = f"<{type(value).__name__}>"
    return excerpt(text, 60)


def path_of(parts: tuple[Any, ...]) -> str:
    """Dotted path such as attachments.2.url; the document itself is (document), an empty key is ""."""
    return ".".join(show(part) or '""' for part in parts) if parts else ROOT
