"""Fixtures for the review domain tests.

Identifiers are computed here with formulas written independently of
services/review/domain/validators.py, so the tests check the validators
instead of repeating them. None of them belongs to a real person.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from services.review.domain import RuleSet, load_rules

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def id_check(first17: str) -> str:
    # GB 11643: weight of position i (0-based from the left) is 2^(17-i) mod 11.
    total = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return "0123456789X"[(12 - total % 11) % 11]


def make_id(region: str = "310115", birth: str = "19900307", seq: str = "123") -> str:
    first17 = region + birth + seq
    return first17 + id_check(first17)


def uscc_check(first17: str) -> str:
    # GB 32100: weight of position i is 3^i mod 31.
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def make_uscc(first17: str = "91310115MA1K4ABCD") -> str:
    return first17 + uscc_check(first17)


def luhn_complete(payload: str) -> str:
    digits = [int(c) for c in payload]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return payload + str((10 - total % 10) % 10)


def id_also_valid_uscc() -> str:
    """An all-digit string that is both a valid ID number and a valid credit code."""
    for seq in range(1000):
        first17 = f"11010119900307{seq:03d}"
        if id_check(first17) == uscc_check(first17):
            return first17 + id_check(first17)
    raise AssertionError("no such number in range")  # pragma: no cover


def mistyped_id_valid_as_uscc() -> str:
    """An ID number with a wrong check digit that happens to be a valid credit code."""
    for seq in range(1000):
        first17 = f"31011519900307{seq:03d}"
        check = uscc_check(first17)
        if check.isdigit() and check != id_check(first17):
            return first17 + check
    raise AssertionError("no such number in range")  # pragma: no cover


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules()


@pytest.fixture
def valid_id() -> Callable[..., str]:
    return make_id
