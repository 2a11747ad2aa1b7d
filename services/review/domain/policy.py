"""How the document's own attributes decide: classification field and 公开属性.

These are legal rules with a fixed vocabulary, not tunable patterns, so they
live in code; rules.yaml explains them next to the patterns.
"""

from __future__ import annotations

from typing import Final, Literal

Disclosure = Literal["proactive", "on_request", "not_disclosed", "undetermined"]

# 主动公开 proactive, 依申请公开 released only on request, 不予公开 not disclosed.
_DISCLOSURE: Final[dict[str, Disclosure]] = {
    "主动公开": "proactive",
    "proactive": "proactive",
    "依申请公开": "on_request",
    "on_request": "on_request",
    "不予公开": "not_disclosed",
    "not_disclosed": "not_disclosed",
    "not_for_disclosure": "not_disclosed",
    "withheld": "not_disclosed",
}

# Values of the classification field that mean "not classified"; anything else
# set there is taken as a classification (fail safe).
UNCLASSIFIED: Final = frozenset({"", "无", "非密", "不涉密", "非涉密", "公开", "none", "unclassified", "public"})
_SECRET_LEVELS: Final = ("绝密", "机密", "秘密")

# Order in which reasons win when a document has several.
REJECT_ORDER: Final = (
    "state_secret",
    "not_for_disclosure",
    "internal_affairs",
    "trade_secret",
    "personal_privacy",
    "on_request_only",
    "blocked",
)
HUMAN_ORDER: Final = (
    "classification_uncertain",
    "trade_secret",
    "internal_affairs_uncertain",
    "disclosure_conflict",
    "disclosure_undetermined",
    "personal_data_uncertain",
    "uncertain",
)
BLOCK_REASON: Final = {
    "classification": "state_secret",
    "not_for_disclosure": "not_for_disclosure",
    "internal_marking": "internal_affairs",
    "trade_secret": "trade_secret",
}
HUMAN_REASON: Final = {
    "classification": "classification_uncertain",
    "not_for_disclosure": "disclosure_conflict",
    "internal_marking": "internal_affairs_uncertain",
    "trade_secret": "trade_secret",
}
REDACTION_REASON: Final = "personal_privacy"


def disclosure_attribute(value: str | None) -> Disclosure:
    """Normalize the disclosure attribute; missing or unrecognised is "undetermined"."""
    if value is None:
        return "undetermined"
    key = value.strip().strip("()（）[]【】〔〕 \u3000").strip()
    key = key.removeprefix("此件").strip().lower()
    return _DISCLOSURE.get(key, "undetermined")


def classification_reason(value: str | None) -> str | None:
    """The rejection reason a classification field value carries, or None if unclassified."""
    if value is None:
        return None
    v = value.strip().lower()
    if v in UNCLASSIFIED:
        return None
    if "内部" in v and not any(level in v for level in _SECRET_LEVELS):
        return "internal_affairs"
    return "state_secret"


def first_in_order(reasons: set[str], order: tuple[str, ...]) -> str:
    for reason in order:
        if reason in reasons:
            return reason
    return sorted(reasons)[0]
