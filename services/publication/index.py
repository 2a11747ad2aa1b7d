"""The in-memory search index of the public library: compressed bitmaps per token and per facet value,
and beside them each entry's result card.

The library collection is the single source of truth; this index is a projection of it that each
publication process loads at start-up (from a snapshot, ``snapshot.py``, or by a full scan) and then
keeps current from the entries' change sequence (``seq``). Why not a multikey index in the database:
on the embedded database a query that touches N documents costs ~0.1 ms per document and ``$all``
over several tokens is a collection scan, so a common word in a 100k library takes seconds;
intersecting roaring bitmaps takes microseconds. Result cards are kept here too (BSON, compressed)
because reading even a page of 20 entries by id costs 5–90 ms on the embedded server: a search
reads the database only for the text of quoted-phrase candidates.

Every visible entry holds an ordinal; ordinals grow with release time, so "most recent first" is
"highest ordinal first". A new version (or new content) gets a new ordinal; the old one is dropped
from ``live``, the facets and the cards, and its token bits stay behind as garbage that ``live``
masks out (a rebuild compacts them). An ordinal's text therefore never changes, which is what lets
phrase checks be remembered per ordinal.
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import bson
from bson.codec_options import CodecOptions
from pyroaring import BitMap

from services.publication.domain import DEFAULT_VALIDITY
from services.publication.search import Filters, Query

FACETS: tuple[str, ...] = ("tag", "year", "organ", "type", "validity")
# What a result list, the JSON API's cards and the feed show; never the body or the tokens.
CARD_FIELDS: tuple[str, ...] = (
    "release_id", "version", "url", "doc_number", "title", "issuing_organ", "doc_type", "written_date",
    "released_at", "first_released_at", "summary", "tags", "audience", "interpretation", "interprets",
    "validity", "history",
)
# The fields the index reads from a library entry (never the body).
FIELDS: tuple[str, ...] = tuple(dict.fromkeys((
    "_id", "seq", "public", "status", "released_at", "content_hash", "tokens", "title_tokens", "doc_number",
    "year", "issuing_organ", "doc_type", "tag_codes", "tags", "validity", *CARD_FIELDS,
)))
FacetKey = tuple[str, str | int]
_CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)
# A preset zlib dictionary of the card's field names: a card alone is too small to compress well
# (1.1 KB → 0.75 KB), with its names known in advance it shrinks to ~0.65 KB. Part of the snapshot format.
CARD_ZDICT = bson.encode(dict.fromkeys(("_id", *CARD_FIELDS, "code", "dimension", "name_zh", "content_hash")))


_WBITS = -12  # raw deflate (no header or checksum: a snapshot has its own), 4 KB window: cards are small


def pack_card(entry: Mapping[str, Any]) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, _WBITS, 4, zdict=CARD_ZDICT)
    card = {"_id": entry["_id"], **{k: entry[k] for k in CARD_FIELDS if k in entry}}
    return packer.compress(bson.encode(card)) + packer.flush()


def unpack_card(packed: bytes) -> dict[str, Any]:
    return bson.decode(zlib.decompressobj(_WBITS, zdict=CARD_ZDICT).decompress(packed), codec_options=_CODEC)


@dataclass(frozen=True, slots=True)
class Slot:
    ordinal: int
    released_at: datetime
    content_hash: str | None
    keys: tuple[FacetKey, ...]


@dataclass(frozen=True)
class Prepared:
    """One visible entry reduced to what the index keeps (tokens interned: a full scan holds all of them)."""

    document_id: str
    released_at: datetime
    content_hash: str | None
    tokens: tuple[str, ...]
    title_tokens: tuple[str, ...]
    keys: tuple[FacetKey, ...]
    tags: tuple[tuple[str, str, str], ...]
    card: bytes


@dataclass(frozen=True)
class FacetCount:
    value: str | int
    count: int
    label: str
    dimension: str | None = None

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"value": self.value, "label": self.label, "count": self.count}
        if self.dimension is not None:
            row["dimension"] = self.dimension
        return row


@dataclass
class TagInfo:
    dimension: str
    name_zh: str


def visible(entry: Mapping[str, Any]) -> bool:
    """Only public, released entries are searchable; targeted (定向公开) and withdrawn ones never are."""
    return bool(entry.get("public")) and entry.get("status") == "released"


def facet_keys(entry: Mapping[str, Any]) -> tuple[FacetKey, ...]:
    keys: list[FacetKey] = [("tag", str(code)) for code in entry.get("tag_codes") or []]
    if entry.get("year") is not None:
        keys.append(("year", int(entry["year"])))
    for name, field_ in (("organ", "issuing_organ"), ("type", "doc_type"), ("n", "doc_number")):
        if entry.get(field_):
            keys.append((name, str(entry[field_])))
    keys.append(("validity", str(entry.get("validity") or DEFAULT_VALIDITY)))
    return tuple(dict.fromkeys(keys))


def prepare(entry: Mapping[str, Any]) -> Prepared:
    intern = sys.intern
    return Prepared(
        document_id=str(entry["_id"]),
        released_at=entry["released_at"],
        content_hash=entry.get("content_hash"),
        tokens=tuple(intern(str(t)) for t in entry.get("tokens") or ()),
        title_tokens=tuple(intern(str(t)) for t in entry.get("title_tokens") or ()),
        keys=facet_keys(entry),
        tags=tuple(
            (str(t["code"]), str(t.get("dimension", "")), str(t.get("name_zh", t["code"])))
            for t in entry.get("tags") or ()
        ),
        card=pack_card(entry),
    )


@dataclass
class SearchIndex:
    live: BitMap = field(default_factory=BitMap)
    tokens: dict[str, BitMap] = field(default_factory=dict)
    title_tokens: dict[str, BitMap] = field(default_factory=dict)
    facets: dict[str, dict[str | int, BitMap]] = field(default_factory=dict)
    slots: dict[str, Slot] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)
    cards: dict[int, bytes] = field(default_factory=dict)
    tags: dict[str, TagInfo] = field(default_factory=dict)
    garbage: int = 0
    next_ordinal: int = 0
    # One shared tuple per facet key: 100k entries repeat the same few organs, types and tags.
    _shared: dict[FacetKey, FacetKey] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.live)

    # ---- keeping it current

    @classmethod
    def build(cls, entries: Iterable[Prepared]) -> SearchIndex:
        """A fresh index of ``entries`` (visible ones, in any order): ordinals follow release time."""
        index = cls()
        for entry in sorted(entries, key=lambda e: (e.released_at, e.document_id)):
            index.insert(entry)
        return index

    def apply(self, entry: Mapping[str, Any]) -> None:
        """Bring the index in line with one library entry as it is now (idempotent)."""
        if visible(entry):
            self.insert(prepare(entry))
        else:
            old = self.slots.get(str(entry["_id"]))
            if old is not None:
                self._drop(str(entry["_id"]), old)

    def apply_all(self, entries: Iterable[Mapping[str, Any]]) -> None:
        for entry in entries:
            self.apply(entry)

    def insert(self, entry: Prepared) -> None:
        old = self.slots.get(entry.document_id)
        if old is not None and (old.released_at, old.content_hash) == (entry.released_at, entry.content_hash):
            ordinal = old.ordinal  # same text (validity or tags changed): only the facets move
            self._unfacet(old)
        else:
            if old is not None:
                self._drop(entry.document_id, old)
            ordinal = self.next_ordinal
            self.next_ordinal += 1
            for token in entry.tokens:
                self.tokens.setdefault(token, BitMap()).add(ordinal)
            for token in entry.title_tokens:
                self.title_tokens.setdefault(token, BitMap()).add(ordinal)
        for name, value in entry.keys:
            self.facets.setdefault(name, {}).setdefault(value, BitMap()).add(ordinal)
        for code, dimension, name_zh in entry.tags:
            self.tags[code] = TagInfo(dimension, name_zh)
        self.live.add(ordinal)
        self.ids[ordinal] = entry.document_id
        self.cards[ordinal] = entry.card
        self.slots[entry.document_id] = Slot(ordinal, entry.released_at, entry.content_hash, self.shared(entry.keys))

    def shared(self, keys: Iterable[FacetKey]) -> tuple[FacetKey, ...]:
        """``keys`` as the index's shared tuples (document numbers, unique to an entry, as they are)."""
        return tuple(k if k[0] == "n" else self._shared.setdefault(k, k) for k in keys)

    def _unfacet(self, slot: Slot) -> None:
        for name, value in slot.keys:
            values = self.facets.get(name, {})
            bitmap = values.get(value)
            if bitmap is not None:
                bitmap.discard(slot.ordinal)
                if not bitmap:
                    del values[value]

    def _drop(self, document_id: str, slot: Slot) -> None:
        self._unfacet(slot)
        self.live.discard(slot.ordinal)
        self.ids.pop(slot.ordinal, None)
        self.cards.pop(slot.ordinal, None)
        self.slots.pop(document_id, None)
        self.garbage += 1

    # ---- answering

    def match(self, query: Query, filters: Filters) -> BitMap:
        """Ordinals of the visible entries that have every query term and pass every filter."""
        result = BitMap(self.live)
        if query.doc_number:
            result &= self._facet("n", query.doc_number)
        else:
            for term in query.terms:
                bitmap = self.tokens.get(term)
                if bitmap is None:
                    return BitMap()
                result &= bitmap
        for name, value in filters.active().items():
            result &= self._facet(name, value)
        return result

    def _facet(self, name: str, value: str | int) -> BitMap:
        return self.facets.get(name, {}).get(value, BitMap())

    def tiers(self, query: Query, result: BitMap) -> list[BitMap]:
        """``result`` split by how many query terms the title has, most first (title matches first)."""
        if not query.terms:
            return [result]
        at_least = [result]  # at_least[j]: entries whose title has at least j of the terms
        for term in query.terms:
            title = self.title_tokens.get(term, BitMap())
            grown = [*at_least, BitMap()]
            for j in range(len(at_least), 0, -1):
                grown[j] = grown[j] | (at_least[j - 1] & title)
            at_least = grown
        tiers = [at_least[j] - at_least[j + 1] for j in range(len(at_least) - 1)] + [at_least[-1]]
        return [t for t in reversed(tiers) if t]

    def ranked_ordinals(self, query: Query, result: BitMap, start: int, count: int) -> list[int]:
        """Ordinals of ranks ``start`` .. ``start+count-1``: title matches first, then the most recent."""
        out: list[int] = []
        skip = start
        for tier in self.tiers(query, result):
            size = len(tier)
            if skip >= size:
                skip -= size
                continue
            high = size - skip
            low = max(0, high - (count - len(out)))
            out.extend(reversed(list(tier[low:high])))
            skip = 0
            if len(out) >= count:
                break
        return out

    def ranked(self, query: Query, result: BitMap, start: int, count: int) -> list[str]:
        """Document ids of ranks ``start`` .. ``start+count-1``."""
        return [self.ids[o] for o in self.ranked_ordinals(query, result, start, count)]

    def rows(self, ordinals: Sequence[int]) -> list[dict[str, Any]]:
        """The result cards of ``ordinals``, in that order (fresh dicts: callers may change them)."""
        return [unpack_card(self.cards[o]) for o in ordinals if o in self.cards]

    def ordinals(self, document_ids: Iterable[str]) -> BitMap:
        return BitMap(self.slots[d].ordinal for d in document_ids if d in self.slots)

    def facet_counts(self, result: BitMap, limit: int = 50) -> dict[str, list[FacetCount]]:
        """How many of ``result`` fall under each value of each facet (values with none left out)."""
        counts: dict[str, list[FacetCount]] = {}
        for name in FACETS:
            rows: list[FacetCount] = []
            for value, bitmap in self.facets.get(name, {}).items():
                n = result.intersection_cardinality(bitmap)
                if n:
                    if name == "tag":
                        info = self.tags.get(str(value), TagInfo("", str(value)))
                        rows.append(FacetCount(value, n, info.name_zh, info.dimension))
                    else:
                        rows.append(FacetCount(value, n, str(value)))
            if name == "year":
                rows.sort(key=lambda r: -int(r.value))
            else:
                rows.sort(key=lambda r: (-r.count, str(r.value)))
            counts[name] = rows[:limit]
        return counts
