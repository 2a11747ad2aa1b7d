"""Reading the library: search with facets and ranking, the latest releases, the catalogue.

One instance per process holds the in-memory ``SearchIndex`` and keeps it current: before answering it
reads the entries whose change number (``seq``) is above the last one it applied (one indexed query,
usually returning nothing) — before the next search when this process changed the library
(``invalidate``), else in the background at most every ``refresh_interval_s``, which bounds how
stale another replica's changes can be.
The JSON API, the portal pages and the feed all read through here; apart from that change query
and the text of quoted-phrase candidates, a search never reads the database.

At start-up ``load`` takes the newest snapshot (``snapshot.py``) and the changes after it, or scans
the whole library when there is no usable snapshot; ``save_snapshot`` runs after a full scan and
periodically.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pyroaring import BitMap

from services.publication import snapshot
from services.publication.index import FIELDS, FacetCount, SearchIndex, prepare, unpack_card, visible
from services.publication.repository import PublicationRepository
from services.publication.search import Filters, Query, contains_phrases, parse_query
from shared.logging import get_logger

log = get_logger(__name__)
LoadedFrom = Literal["snapshot", "rebuild", "already loaded"]
_PHRASE_CACHE = 256  # quoted phrases whose verdicts are remembered


@dataclass(frozen=True)
class SearchPage:
    query: str
    total: int
    page: int
    page_size: int
    rows: list[dict[str, Any]]
    facets: dict[str, list[FacetCount]] = field(default_factory=dict)
    # False only for a quoted phrase whose candidates were not all checked: ``total`` (and the facet
    # counts) are then an upper bound that counts the unchecked ones.
    total_exact: bool = True

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Group:
    """A catalogue heading: one facet value, how many documents it has and the latest of them."""

    facet: str
    value: str | int
    label: str
    count: int
    latest: list[dict[str, Any]]
    dimension: str | None = None


class Library:
    def __init__(
        self, repository: Callable[[], PublicationRepository], *, max_candidates: int, refresh_interval_s: float = 0.0
    ) -> None:
        self.repository = repository
        self.max_candidates = max_candidates
        self.refresh_interval_s = refresh_interval_s
        self.index = SearchIndex()
        self.seq = 0
        self.loaded = False
        self.snapshot_seq: int | None = None  # the change number of the newest snapshot read or written
        self._lock = asyncio.Lock()
        self._refreshed = 0.0
        self._dirty = True
        self._background: asyncio.Task[None] | None = None
        self._saving = False
        # Per phrase: ordinals found to contain it, and found not to (an ordinal's text never changes).
        self._verdicts: OrderedDict[tuple[str, ...], tuple[BitMap, BitMap]] = OrderedDict()

    def invalidate(self) -> None:
        """This process changed the library: the next search reads the changes first."""
        self._dirty = True

    # ---- loading and keeping current

    async def load(self) -> LoadedFrom:
        """Make the index ready: the newest snapshot and the changes after it, else a full scan (then saved)."""
        async with self._lock:
            if self.loaded:
                return "already loaded"
            started = time.perf_counter()
            loaded_from: LoadedFrom = "snapshot" if await self._from_snapshot() else "rebuild"
            if loaded_from == "rebuild":
                await self._rebuild()
            log.info("search index loaded", source=loaded_from, entries=len(self.index), seq=self.seq,
                     seconds=round(time.perf_counter() - started, 2))
        if loaded_from == "rebuild":
            try:
                await self.save_snapshot()
            except Exception:  # the index works without it; the periodic job tries again
                log.exception("could not save a search-index snapshot")
        return loaded_from

    async def rebuild(self) -> int:
        """Build the index from a full scan of the library; returns how many entries it holds."""
        async with self._lock:
            await self._rebuild()
        return len(self.index)

    async def _rebuild(self) -> None:
        repo = self.repository()
        seq = await repo.max_seq()  # read first: a change during the scan is applied again below
        prepared = [prepare(e) async for e in repo.searchable(FIELDS) if visible(e)]
        self._install(SearchIndex.build(prepared), seq)
        await self._apply_changes(repo)

    async def _from_snapshot(self) -> bool:
        repo = self.repository()
        try:
            found = await repo.latest_index_snapshot(snapshot.FORMAT)
            if found is None:
                log.info("no search-index snapshot: scanning the library")
                return False
            index, seq = await asyncio.to_thread(snapshot.decode, found[1])
        except snapshot.SnapshotError as exc:
            log.warning("search-index snapshot unusable: scanning the library", error=str(exc))
            return False
        top = await repo.max_seq()
        if seq > top:
            log.warning("search-index snapshot is ahead of the library (a restored database?): scanning it",
                        snapshot_seq=seq, library_seq=top)
            return False
        self._install(index, seq)
        self.snapshot_seq = seq
        await self._apply_changes(repo)
        return True

    def _install(self, index: SearchIndex, seq: int) -> None:
        self.index, self.seq = index, seq
        self._verdicts.clear()
        self.loaded = True

    async def _apply_changes(self, repo: PublicationRepository) -> int:
        self._dirty = False
        applied = 0
        async for entry in repo.changes_since(self.seq, FIELDS):
            self.index.apply(entry)
            self.seq = max(self.seq, int(entry.get("seq") or 0))
            applied += 1
        self._refreshed = time.monotonic()
        return applied

    async def refresh(self) -> None:
        """Read the library's changes before a search: at once after this process's own changes (and
        always with ``refresh_interval_s`` 0), else in the background once the interval has passed, so
        that no search waits for the database because of another replica."""
        if not self.loaded:
            await self.load()
        # While a snapshot is being written (seconds at 100k entries) nothing may change the index:
        # rather than keep a search waiting, read the changes once it is done.
        if (self._dirty or self.refresh_interval_s <= 0) and not self._saving:
            async with self._lock:
                await self._apply_changes(self.repository())
        elif self._background is None and (
            self._dirty or time.monotonic() - self._refreshed >= self.refresh_interval_s
        ):
            self._background = asyncio.create_task(self._refresh_in_background(), name="search-index-refresh")

    async def _refresh_in_background(self) -> None:
        try:
            async with self._lock:
                await self._apply_changes(self.repository())
        except Exception:  # the next search after the interval tries again
            log.exception("reading the library's changes failed")
            self._refreshed = time.monotonic()
        finally:
            self._background = None

    async def close(self) -> None:
        if self._background is not None:
            self._background.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._background

    async def save_snapshot(self) -> bool:
        """Store the index as a snapshot unless the newest one already reflects it; True when written."""
        if not self.loaded or self.seq == self.snapshot_seq:
            return False
        started = time.perf_counter()
        async with self._lock:  # nothing may change the index while it is read
            self._saving = True
            try:
                index, seq = self.index, self.seq
                data = await asyncio.to_thread(snapshot.encode, index, seq)
            finally:
                self._saving = False
        await self.repository().save_index_snapshot(
            data, {"format": snapshot.FORMAT, "seq": seq, "entries": len(index)}
        )
        self.snapshot_seq = seq
        log.info("search-index snapshot saved", entries=len(index), seq=seq, bytes=len(data),
                 seconds=round(time.perf_counter() - started, 2))
        return True

    # ---- answering

    async def search(
        self, q: str, filters: Filters, *, page: int = 1, page_size: int = 20, facets: bool = True
    ) -> SearchPage:
        await self.refresh()
        query = parse_query(q)
        index = self.index
        if q.strip() and query.empty:
            return SearchPage(q, 0, page, page_size, [], {})
        result = index.match(query, filters)
        start = (page - 1) * page_size
        exact = True
        if query.phrases:
            best, result, exact = await self._with_phrases(index, query, result, start + page_size)
            ordinals = best[start:]
        else:
            ordinals = index.ranked_ordinals(query, result, start, page_size)
        counts = index.facet_counts(result) if facets else {}
        return SearchPage(q, len(result), page, page_size, index.rows(ordinals), counts, exact)

    async def _with_phrases(
        self, index: SearchIndex, query: Query, result: BitMap, wanted: int
    ) -> tuple[list[int], BitMap, bool]:
        """The best ``wanted`` of ``result`` that have every quoted phrase verbatim, the candidates left, and
        whether all of those were checked.

        Candidates are checked in rank order, only as many as the page needs and at most
        ``max_candidates`` per search; each verdict is remembered. (Checking every candidate up front
        cost seconds at 100k entries, and ``$regex`` in the database was ~15x slower still.)
        """
        key = tuple(query.phrases)
        found, rejected = self._verdicts.setdefault(key, (BitMap(), BitMap()))
        self._verdicts.move_to_end(key)
        while len(self._verdicts) > _PHRASE_CACHE:
            self._verdicts.popitem(last=False)
        budget = self.max_candidates
        while budget > 0:
            unchecked = [o for o in index.ranked_ordinals(query, result - rejected, 0, wanted) if o not in found]
            if not unchecked:
                break
            unchecked = unchecked[:budget]
            budget -= len(unchecked)
            await self._check_phrases(index, query, unchecked, found, rejected)
        left = result - rejected
        best = [o for o in index.ranked_ordinals(query, left, 0, wanted) if o in found]
        return best, left, not (left - found)

    async def _check_phrases(
        self, index: SearchIndex, query: Query, ordinals: Sequence[int], found: BitMap, rejected: BitMap
    ) -> None:
        """Titles come from the cards; bodies are read only for entries whose title lacks a phrase."""
        need_body: dict[str, int] = {}
        for ordinal in ordinals:
            card = index.cards.get(ordinal)
            if card is None:  # dropped by a concurrent refresh
                rejected.add(ordinal)
            elif contains_phrases(query, unpack_card(card).get("title") or ""):
                found.add(ordinal)
            else:
                need_body[index.ids[ordinal]] = ordinal
        rows = await self.repository().entries_by_ids(list(need_body), {"title": 1, "body": 1})
        texts = {r["_id"]: (r.get("title") or "", r.get("body") or "") for r in rows}
        for document_id, ordinal in need_body.items():
            # A new version read here instead of the indexed one gets its own ordinal at the next refresh.
            if contains_phrases(query, *texts.get(document_id, ("", ""))):
                found.add(ordinal)
            else:
                rejected.add(ordinal)

    async def latest(self, count: int, filters: Filters | None = None) -> list[dict[str, Any]]:
        page = await self.search("", filters or Filters(), page_size=count, facets=False)
        return page.rows

    async def catalogue(self, per_group: int) -> dict[str, list[Group]]:
        """标准目录: every document type and every tag, with counts and their latest documents."""
        await self.refresh()
        index = self.index
        everything = index.facet_counts(BitMap(index.live), limit=1000)
        groups: dict[str, list[Group]] = {"type": [], "tag": []}
        everyone = Query("")
        for facet in ("type", "tag"):
            for fc in everything.get(facet, []):
                members = index.match(everyone, _filter(facet, fc.value))
                latest = index.rows(index.ranked_ordinals(everyone, members, 0, per_group))
                groups[facet].append(Group(facet, fc.value, fc.label, fc.count, latest, fc.dimension))
        return groups


def _filter(facet: str, value: str | int) -> Filters:
    if facet == "type":
        return Filters(doc_type=str(value))
    return Filters(tag=str(value))
