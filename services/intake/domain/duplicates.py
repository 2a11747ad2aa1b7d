"""Recognising the same document sent by two upstream systems (数据同源): pure, no I/O.

Two arrivals are one document when they carry the same normalized document number from the same
issuing organ, or, for documents without a number, when their titles match and their texts are
near-identical (estimated Jaccard similarity of character shingles).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from services.intake.domain.normalize import NormalizedDocument
from services.intake.domain.text import to_simplified

# Bottom-k sketch size: the similarity estimate's error is about 1/sqrt(k).
SKETCH_SIZE = 64
SHINGLE = 4
# Only the start of long texts is sketched (a typical notice is shorter), so a 5 MB body costs a
# few milliseconds; two texts alike over their first 8,000 letters and titles are the same document.
SKETCHED_CHARS = 8_000
NEAR_IDENTICAL = 0.85


@dataclass(frozen=True)
class Fingerprint:
    """What a document is compared on; stored beside it so candidates can be found by index."""

    number_key: str | None
    title_key: str
    sketch: tuple[int, ...]

    def to_row(self) -> dict[str, object]:
        return {"number_key": self.number_key, "title_key": self.title_key, "sketch": list(self.sketch)}

    @classmethod
    def from_row(cls, row: dict[str, object]) -> Fingerprint:
        sketch = row.get("sketch")
        number_key = row.get("number_key")
        return cls(
            number_key if isinstance(number_key, str) else None,
            str(row.get("title_key", "")),
            tuple(int(h) for h in sketch) if isinstance(sketch, list) else (),
        )


@dataclass(frozen=True)
class Candidate:
    """A document intake already holds, as the duplicate check sees it."""

    document_id: str
    source_system: str
    fingerprint: Fingerprint


@dataclass(frozen=True)
class Link:
    """This document is a copy of ``canonical``; ``reason`` is doc_number or title_body."""

    canonical: str
    reason: str
    similarity: float


_NOT_LETTER = re.compile(r"[\W_]+")


def _key(text: str) -> str:
    """Letters and digits only, simplified, half-width and lower-case: what survives re-typing."""
    # NFKC folds full-width letters and digits like to_halfwidth does, at C speed.
    return _letters(unicodedata.normalize("NFKC", to_simplified(text)))


def _letters(text: str) -> str:
    return _NOT_LETTER.sub("", text.lower())


def _sketch(text: str) -> tuple[int, ...]:
    """Bottom-k crc32 hashes of the letter 4-grams of text (its first SKETCHED_CHARS letters)."""
    letters = _key(text[: SKETCHED_CHARS * 2])[:SKETCHED_CHARS]
    # UTF-32 gives every character four bytes, so shingles are fixed-size slices of one buffer.
    data = memoryview(letters.encode("utf-32-le", "surrogatepass"))
    width = 4 * SHINGLE
    if len(data) <= width:
        hashes = {zlib.crc32(data)}
    else:
        # crc32 rather than hash(): the sketch is stored and compared across processes.
        crc = zlib.crc32
        hashes = {crc(data[i : i + width]) for i in range(0, len(data) - width + 4, 4)}
    return tuple(sorted(heapq.nsmallest(SKETCH_SIZE, hashes)))


def fingerprint(doc: NormalizedDocument) -> Fingerprint:
    number_key = None
    if doc.organ_code is not None and doc.doc_year is not None and doc.doc_serial is not None:
        number_key = f"{_key(doc.issuing_organ)}|{_key(doc.organ_code)}|{doc.doc_year}|{doc.doc_serial}"
    return Fingerprint(number_key, _key(doc.title), _sketch(f"{doc.title}\n{doc.body}"))


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of two bottom-k sketches (exact when the texts are short)."""
    if not a or not b:
        return 0.0
    union = heapq.nsmallest(SKETCH_SIZE, set(a) | set(b))
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)


def find_original(
    source_system: str, document_id: str, mine: Fingerprint, candidates: Iterable[Candidate]
) -> Link | None:
    """The document this one duplicates, if another upstream system already sent it; else None.

    Only copies from *another* system are linked: within one system a new source_id is that
    system's own statement that it is a different document.
    """
    best: Link | None = None
    for other in candidates:
        if other.source_system == source_system or other.document_id == document_id:
            continue
        if mine.number_key is not None and mine.number_key == other.fingerprint.number_key:
            return Link(other.document_id, "doc_number", round(similarity(mine.sketch, other.fingerprint.sketch), 3))
        if mine.number_key is not None and other.fingerprint.number_key is not None:
            continue  # two different numbers are two documents, however alike (yearly notices are)
        if mine.title_key and mine.title_key == other.fingerprint.title_key:
            score = similarity(mine.sketch, other.fingerprint.sketch)
            if score >= NEAR_IDENTICAL and (best is None or score > best.similarity):
                best = Link(other.document_id, "title_body", round(score, 3))
    return best
