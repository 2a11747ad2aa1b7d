"""Tagging domain: the policy-document tag catalogue and the matcher. Pure; no I/O but reading the catalogue."""

from .catalogue import (
    DEFAULT_CATALOGUE_PATH,
    Catalogue,
    CatalogueError,
    Cues,
    Dimension,
    RegexSpec,
    Rule,
    RuleDefaults,
    Tag,
    TermSpec,
    Weights,
    load_catalogue,
)
from .matcher import Tagger
from .results import Evidence, EvidenceField, TagAssignment, TaggingResult

__all__ = [
    "DEFAULT_CATALOGUE_PATH",
    "Catalogue",
    "CatalogueError",
    "Cues",
    "Dimension",
    "Evidence",
    "EvidenceField",
    "RegexSpec",
    "Rule",
    "RuleDefaults",
    "Tag",
    "TagAssignment",
    "Tagger",
    "TaggingResult",
    "TermSpec",
    "Weights",
    "load_catalogue",
]
