"""Check-digit validators for identifiers found in documents.

All functions are pure and total: they return False (never raise) on any input,
so a rule can call them on whatever its pattern matched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from operator import mul
from typing import Final

# GB 11643-1999 citizen identity number (公民身份号码): MOD 11-2 over 17 digits.
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"

# Province-level codes of GB/T 2260; 71 Taiwan, 81/82 Hong Kong/Macao and 83 the
# residence permits of Taiwan residents, which share the ID number format.
PROVINCE_CODES: Final = frozenset(
    {
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
        71,
        81,
        82,
        83,
    }
)

# GB 32100-2015 unified social credit code (统一社会信用代码): 31-character alphabet
# without I, O, Z, S, V; check character = 31 - (weighted sum mod 31).
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE: Final = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE: Final = re.compile(f"[{USCC_ALPHABET}]{{17}}")

# Luhn: a doubled digit's digit sum.
_LUHN_DOUBLE: Final = {str(d): (2 * d if d < 5 else 2 * d - 9) for d in range(10)}
_NON_DIGIT: Final = re.compile(r"\D")


_SEPARATORS: Final = re.compile(r"[ \-]")
_ADDRESS_UNITS: Final = re.compile("[省市区县旗镇乡村街路道巷弄号室栋幢楼组]")


def _compact(value: str) -> str:
    """Without the spaces or hyphens that split numbers into groups (310115 19900307 123X)."""
    return _SEPARATORS.sub("", value) if (" " in value or "-" in value) else value


def _digits(text: str) -> str:
    return text if text.isdecimal() else _NON_DIGIT.sub("", text)


def resident_id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isdecimal():
        raise ValueError("first17 must be exactly 17 decimal digits")
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _id18_shape(value: str) -> bool:
    """Region code and birth date plausible; the check digit is not looked at."""
    value = _compact(value)
    if len(value) != 18 or not value[:17].isdecimal():
        return False
    if value[17] not in "0123456789Xx":
        return False
    if int(value[:2]) not in PROVINCE_CODES:
        return False
    year, month, day = int(value[6:10]), int(value[10:12]), int(value[12:14])
    # No clock in the domain: 1900-2099 bounds the birth years we accept.
    return 1900 <= year <= 2099 and _valid_date(year, month, day)


def is_resident_id_18(value: str) -> bool:
    """18-character ID number: region, birth date and MOD 11-2 check digit valid."""
    value = _compact(value)
    if not _id18_shape(value):
        return False
    return resident_id_check_digit(value[:17]) == value[17].upper()


def is_resident_id_18_bad_check(value: str) -> bool:
    """Looks like an ID number (region, date) but the check digit is wrong: a typo?"""
    return _id18_shape(value) and not is_resident_id_18(value)


def is_resident_id_15(value: str) -> bool:
    """Legacy 15-digit ID number: region + yymmdd (19yy) + 3 digits."""
    value = _compact(value)
    if len(value) != 15 or not value.isdecimal():
        return False
    if int(value[:2]) not in PROVINCE_CODES:
        return False
    return _valid_date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a USCC."""
    if _USCC_SHAPE.fullmatch(first17) is None:
        raise ValueError("first17 must be 17 characters of the USCC alphabet")
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), _USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_uscc(value: str) -> bool:
    """Unified social credit code with a valid GB 32100 check character."""
    value = value.upper()
    if len(value) != 18 or _USCC_SHAPE.fullmatch(value, 0, 17) is None or value[17] not in _USCC_VALUE:
        return False
    if not value[2:8].isdecimal():  # positions 3-8 are the administrative division code
        return False
    return uscc_check_char(value[:17]) == value[17]


def is_uscc_not_resident_id(value: str) -> bool:
    """A valid USCC that is not also a valid ID number (those need context to decide)."""
    return is_uscc(value) and not is_resident_id_18(value)


def luhn_check_digit(payload: str) -> str:
    """The Luhn check digit to append to `payload` (decimal digits)."""
    if not payload.isdecimal() or not payload.isascii():
        raise ValueError("payload must be ASCII decimal digits")
    # Counting from the right of the payload, the 1st, 3rd ... digits are doubled.
    total = sum(map(_LUHN_DOUBLE.__getitem__, payload[::-1][::2])) + sum(map(int, payload[::-1][1::2]))
    return str((10 - total % 10) % 10)


def is_luhn(value: str) -> bool:
    """Digits (separators ignored) pass the Luhn check."""
    digits = _digits(value)
    if len(digits) < 2 or not digits.isascii():
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]


def is_bank_card(value: str) -> bool:
    """16-19 digits (separators ignored) passing Luhn."""
    digits = _digits(value)
    return 16 <= len(digits) <= 19 and is_luhn(digits)


def is_address(value: str) -> bool:
    """Reads like a street address: at least four characters and an address unit (省市区路号室 ...)."""
    return len(value) >= 4 and _ADDRESS_UNITS.search(value) is not None


Validator = Callable[[str], bool]

VALIDATORS: Final[dict[str, Validator]] = {
    "resident_id_18": is_resident_id_18,
    "resident_id_18_bad_check": is_resident_id_18_bad_check,
    "resident_id_15": is_resident_id_15,
    "uscc": is_uscc,
    "uscc_not_resident_id": is_uscc_not_resident_id,
    "luhn": is_luhn,
    "bank_card": is_bank_card,
    "address": is_address,
}

VALIDATOR_NOTES: Final[dict[str, str]] = {
    "resident_id_18": "GB 11643 check digit, region code and birth date valid",
    "resident_id_18_bad_check": "ID-shaped (region code, birth date) but the check digit fails",
    "resident_id_15": "legacy 15-digit ID: region code and birth date valid",
    "uscc": "GB 32100 check character valid",
    "uscc_not_resident_id": "GB 32100 check character valid and not an ID number",
    "luhn": "Luhn check passed",
    "bank_card": "16-19 digits passing Luhn",
    "address": "contains an address unit (省/市/区/路/号/室 ...)",
}
