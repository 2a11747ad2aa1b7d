from __future__ import annotations

import pytest

from services.review.domain.validators import (
    is_bank_card,
    is_luhn,
    is_resident_id_15,
    is_resident_id_18,
    is_resident_id_18_bad_check,
    is_uscc,
    is_uscc_not_resident_id,
    luhn_check_digit,
    resident_id_check_digit,
    uscc_check_char,
)

from .conftest import id_also_valid_uscc, luhn_complete, make_id, make_uscc


@pytest.mark.parametrize(
    ("region", "birth", "seq"),
    [
        ("310115", "19900307", "123"),
        ("110101", "20000229", "456"),
        ("440305", "19651231", "001"),
        ("620102", "19780815", "998"),
        ("820000", "19991111", "020"),
    ],
)
def test_computed_id_numbers_pass_the_check_digit(region: str, birth: str, seq: str) -> None:
    number = make_id(region, birth, seq)
    assert resident_id_check_digit(number[:17]) == number[17]
    assert is_resident_id_18(number)
    assert is_resident_id_18(number.lower())
    assert not is_resident_id_18_bad_check(number)


def test_check_digit_x_is_produced_and_accepted() -> None:
    number = next(n for s in range(1000) if (n := make_id(seq=f"{s:03d}")).endswith("X"))
    assert is_resident_id_18(number)
    assert is_resident_id_18(number[:-1] + "x")


def test_id_with_wrong_check_digit_fails_but_is_recognised_as_a_typo() -> None:
    number = make_id()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert not is_resident_id_18(wrong)
    assert is_resident_id_18_bad_check(wrong)


@pytest.mark.parametrize(
    "first17",
    [
        "99011519900307123",  # province 99 does not exist
        "10011519900307123",  # neither does 10
        "31011519900230123",  # 30 February
        "31011518991231123",  # born before 1900
        "31011519901301123",
    ],  # month 13
)
def test_id_with_impossible_region_or_birth_date_fails(first17: str) -> None:
    number = first17 + resident_id_check_digit(first17)
    assert not is_resident_id_18(number)
    assert not is_resident_id_18_bad_check(number)


def test_legacy_15_digit_id_checks_region_and_date() -> None:
    assert is_resident_id_15("310115900307123")
    assert not is_resident_id_15("990115900307123")
    assert not is_resident_id_15("310115900230123")
    assert not is_resident_id_15("31011590030712")


def test_uscc_check_character() -> None:
    code = make_uscc()
    assert uscc_check_char(code[:17]) == code[17]
    assert is_uscc(code)
    assert not is_uscc(code[:17] + ("0" if code[17] != "0" else "1"))
    assert not is_uscc(code.replace("M", "I"))  # I is not in the GB 32100 alphabet


def test_valid_credit_code_that_is_also_a_valid_id_is_not_called_a_credit_code_alone() -> None:
    both = id_also_valid_uscc()
    assert is_uscc(both) and is_resident_id_18(both)
    assert not is_uscc_not_resident_id(both)
    assert is_uscc_not_resident_id(make_uscc())


def test_luhn() -> None:
    card = luhn_complete("622202123456789")
    assert luhn_check_digit(card[:-1]) == card[-1]
    assert is_luhn(card) and is_bank_card(luhn_complete("621700001234567890"))
    assert is_bank_card(" ".join([card[i : i + 4] for i in range(0, 16, 4)]))
    assert not is_luhn(card[:-1] + str((int(card[-1]) + 1) % 10))
    assert not is_bank_card(luhn_complete("1234567"))  # too short for a card


@pytest.mark.parametrize("junk", ["", "X", "abc", "１２３", "²³¹", "٣١٠١١٥١٩٩٠٠٣٠٧١٢٣٤", "3101151990030712345"])
def test_validators_never_raise_on_junk(junk: str) -> None:
    for check in (is_resident_id_18, is_resident_id_18_bad_check, is_resident_id_15, is_uscc, is_luhn, is_bank_card):
        assert check(junk) in (True, False)
