"""Document type (文种) read from the title when the upstream system does not send it."""

from __future__ import annotations

import re

from services.intake.domain.text import to_simplified

FALLBACK_DOC_TYPE = "其他"

# Longest first so that 政策解读 wins over a shorter ending; 政策解读 is filed as 解读.
_TITLE_ENDINGS: tuple[tuple[str, str], ...] = (
    ("政策解读", "解读"),
    *(
        (name, name)
        for name in (
            "通知",
            "通告",
            "公告",
            "意见",
            "决定",
            "办法",
            "规定",
            "规划",
            "方案",
            "要点",
            "报告",
            "请示",
            "批复",
            "纪要",
            "解读",
            "名录",
            "清单",
            "通报",
            "公报",
            "决议",
            "议案",
            "命令",
        )
    ),
    ("函", "函"),
)

# Trailing qualifiers that are not part of the 文种: （试行）, (征求意见稿), 【2023年修订】, punctuation.
_TRAILING_NOISE = re.compile(r"(?:\s|[。.、，,：:;；!！?？\"“”'‘’]|[（(【\[][^（）()【】\[\]]*[）)】\]])+$")
_BOOK_TITLE = re.compile(r"《[^《》]*》")


def _ending(title: str) -> str | None:
    stripped = _TRAILING_NOISE.sub("", title)
    for ending, doc_type in _TITLE_ENDINGS:
        if stripped.endswith(ending):
            return doc_type
    return None


def infer_doc_type(title: str) -> str | None:
    """The title's outer 文种: 关于印发《…办法》的通知 -> 通知; None when the title names none."""
    simplified = to_simplified(title)
    outer = simplified
    # Strip quoted titles from the inside out so nested 《》 cannot leak their 文种 outward.
    while True:
        reduced = _BOOK_TITLE.sub("", outer)
        if reduced == outer:
            break
        outer = reduced
    found = _ending(outer)
    if found is None:
        # A title that is only a quoted document (《…办法》) is that document.
        quoted = _BOOK_TITLE.findall(simplified)
        if quoted and not _TRAILING_NOISE.sub("", outer).strip():
            found = _ending(quoted[-1][1:-1])
    return found
