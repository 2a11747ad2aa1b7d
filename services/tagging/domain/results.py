"""What the tagger returns: frozen value objects, safe to serialise and compare."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

EvidenceField = Literal["title", "body", "doc_type"]


@dataclass(frozen=True)
class Evidence:
    """One match that supports a tag; `start`/`end` index into the named field's text.

    `inherited_from` is set on evidence copied up from a child tag onto its parent.
    """

    term: str
    field: EvidenceField
    start: int
    end: int
    inherited_from: str | None = None


@dataclass(frozen=True)
class TagAssignment:
    code: str
    dimension: str
    name_zh: str
    name_en: str
    confidence: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class TaggingResult:
    """Tags at or above their threshold are `assigned`; weaker candidates are `suggestions`."""

    catalogue_version: int
    assigned: tuple[TagAssignment, ...]
    suggestions: tuple[TagAssignment, ...]

    def codes(self) -> frozenset[str]:
        return frozenset(a.code for a in self.assigned)

    def by_dimension(self, dimension: str) -> tuple[TagAssignment, ...]:
        return tuple(a for a in self.assigned if a.dimension == dimension)
