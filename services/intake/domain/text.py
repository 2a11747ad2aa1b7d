"""Plain-text repairs shared by the normalizers: width, HTML residue, romanization glosses, script."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

import nh3
import opencc

# CJK unified ideographs (basic, extension A, compatibility, extensions B-G).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f"

_HALFWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


class Edit(NamedTuple):
    """One local repair: the fragment as sent and what replaced it."""

    before: str
    after: str


def to_halfwidth(text: str) -> str:
    """Full-width ASCII forms (Ａ１（) and the ideographic space become their ASCII equivalents."""
    return text.translate(_HALFWIDTH)


def excerpt(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- HTML residue -----------------------------------------------------------------------------

# Gate for the sanitiser: plain text may legitimately contain "<" (a < b, <张三>), so only text
# carrying real HTML element names, comments or entities is parsed as HTML.
_TAG_NAMES = (
    "a|abbr|address|article|aside|b|big|blockquote|body|br|caption|center|cite|code|col|colgroup|"
    "dd|del|div|dl|dt|em|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|i|iframe|img|"
    "input|ins|label|li|link|meta|nav|ol|p|pre|q|s|section|small|span|strike|strong|style|script|"
    "sub|sup|table|tbody|td|tfoot|th|thead|title|tr|tt|u|ul|[a-z]+:[a-z]+"
)
_TAG = re.compile(rf"<\s*/?\s*(?:{_TAG_NAMES})(?:\s[^<>]*)?/?\s*>|<!--", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")

_BLOCK_TAGS = (
    "address|article|aside|blockquote|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li|nav|"
    "ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul"
)
_KEPT_TAGS = {"br", "hr", "h1", "h2", "h3", "h4", "h5", "h6"} | set(_BLOCK_TAGS.split("|")) - {"h[1-6]"}
_HIDDEN_TAGS = {"script", "style", "title"}
# nh3 serializes the tags it keeps canonically (<p>, </p>, <br>, no attributes), so after it a
# run of block tags, <br> and line breaks can be read reliably; text "<" is escaped as &lt;.
_BREAK_RUN = re.compile(rf"(?:[ \t]*(?:</?(?:{_BLOCK_TAGS})>|<br>|\n)[ \t]*)+")
_BREAK_TAG = re.compile(rf"</?(?:{_BLOCK_TAGS})>")

# html5ever rescans its open-element stack for some tags (div, ul, blockquote…), so hostile
# nesting costs quadratic time; past this depth (or on invalid text) a linear fallback drops the markup.
MAX_MARKUP_DEPTH = 200
_OPENING = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")
_SELF_CLOSING = frozenset(
    "area base br col colgroup dd dt embed hr img input li link meta option optgroup p param rb rp rt "
    "source tbody td tfoot th thead tr track wbr".split()
)
_ANY_TAG = re.compile(r"<[^<>]*>")
_BREAK_TAG_RAW = re.compile(rf"<\s*(?:br|/?\s*(?:{_BLOCK_TAGS}))\b[^<>]*>", re.IGNORECASE)


def markup_depth(text: str) -> int:
    """How deeply the elements in text nest, counting only elements a parser keeps open."""
    depth = deepest = 0
    for match in _OPENING.finditer(text):
        if match.group(1):
            depth = max(0, depth - 1)
        elif match.group(2).lower() not in _SELF_CLOSING:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def _utf8_safe(text: str) -> bool:
    """nh3 takes only text that is valid UTF-8; lone surrogates make it raise."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _breaks(match: re.Match[str]) -> str:
    run = match.group(0)
    if "<" not in run:
        return run
    explicit = run.count("\n") + run.count("<br>")
    return "\n" * max(1 if _BREAK_TAG.search(run) else 0, explicit)


def strip_html(text: str, *, single_line: bool = False) -> str:
    """Plain text from leftover markup: tags dropped, <br> and blocks as newlines, entities unescaped."""
    if _TAG.search(text) is None:
        if _ENTITY.search(text) is None:
            return text
        plain = html.unescape(text)
    elif markup_depth(text) > MAX_MARKUP_DEPTH or not _utf8_safe(text):
        plain = html.unescape(_ANY_TAG.sub("", _BREAK_TAG_RAW.sub("\n", text))).strip("\n")
    else:
        canonical = nh3.clean(
            text,
            tags=_KEPT_TAGS,
            clean_content_tags=_HIDDEN_TAGS,
            attributes={},
            strip_comments=True,
            link_rel=None,
        )
        plain = html.unescape(_BREAK_RUN.sub(_breaks, canonical)).strip("\n")
    plain = plain.replace("\xa0", " ")
    if single_line:
        plain = re.sub(r"\s*\n\s*", " ", plain)
    return plain


# --- romanization glosses ---------------------------------------------------------------------

_SYLLABLES = frozenset(
    """
    a o e ai ei ao ou an en ang eng er
    ba bo bai bei bao ban ben bang beng bi bie biao bian bin bing bu
    pa po pai pei pao pou pan pen pang peng pi pie piao pian pin ping pu
    ma mo me mai mei mao mou man men mang meng mi mie miao miu mian min ming mu
    fa fo fei fou fan fen fang feng fu
    da de dai dei dao dou dan den dang deng dong di dia die diao diu dian ding du duo dui duan dun
    ta te tai tao tou tan tang teng tong ti tie tiao tian ting tu tuo tui tuan tun
    na ne nai nei nao nou nan nen nang neng nong ni nie niao niu nian nin niang ning nu nuo nuan
    nv nve nue
    la le lai lei lao lou lan lang leng long li lia lie liao liu lian lin liang ling lu luo luan lun
    lv lve lue
    ga ge gai gei gao gou gan gen gang geng gong gu gua guo guai gui guan gun guang
    ka ke kai kei kao kou kan ken kang keng kong ku kua kuo kuai kui kuan kun kuang
    ha he hai hei hao hou han hen hang heng hong hu hua huo huai hui huan hun huang
    ji jia jie jiao jiu jian jin jiang jing jiong ju jue juan jun
    qi qia qie qiao qiu qian qin qiang qing qiong qu que quan qun
    xi xia xie xiao xiu xian xin xiang xing xiong xu xue xuan xun
    zha zhe zhi zhai zhei zhao zhou zhan zhen zhang zheng zhong zhu zhua zhuo zhuai zhui zhuan zhun
    zhuang
    cha che chi chai chao chou chan chen chang cheng chong chu chua chuo chuai chui chuan chun chuang
    sha she shi shai shei shao shou shan shen shang sheng shu shua shuo shuai shui shuan shun shuang
    re ri rao rou ran ren rang reng rong ru ruo rui ruan run
    za ze zi zai zei zao zou zan zen zang zeng zong zu zuo zui zuan zun
    ca ce ci cai cao cou can cen cang ceng cong cu cuo cui cuan cun
    sa se si sai sao sou san sen sang seng song su suo sui suan sun
    ya yo ye yao you yan yin yang ying yong yi yu yue yuan yun
    wa wo wai wei wan wen wang weng wu
    """.split()
)
_LONGEST_SYLLABLE = max(map(len, _SYLLABLES))

_GLOSS = re.compile(rf"(?<=[{CJK}])[ \t]?[（(][ \t]*(?P<latin>[A-Za-z\u00c0-\u024f\u0300-\u036f' ’\-]+?)[ \t]*[）)]")
_HAN_CHAR = re.compile(f"[{CJK}]")


def _syllable_count(word: str) -> int | None:
    """How many pinyin syllables word splits into exactly, or None if it does not split."""
    best: list[int | None] = [0] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - _LONGEST_SYLLABLE), end):
            prefix = best[start]
            if prefix is not None and word[start:end] in _SYLLABLES:
                candidate = prefix + 1
                current = best[end]
                best[end] = candidate if current is None else min(current, candidate)
    return best[len(word)]


@lru_cache(maxsize=4096)
def pinyin_syllables(gloss: str) -> int | None:
    """Syllable count if gloss is pinyin (tone marks allowed), else None; acronyms like WIPO are not."""
    words = [w for w in re.split(r"[ '’\-]+", gloss) if w]
    if not words or any(len(w) > 1 and w.isupper() for w in words):
        return None
    total = 0
    for word in words:
        plain = "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))
        if not plain.isascii() or not plain.isalpha():
            return None
        count = _syllable_count(plain.lower())
        if count is None:
            return None
        total += count
    letters = sum(len(w) for w in words)
    return total if letters >= 2 else None


def remove_romanization(text: str) -> tuple[str, list[Edit]]:
    """Drop pinyin glosses written in brackets right after Chinese characters, e.g. 专利(zhuanli) -> 专利."""
    edits: list[Edit] = []
    # Repeated glosses (专利(zhuanli)(zhuan li)) surface one per pass; each pass shortens the text.
    while "(" in text or "（" in text:
        text, found = _remove_glosses_once(text)
        if not found:
            break
        edits += found
    return text, edits


def _remove_glosses_once(text: str) -> tuple[str, list[Edit]]:
    edits: list[Edit] = []
    kept: list[str] = []
    cursor = 0
    for match in _GLOSS.finditer(text):
        syllables = pinyin_syllables(match.group("latin"))
        # A gloss spells the characters it follows, so it cannot have more syllables than them.
        if syllables is None or not _han_before(text, match.start(), syllables):
            continue
        glossed = text[match.start() - syllables : match.start()]
        edits.append(Edit(glossed + match.group(0), glossed))
        kept.append(text[cursor : match.start()])
        cursor = match.end()
    if not edits:
        return text, []
    kept.append(text[cursor:])
    return "".join(kept), edits


def _han_before(text: str, end: int, count: int) -> bool:
    return end >= count and all(_HAN_CHAR.match(char) for char in text[end - count : end])


# --- script -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    # Built on first use: OpenCC reads its dictionaries when constructed.
    return opencc.OpenCC("t2s")


_TRADITIONAL_MEMO: dict[str, bool] = {}
# OpenCC converts phrase by phrase between punctuation, so sentences can be converted apart and
# only the ones that hold traditional characters need its (slow, pure-Python) matcher.
_SENTENCE_END = re.compile(r"([。！？；\n])")


def has_traditional(text: str) -> bool:
    """Whether any character changes under traditional-to-simplified conversion (memoized per character)."""
    convert = _t2s().convert
    for char in set(text):
        known = _TRADITIONAL_MEMO.get(char)
        if known is None:
            known = _TRADITIONAL_MEMO[char] = char > "\u2e7f" and convert(char) != char
        if known:
            return True
    return False


def to_simplified(text: str) -> str:
    """Traditional characters converted to simplified, phrase-aware; untouched when there are none."""
    if not has_traditional(text):
        return text
    convert = _t2s().convert
    return "".join(convert(part) if has_traditional(part) else part for part in _SENTENCE_END.split(text))
