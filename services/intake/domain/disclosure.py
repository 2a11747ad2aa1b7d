"""Disclosure markings (公开属性标注) such as （此件主动公开） in the note (附注) or at the body's end."""

from __future__ import annotations

import re

from services.intake.domain.text import to_simplified

_MARKING = re.compile(r"此件\s*(主动公开|依申请公开|不予公开|不公开|公开发布)")
_MEANING = {
    "主动公开": "主动公开",
    "依申请公开": "依申请公开",
    "不予公开": "不予公开",
    "不公开": "不予公开",
    "公开发布": "主动公开",
}

# The marking sits after the signature and date, sometimes followed by 抄送/印发 lines.
BODY_TAIL_CHARS = 400


def markings(text: str) -> list[str]:
    """Disclosure attributes stated by markings in text, in order of appearance."""
    if "此" not in text:
        return []
    return [_MEANING[m.group(1)] for m in _MARKING.finditer(to_simplified(text))]


def body_tail(body: str) -> str:
    return body[-BODY_TAIL_CHARS:]
