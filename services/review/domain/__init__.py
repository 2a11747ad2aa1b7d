"""Confidentiality review (保密审查) domain: rules, scan, decide, mask. Pure apart from load_rules."""

from .engine import decide, review, scan
from .masking import mask
from .model import Finding, ReviewInput, ReviewOutcome, finding_public_view
from .rules import RulesFileError, build_allowlist, build_ruleset, load_allowlist, load_rules
from .ruleset import Allowlist, RuleSet

__all__ = [
    "Allowlist",
    "Finding",
    "ReviewInput",
    "ReviewOutcome",
    "RuleSet",
    "RulesFileError",
    "build_allowlist",
    "build_ruleset",
    "decide",
    "finding_public_view",
    "load_allowlist",
    "load_rules",
    "mask",
    "review",
    "scan",
]
