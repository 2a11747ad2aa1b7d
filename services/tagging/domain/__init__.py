"""Tagging domain: the policy-document tag catalogue and the matcher.

Pure: the only I/O is `load_catalogue` reading the YAML and, once per `Tagger`, jieba loading
its dictionary (jieba also keeps a cache file in the temp directory)."""

from .catalogue import (
    DEFAULT_CATALOGUE_PATH,
    Catalogue,
    CatalogueError,
    CueGroup,
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
    "CueGroup",
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
