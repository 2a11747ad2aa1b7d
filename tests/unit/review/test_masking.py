from __future__ import annotations

import pytest

from services.review.domain import Finding, mask


def finding(kind: str, start: int, end: int, action: str = "mask") -> Finding:
    return Finding("T", kind, "body", start, end, "", 0.9, "test", action)


@pytest.mark.parametrize(
    ("kind", "value", "masked"),
    [
        ("id_number", "31011519900307123X", "310***********123X"),
        ("mobile", "13812345678", "138****5678"),
        ("mobile", "+86-138-1234-5678", "+86-138-****-5678"),
        ("landline", "021-62345678", "021-****5678"),
        ("email", "zhao@example.com", "z***@example.com"),
        ("email", "a@example.com", "*@example.com"),
        ("bank_card", "6222021234567890", "6222********7890"),
        ("passport", "E12345678", "E******78"),
        ("person_name", "张三", "张*"),
        ("person_name", "张三丰", "张**"),
        ("person_name", "司马光", "司马*"),
        ("address", "上海市浦东新区张江路1号", "上海市浦东新区*****"),
        ("trade_secret", "商业秘密", "****"),
    ],
)
def test_mask_styles(kind: str, value: str, masked: str) -> None:
    assert mask(value, [finding(kind, 0, len(value))]) == masked


def test_only_mask_actions_are_applied() -> None:
    text = "13812345678"
    assert mask(text, [finding("mobile", 0, 11, "human"), finding("mobile", 0, 11, "block")]) == text


def test_overlapping_findings_are_merged() -> None:
    text = "现住上海市浦东新区张江路13812345678号"
    at = text.index("138")
    out = mask(text, [finding("address", 2, len(text)), finding("mobile", at, at + 11)])
    assert len(out) == len(text) and "13812345678" not in out and out.startswith("现住上海市浦东新区")


def test_span_outside_the_text_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="outside the text"):
        mask("短", [finding("mobile", 0, 11)])
