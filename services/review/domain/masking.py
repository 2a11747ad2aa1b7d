"""Masking (脱敏): replace characters of personal data with '*', one for one.

Masks keep the text's length, so every offset of every finding stays valid in
the redacted text and the parts outside the findings are untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import compress
from typing import Final

from .fields import EMAIL_AT
from .model import Finding

MASK_CHAR: Final = "*"
_COMPOUND_SURNAMES: Final = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 司徒 夏侯 尉迟 长孙 宇文 公孙 端木 澹台 公冶 申屠 万俟 闻人 轩辕 钟离 宗政 濮阳 淳于 单于 太叔 西门 南宫".split()
)
_ADDRESS_UNITS: Final = "省市区县旗州盟"


def _keep_head_tail(value: str, head: int, tail: int) -> list[bool]:
    """Star everything but the first `head` and last `tail` alphanumerics."""
    alnum = [i for i, c in enumerate(value) if c.isalnum()]
    kept = set(alnum[:head]) | set(alnum[len(alnum) - tail :] if tail else [])
    return [c.isalnum() and i not in kept for i, c in enumerate(value)]


def _id_number(value: str) -> list[bool]:
    return _keep_head_tail(value, 3, 4)  # 310***********123X


def _mobile(value: str) -> list[bool]:
    # Only the last 11 digits are the subscriber number; a +86 prefix stays.
    digits = [i for i, c in enumerate(value) if c.isdigit()][-11:]
    hidden = set(digits[3:7])  # 138****5678
    return [i in hidden for i in range(len(value))]


def _landline(value: str) -> list[bool]:
    # Keep the area code and the last four digits of the local number: 021-****5678.
    digits = [i for i, c in enumerate(value) if c.isdigit()]
    if not digits:
        return [True] * len(value)
    area = 0
    if value[digits[0]] == "0":
        area = 3 if value[digits[0] : digits[0] + 2] in ("01", "02") else 4
    local: list[int] = []
    for i in digits[area:]:
        if local and i != local[-1] + 1:
            break  # an extension (转801, -801) follows the local number
        local.append(i)
    hidden = set(local[: max(len(local) - 4, 1)])
    return [i in hidden for i in range(len(value))]


def _email(value: str) -> list[bool]:
    # Keep the first character and the domain: z***@example.com, z***(at)example.com.
    sep = EMAIL_AT.search(value)
    at = -1 if sep is None else sep.start()
    if at <= 0:
        return [True] * len(value)
    return [0 < i < at for i in range(len(value))] if at > 1 else [i == 0 for i in range(len(value))]


def _digits_generic(value: str) -> list[bool]:
    return _keep_head_tail(value, 4, 4)  # bank card 6222********1234


def _passport(value: str) -> list[bool]:
    return _keep_head_tail(value, 1, 2)


def _person_name(value: str) -> list[bool]:
    keep = 2 if value[:2] in _COMPOUND_SURNAMES and len(value) > 2 else 1
    return [i >= keep for i in range(len(value))]  # 张*, 张**, 欧阳*


def _address(value: str) -> list[bool]:
    # Keep the administrative prefix up to the last 省/市/区/县 within the first
    # ten characters (上海市浦东新区****); the street and number are what identify.
    cut = max((value.rfind(u, 0, 10) for u in _ADDRESS_UNITS), default=-1)
    return [i > cut and not c.isspace() for i, c in enumerate(value)]


def _everything(value: str) -> list[bool]:
    return [not c.isspace() for c in value]


_STYLES: Final[dict[str, Callable[[str], list[bool]]]] = {
    "id_number": _id_number,
    "mobile": _mobile,
    "landline": _landline,
    "email": _email,
    "bank_card": _digits_generic,
    "passport": _passport,
    "person_name": _person_name,
    "address": _address,
}


def mask_positions(kind: str, value: str) -> list[bool]:
    """Which characters of `value` a mask of this kind hides; always at least one."""
    stars = _STYLES.get(kind, _everything)(value)
    if value and not any(stars):
        stars = [True] * len(value)
    return stars


def mask(text: str, findings: Sequence[Finding]) -> str:
    """`text` with every finding whose action is "mask" hidden; other findings are ignored.

    The findings must belong to this text (same field); overlapping findings are
    merged. Raises ValueError for a span outside the text.
    """
    hidden: bytearray | None = None  # 1 for each character to hide, once there is one
    for f in findings:
        if f.action != "mask":
            continue
        if not 0 <= f.start < f.end <= len(text):
            raise ValueError(
                f"finding {f.rule_id} span {f.start}..{f.end} is outside the text "
                f"(length {len(text)}); pass only the findings of this field"
            )
        if hidden is None:
            hidden = bytearray(len(text))
        for i in compress(range(f.start, f.end), mask_positions(f.kind, text[f.start : f.end])):
            hidden[i] = 1
    if hidden is None:
        return text
    # One star run per stretch of hidden characters, the text between them as is.
    parts: list[str] = []
    last = 0
    while (start := hidden.find(1, last)) != -1:
        stop = hidden.find(0, start)
        if stop == -1:
            stop = len(text)
        parts += (text[last:start], MASK_CHAR * (stop - start))
        last = stop
    parts.append(text[last:])
    return "".join(parts)
