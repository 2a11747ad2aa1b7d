"""Detection (never repair) of text decoded with the wrong encoding (乱码, mojibake)."""

from __future__ import annotations

import re

from services.intake.domain.text import CJK, excerpt

# Fixed strings produced by well-known failures: U+FFFD read back as GBK (锟斤拷) and
# uninitialised MSVC buffers printed as GBK (烫烫烫 / 屯屯屯).
_SIGNATURES = ("\ufffd", "锟斤拷", "烫烫烫", "屯屯屯")

# Characters a cp1252/latin-1 decoder produces from the high bytes of UTF-8 or GBK text.
_LATIN_RUN = re.compile(
    "[\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]{2,}"
)
_CP1252_EXTRA = {ch: bytes([b]) for b in range(0x80, 0xA0) if (ch := bytes([b]).decode("cp1252", errors="ignore"))}
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\s]+")
_HAN = re.compile(f"[{CJK}]")

# UTF-8 text read as GBK turns almost every byte pair into a rare ideograph, and re-encoding
# those ideographs as GBK gives back valid UTF-8. Genuine Chinese text re-encoded that way is
# valid UTF-8 only by chance, so the valid share stays low over any stretch longer than a few
# characters; thresholds come from sampling jieba's dictionary (no false positive at these sizes).
_GBK_FIELD_MIN_BYTES = 24
_GBK_FIELD_SHARE = 0.9
_GBK_RUN_MIN_CHARS = 16
_GBK_RUN_SHARE = 0.95
# A run's first characters decide; reading further only costs time on long inputs.
_SAMPLE_CHARS = 256


def _latin_bytes(run: str) -> bytes:
    return b"".join(_CP1252_EXTRA.get(ch) or (bytes([ord(ch)]) if ord(ch) < 256 else b"?") for ch in run)


def _latin_mojibake(text: str) -> str | None:
    """A run of Latin-1/cp1252 characters whose bytes spell UTF-8 or GBK Chinese (Ã¥, â€œ, ÖªÊ¶)."""
    for match in _LATIN_RUN.finditer(text):
        raw = _latin_bytes(match.group(0)[:_SAMPLE_CHARS])
        as_utf8 = raw.decode("utf-8", errors="replace")
        valid = sum(len(ch.encode()) for ch in as_utf8 if ord(ch) > 0x7F and ch != "\ufffd")
        if valid >= len(raw) * 0.6:
            return match.group(0)
        if len(raw) >= 4 and len(_HAN.findall(raw.decode("gbk", errors="replace"))) * 2 >= len(raw) * 0.8:
            return match.group(0)
    return None


def _utf8_share(run: str) -> tuple[int, int]:
    """(bytes that form valid multi-byte UTF-8, total bytes) after re-encoding run as GBK."""
    raw = run.encode("gbk", errors="replace")
    decoded = raw.decode("utf-8", errors="replace")
    # Undecodable bytes become U+FFFD; GBK trail bytes in 0x40-0x7E come back as ASCII.
    invalid = decoded.count("\ufffd") + len(decoded.encode("ascii", errors="ignore"))
    return len(raw) - invalid, len(raw)


def _gbk_mojibake(text: str) -> str | None:
    valid_total = byte_total = 0
    first: str | None = None
    for match in _NON_ASCII_RUN.finditer(text):
        run = match.group(0)[:_SAMPLE_CHARS]
        if len(run) < 4:
            continue
        valid, total = _utf8_share(run)
        if len(run) >= _GBK_RUN_MIN_CHARS and valid >= total * _GBK_RUN_SHARE:
            return run
        if first is None and valid >= total * _GBK_FIELD_SHARE:
            first = run
        valid_total += valid
        byte_total += total
    if byte_total >= _GBK_FIELD_MIN_BYTES and valid_total >= byte_total * _GBK_FIELD_SHARE:
        return first
    return None


def find_mojibake(text: str) -> str | None:
    """Evidence (a short excerpt) that text is mojibake, or None when it reads as intended."""
    for signature in _SIGNATURES:
        at = text.find(signature)
        if at >= 0:
            return excerpt(text[max(0, at - 10) : at + 20], 40)
    if text.isascii():
        return None
    found = _latin_mojibake(text) or _gbk_mojibake(text)
    return excerpt(found, 40) if found else None
