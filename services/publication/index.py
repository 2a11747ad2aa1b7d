"""The in-memory search index of the public library: compressed bitmaps per token and per facet value.

The library collection is the single source of truth; this index is a projection of it that each
publication process rebuilds at start-up and then keeps current from the entries' change sequence
(``seq``). Why not a multikey index in the database: on the embedded database a query that touches
N documents costs ~0.1 ms per document and ``$all`` over several tokens is a collection scan, so a
common word in a 100k library takes seconds; intersecting roaring bitmaps takes microseconds, and
only the page of results is read from the database.

Every visible entry holds an ordinal; ordinals grow with release time, so "most recent first" is
"highest ordinal first". A new version gets a new ordinal; the old one is dropped from ``live`` and
from the facets, and its token bits stay behind as garbage that ``live`` masks out (a rebuild
compacts them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pyroaring import BitMap

from services.publication.domain import DEFAULT_VALIDITY
from services.publication.search import Filters, Query

FACETS: tuple[str, ...] = ("tag", "year", "organ", "type", "validity")
# The fields the index needs from a library entry (never the body).
FIELDS: tuple[str, ...] = (
    "_id", "seq", "public", "status", "released_at", "tokens", "title_tokens", "doc_number", "year",
    "issuing_organ", "doc_type", "tag_codes", "tags", "validity",
)
FacetKey = tuple[str, str | int]


@dataclass(frozen=True)
class Slot:
    ordinal: int
    released_at: datetime
    keys: tuple[FacetKey, ...]


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


@dataclass
class SearchIndex:
    live: BitMap = field(default_factory=BitMap)
    tokens: dict[str, BitMap] = field(default_factory=dict)
    title_tokens: dict[str, BitMap] = field(default_factory=dict)
    facets: dict[str, dict[str | int, BitMap]] = field(default_factory=dict)
    slots: dict[str, Slot] = field(default_factory=dict)
    ids: dict[int, str] = field(default_factory=dict)
    tags: dict[str, TagInfo] = field(default_factory=dict)
    garbage: int = 0
    _next: int = 0

    def __len__(self) -> int:
        return len(self.live)

    # ---- keeping it current

    def apply(self, entry: Mapping[str, Any]) -> None:
        """Bring the index in line with one library entry as it is now (idempotent)."""
        document_id = str(entry["_id"])
        old = self.slots.get(document_id)
        if not visible(entry):
            if old is not None:
                self._drop(document_id, old)
            return
        released_at: datetime = entry["released_at"]
        if old is not None and old.released_at == released_at:
            ordinal = old.ordinal
            self._unfacet(old)
        else:
            if old is not None:
                self._drop(document_id, old)
            ordinal = self._next
            self._next += 1
            for token in entry.get("tokens") or ():
                self.tokens.setdefault(token, BitMap()).add(ordinal)
            for token in entry.get("title_tokens") or ():
                self.title_tokens.setdefault(token, BitMap()).add(ordinal)
        keys = facet_keys(entry)
        for name, value in keys:
            self.facets.setdefault(name, {}).setdefault(value, BitMap()).add(ordinal)
        for tag in entry.get("tags") or ():
            self.tags[str(tag["code"])] = TagInfo(str(tag.get("dimension", "")), str(tag.get("name_zh", tag["code"])))
        self.live.add(ordinal)
        self.ids[ordinal] = document_id
        self.slots[document_id] = Slot(ordinal, released_at, keys)

    def apply_all(self, entries: Iterable[Mapping[str, Any]]) -> None:
        for entry in entries:
            self.apply(entry)

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

    def ranked(self, query: Query, result: BitMap, start: int, count: int) -> list[str]:
        """Document ids of ranks ``start`` .. ``start+count-1``: title matches first, then the most recent."""
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
        return [self.ids[o] for o in out]

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
