"""Dates written (成文日期) in the forms offices use: ISO, slashes, dots, 年月日, Chinese numerals."""

from __future__ import annotations

import re
from datetime import date
from enum import Enum
from typing import NamedTuple

from services.intake.domain.docnumber import Step
from services.intake.domain.text import to_halfwidth

# Year digits as written in 二〇二三; offices also type 零, ○ (circle) or the letter O for zero.
_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "O": 0,
    "o": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_DIGITS.update({str(d): d for d in range(10)})
_NUMERAL = "〇零○Oo一二三四五六七八九十廿卅元0-9"
_CHINESE_DATE = re.compile(
    rf"(?P<y>[{_NUMERAL}]{{4}})年(?P<m>[{_NUMERAL}]{{1,3}})月(?P<d>[{_NUMERAL}]{{1,3}})(?P<end>[日号]?)"
)
_NUMERIC = (
    re.compile(r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})年(?P<m>[0-9]{1,2})月(?P<d>[0-9]{1,2})[日号]?"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})"),
)
_WHITESPACE = re.compile(r"\s+")


class DateProblem(Enum):
    UNRECOGNIZED = "unrecognized"
    NOT_A_CALENDAR_DATE = "not a calendar date"


class ParsedDate(NamedTuple):
    value: date | None
    problem: DateProblem | None
    steps: tuple[Step, ...]


def _small_number(text: str) -> int | None:
    """Month or day in digits or Chinese numerals: 5, 05, 五, 十六, 二十, 廿一, 三十一, 元 (January)."""
    if text.isascii():
        return int(text) if text.isdigit() else None
    if text == "元":
        return 1
    tens_words = {"十": 1, "廿": 2, "卅": 3}
    for word, tens in tens_words.items():
        head, sep, tail = text.partition(word)
        if not sep:
            continue
        if head:
            if word != "十" or len(head) != 1 or head not in _DIGITS:
                return None
            tens = _DIGITS[head]
        if len(tail) > 1 or (tail and tail not in _DIGITS):
            return None
        return tens * 10 + (_DIGITS[tail] if tail else 0)
    if all(char in _DIGITS for char in text) and len(text) <= 2:
        return int("".join(str(_DIGITS[char]) for char in text))
    return None


def _chinese_to_digits(text: str) -> str:
    """二〇二三年五月十六日 -> 2023年5月16日; text that is not a Chinese-numeral date comes back unchanged."""
    match = _CHINESE_DATE.fullmatch(text)
    if match is None or match.group(0).isascii():
        return text
    year = "".join(str(_DIGITS[char]) for char in match.group("y") if char in _DIGITS)
    month, day = _small_number(match.group("m")), _small_number(match.group("d"))
    if len(year) != 4 or month is None or day is None:
        return text
    return f"{year}年{month}月{day}日"


def _apply(steps: list[Step], kind: str, before: str, after: str) -> str:
    if after != before:
        steps.append(Step(kind, before, after))
    return after


def parse_date_steps(text: str) -> ParsedDate:
    """The date with the repairs that led to its ISO form, or the reason it is not a date."""
    steps: list[Step] = []
    current = _apply(steps, "date.fullwidth_digits", text, to_halfwidth(text))
    current = _apply(steps, "date.whitespace", current, _WHITESPACE.sub("", current))
    current = _apply(steps, "date.chinese_numerals", current, _chinese_to_digits(current))
    for pattern in _NUMERIC:
        match = pattern.fullmatch(current)
        if match is None:
            continue
        try:
            value = date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
        except ValueError:
            return ParsedDate(None, DateProblem.NOT_A_CALENDAR_DATE, tuple(steps))
        _apply(steps, "date.format", current, value.isoformat())
        return ParsedDate(value, None, tuple(steps))
    return ParsedDate(None, DateProblem.UNRECOGNIZED, tuple(steps))


def parse_date(text: str) -> date | None:
    """2023-05-16, 2023/5/16, 2023.5.16, 2023年5月16日, ２０２３…, 二〇二三年五月十六日 -> date, else None."""
    return parse_date_steps(text).value
