"""Document identity and versions: pure rules, no I/O."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

_NAMESPACE = uuid.UUID("0b6f1a52-8f3e-4c5e-a4b0-3a9d7c2e5f11")


def document_id_for(source_system: str, source_id: str) -> str:
    """Stable per (source_system, source_id): the same submission always gets the same id."""
    return str(uuid.uuid5(_NAMESPACE, f"{source_system}\x1f{source_id}"))


@dataclass(frozen=True)
class Known:
    """What intake already holds for a document id."""

    version: int
    content_hash: str
    duplicate_of: str | None = None
    duplicate: dict[str, Any] | None = field(default=None, compare=False)  # how and when it was linked


@dataclass(frozen=True)
class VersionOutcome:
    version: int
    is_new: bool


def next_version(known: Known | None, content_hash: str) -> VersionOutcome:
    """Identical content is a no-op; changed content is a new version that goes through review again."""
    if known is None:
        return VersionOutcome(1, True)
    if known.content_hash == content_hash:
        return VersionOutcome(known.version, False)
    return VersionOutcome(known.version + 1, True)
