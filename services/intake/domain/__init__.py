"""Intake rules: the upstream contract, its validation, and normalization of official documents (公文)."""

from services.intake.domain.contract import Attachment, UpstreamDocument
from services.intake.domain.dates import parse_date
from services.intake.domain.docnumber import normalize_doc_number
from services.intake.domain.normalize import Change, Flag, NormalizedDocument, content_hash, normalize
from services.intake.domain.validation import Limits, Problem, validate

__all__ = [
    "Attachment",
    "Change",
    "Flag",
    "Limits",
    "NormalizedDocument",
    "Problem",
    "UpstreamDocument",
    "content_hash",
    "normalize",
    "normalize_doc_number",
    "parse_date",
    "validate",
]
