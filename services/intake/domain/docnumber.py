"""Document numbers (发文字号), e.g. 沪知局〔2023〕12号: organ abbreviation, year in 〔〕, serial, 号."""

from __future__ import annotations

import re
from typing import NamedTuple

from services.intake.domain.text import CJK, to_halfwidth

OPEN_BRACKET = "〔"
CLOSE_BRACKET = "〕"
MIN_YEAR = 1900
MAX_YEAR = 2100

# After full-width forms are folded to ASCII, so ［（｛ arrive here as [({.
_OPENERS = "[({【〔﹝〖〘"
_CLOSERS = "])}】〕﹞〗〙"
_PATTERN = re.compile(
    rf"(?P<organ>[{CJK}·]+)"
    rf"(?P<open>[{re.escape(_OPENERS)}])(?P<year>[0-9]{{4}})(?P<close>[{re.escape(_CLOSERS)}])"
    r"(?P<di>第?)(?P<serial>[0-9]{1,6})(?P<hao>号?)"
)
_WHITESPACE = re.compile(r"\s+")


class Step(NamedTuple):
    """One repair on the way to the canonical form, as the text looked before and after it."""

    kind: str
    before: str
    after: str


class DocNumber(NamedTuple):
    normalized: str
    organ_code: str
    year: int
    serial: int
    steps: tuple[Step, ...]


def _apply(steps: list[Step], kind: str, before: str, after: str) -> str:
    if after != before:
        steps.append(Step(kind, before, after))
    return after


def parse_doc_number(text: str) -> DocNumber | None:
    """The canonical form with the repairs that led to it, or None when text is not a document number."""
    steps: list[Step] = []
    current = _apply(steps, "doc_number.fullwidth_digits", text, to_halfwidth(text))
    current = _apply(steps, "doc_number.whitespace", current, _WHITESPACE.sub("", current))
    current = _apply(steps, "doc_number.traditional", current, current.replace("號", "号"))
    match = _PATTERN.fullmatch(current)
    if match is None:
        return None
    organ, year, serial = match.group("organ"), int(match.group("year")), int(match.group("serial"))
    if not MIN_YEAR <= year <= MAX_YEAR or serial == 0:
        return None
    di, digits, hao = match.group("di"), match.group("serial"), match.group("hao")
    current = _apply(
        steps, "doc_number.brackets", current, f"{organ}{OPEN_BRACKET}{year}{CLOSE_BRACKET}{di}{digits}{hao}"
    )
    current = _apply(steps, "doc_number.di_removed", current, current.removesuffix(f"{di}{digits}{hao}") + digits + hao)
    current = _apply(
        steps, "doc_number.leading_zeros", current, current.removesuffix(f"{digits}{hao}") + f"{serial}{hao}"
    )
    current = _apply(steps, "doc_number.hao_added", current, current if hao else current + "号")
    return DocNumber(current, organ, year, serial, tuple(steps))


def normalize_doc_number(text: str) -> tuple[str, str | None, int | None, int | None] | None:
    """(normalized, organ_code, year, serial): 沪知局[２０２３]12 -> (沪知局〔2023〕12号, 沪知局, 2023, 12)"""
    parsed = parse_doc_number(text)
    if parsed is None:
        return None
    return parsed.normalized, parsed.organ_code, parsed.year, parsed.serial
