"""A snapshot of the search index, so that a restart loads it in seconds instead of scanning the library.

A full scan reads every entry's tokens (~25 s per 10k entries on the embedded database, minutes at
100k); a snapshot is the index's own state — serialized bitmaps, the entry table and the packed
result cards — with the library change number (``seq``) it reflects. At start-up the service loads the
newest snapshot and reads only the entries changed after that number; a missing snapshot, one of
another ``FORMAT`` or one that fails any check below means a full rebuild instead.

The bytes: ``MAGIC``, then one zlib stream of consecutive BSON documents — a head, sections of at
most ``_CHUNK`` items, and an end marker with the entry count (a cut-off stream fails zlib's check
or lacks the marker).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import bson
from bson.codec_options import CodecOptions
from bson.errors import BSONError
from pyroaring import BitMap

from services.publication.index import SearchIndex, Slot, TagInfo, unpack_card

# Bump when the layout below, the card packing (index.CARD_ZDICT, CARD_FIELDS) or the meaning of
# the stored tokens changes: older snapshots are then ignored and the index rebuilt.
FORMAT = 1
MAGIC = b"govpub-search-index\n"
_CHUNK = 20_000
_CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)


class SnapshotError(Exception):
    """The snapshot cannot be used (damaged, cut off or of another format); rebuild instead."""


def encode(index: SearchIndex, seq: int) -> bytes:
    """The index as bytes. Reads the index only; run it while nothing changes the index."""
    packer = zlib.compressobj(1)
    parts = [MAGIC]
    for document in _documents(index, seq):
        parts.append(packer.compress(bson.encode(document)))
    parts.append(packer.flush())
    return b"".join(parts)


def _documents(index: SearchIndex, seq: int) -> Iterator[dict[str, Any]]:
    yield {"k": "head", "format": FORMAT, "seq": seq, "next": index.next_ordinal, "garbage": index.garbage,
           "live": index.live.serialize()}
    yield from _chunks("tokens", [[t, b.serialize()] for t, b in index.tokens.items()])
    yield from _chunks("title_tokens", [[t, b.serialize()] for t, b in index.title_tokens.items()])
    for name, values in index.facets.items():
        yield from _chunks("facet", [[v, b.serialize()] for v, b in values.items()], name=name)
    yield from _chunks("tags", [[c, i.dimension, i.name_zh] for c, i in index.tags.items()])
    yield from _chunks("slots", [
        [d, s.ordinal, s.released_at, s.content_hash, [list(k) for k in s.keys], index.cards[s.ordinal]]
        for d, s in index.slots.items()
    ])
    yield {"k": "end", "entries": len(index.slots)}


def _chunks(kind: str, items: list[Any], **extra: Any) -> Iterator[dict[str, Any]]:
    for start in range(0, len(items), _CHUNK):
        yield {"k": kind, **extra, "v": items[start : start + _CHUNK]}


def decode(data: bytes) -> tuple[SearchIndex, int]:
    """The index and the change number it reflects; ``SnapshotError`` if anything is off."""
    if not data.startswith(MAGIC):
        raise SnapshotError("not a search-index snapshot")
    try:
        raw = zlib.decompress(data[len(MAGIC) :])
    except zlib.error as exc:
        raise SnapshotError(f"damaged: {exc}") from exc
    try:  # one section at a time
        return _rebuild(bson.decode_iter(raw, codec_options=_CODEC))
    except BSONError as exc:
        raise SnapshotError(f"damaged: {exc}") from exc
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise SnapshotError(f"malformed: {exc!r}") from exc


def _rebuild(documents: Iterator[dict[str, Any]]) -> tuple[SearchIndex, int]:
    head = next(documents, None)
    if head is None or head.get("k") != "head":
        raise SnapshotError("no head")
    if head.get("format") != FORMAT:
        raise SnapshotError(f"format {head.get('format')!r}, this code reads {FORMAT}")
    index = SearchIndex(live=BitMap.deserialize(head["live"]), garbage=int(head["garbage"]),
                        next_ordinal=int(head["next"]))
    ended = False
    for document in documents:
        kind = document["k"]
        if kind == "tokens":
            index.tokens.update((t, BitMap.deserialize(b)) for t, b in document["v"])
        elif kind == "title_tokens":
            index.title_tokens.update((t, BitMap.deserialize(b)) for t, b in document["v"])
        elif kind == "facet":
            index.facets.setdefault(document["name"], {}).update((v, BitMap.deserialize(b)) for v, b in document["v"])
        elif kind == "tags":
            index.tags.update((c, TagInfo(dim, name)) for c, dim, name in document["v"])
        elif kind == "slots":
            for document_id, ordinal, released_at, content_hash, keys, card in document["v"]:
                index.slots[document_id] = Slot(ordinal, released_at, content_hash, index.shared((n, v) for n, v in keys))
                index.ids[ordinal] = document_id
                index.cards[ordinal] = card
        elif kind == "end":
            ended = document["entries"] == len(index.slots)
        else:
            raise SnapshotError(f"unknown section {kind!r}")
    if not ended:
        raise SnapshotError("cut off: the end marker is missing or counts a different number of entries")
    if BitMap(index.ids) != index.live or (index.live and index.live.max() >= index.next_ordinal):
        raise SnapshotError("the entry table and the live set disagree")
    if index.cards:  # cards packed some other way would fail only when shown: try one now
        try:
            unpack_card(next(iter(index.cards.values())))
        except (zlib.error, BSONError) as exc:
            raise SnapshotError(f"result cards cannot be read: {exc}") from exc
    return index, int(head["seq"])
