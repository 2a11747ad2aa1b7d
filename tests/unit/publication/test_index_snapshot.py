"""Search-index snapshots: a restart loads the index and the changes since, or rebuilds when it must."""

from __future__ import annotations

import asyncio
import time
import zlib

import pytest

from services.publication import snapshot
from services.publication.index import SearchIndex
from services.publication.library import Library
from services.publication.search import Filters
from tests.unit.publication.fakes import InMemoryRepository, entry


def library_on(repo: InMemoryRepository) -> Library:
    return Library(lambda: repo, max_candidates=100)  # type: ignore[arg-type, return-value]


async def answers(library: Library, q: str, filters: Filters | None = None) -> tuple[list[str], int, dict]:
    page = await library.search(q, filters or Filters())
    facets = {name: [(c.value, c.count) for c in counts] for name, counts in page.facets.items()}
    return [r["_id"] for r in page.rows], page.total, facets


async def test_first_start_scans_and_saves_a_snapshot_the_next_start_loads_with_the_changes_since() -> None:
    repo = InMemoryRepository([
        entry("a", "专利资助办法", minutes=1, doc_number="沪知局〔2024〕1号"),
        entry("b", "专利导航通知", minutes=2, year=2023),
        entry("c", "商标品牌意见", minutes=3, doc_type="意见", tags=[("topic.trademark", "topic", "商标")]),
    ])
    first = library_on(repo)
    assert await first.load() == "rebuild"
    assert [m["seq"] for m, _ in repo.snapshots] == [3]

    # While the service is down: a new version, a withdrawal, a validity change and a new document.
    repo.put(entry("a", "专利资助办法（修订）", minutes=10, version=2, content_hash="v2"))
    repo.put({**repo.entries["c"], "status": "withdrawn"})
    repo.put({**repo.entries["b"], "validity": "失效"})
    repo.put(entry("d", "专利质押融资通知", minutes=11))

    second = library_on(repo)
    assert await second.load() == "snapshot"
    scanned = library_on(repo)
    await scanned.rebuild()
    for q, filters in [("专利", None), ("", None), ("商标", None), ("沪知局[2024]1号", None),
                       ("", Filters(validity="失效")), ("修订", None)]:
        assert await answers(second, q, filters) == await answers(scanned, q, filters), q
    assert (await answers(second, "专利", None))[0] == ["d", "a", "b"]


async def test_snapshot_round_trip_keeps_results_cards_and_facets() -> None:
    repo = InMemoryRepository([entry(f"d{i}", f"专利通知{i}", "知识产权保护。", minutes=i, year=2020 + i % 3)
                               for i in range(40)])
    original = library_on(repo)
    await original.rebuild()
    index, seq = snapshot.decode(snapshot.encode(original.index, original.seq))
    assert seq == original.seq
    restored = library_on(repo)
    restored._install(index, seq)
    for q in ("专利", "知识产权", "", "专利通知7"):
        assert await answers(restored, q) == await answers(original, q)
    assert (await restored.search("专利", Filters())).rows == (await original.search("专利", Filters())).rows


@pytest.mark.parametrize("damage", [
    lambda b: b[:-20],  # cut off
    lambda b: b[:40] + bytes([b[40] ^ 0xFF]) + b[41:],  # a flipped byte
    lambda b: b"something else" + b,
    lambda b: snapshot.MAGIC + zlib.compress(b"\x05\x00\x00\x00\x00"),  # an empty BSON document, no head
])
async def test_damaged_snapshot_is_refused_and_the_index_rebuilt(damage) -> None:  # type: ignore[no-untyped-def]
    repo = InMemoryRepository([entry("a", "专利资助办法"), entry("b", "专利导航通知", minutes=1)])
    await library_on(repo).load()
    meta, data = repo.snapshots[-1]
    with pytest.raises(snapshot.SnapshotError):
        snapshot.decode(damage(data))
    repo.snapshots = [(meta, damage(data))]
    library = library_on(repo)
    assert await library.load() == "rebuild"
    assert (await library.search("专利", Filters())).total == 2


async def test_snapshot_of_another_format_or_ahead_of_the_library_is_not_used() -> None:
    repo = InMemoryRepository([entry("a", "专利资助办法"), entry("b", "专利导航通知"), entry("c", "商标通知")])
    await library_on(repo).load()
    meta, data = repo.snapshots[-1]
    repo.snapshots = [({**meta, "format": snapshot.FORMAT + 1}, data)]
    assert await library_on(repo).load() == "rebuild"

    restored = InMemoryRepository([entry("x", "商标通知")])  # e.g. a database restored from an older backup
    restored.snapshots = [(meta, data)]  # seq 3, the library's changes end at 1
    library = library_on(restored)
    assert await library.load() == "rebuild"
    assert [r["_id"] for r in (await library.search("", Filters())).rows] == ["x"]


async def test_snapshot_is_saved_again_only_after_the_library_changed() -> None:
    repo = InMemoryRepository([entry("a", "专利资助办法")])
    library = library_on(repo)
    await library.load()
    assert len(repo.snapshots) == 1
    assert not await library.save_snapshot()
    repo.put(entry("b", "专利导航通知", minutes=1))
    library.invalidate()
    await library.search("", Filters())
    assert await library.save_snapshot()
    assert [m["seq"] for m, _ in repo.snapshots] == [1, 2]


async def test_a_search_during_a_snapshot_write_does_not_wait_and_sees_the_changes_after_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = InMemoryRepository([entry("a", "专利资助办法")])
    library = library_on(repo)
    await library.load()
    repo.put(entry("b", "专利导航通知", minutes=1))
    library.invalidate()
    assert (await library.search("专利", Filters())).total == 2
    encode = snapshot.encode

    def slow_encode(index: SearchIndex, seq: int) -> bytes:
        time.sleep(0.5)
        return encode(index, seq)

    monkeypatch.setattr(snapshot, "encode", slow_encode)
    saving = asyncio.create_task(library.save_snapshot())
    await asyncio.sleep(0.05)
    repo.put(entry("c", "专利质押通知", minutes=2))
    library.invalidate()  # this process's own change, while the snapshot is written
    started = time.perf_counter()
    assert (await library.search("专利", Filters())).total == 2
    assert time.perf_counter() - started < 0.3
    assert await saving
    await asyncio.sleep(0.01)
    assert (await library.search("专利", Filters())).total == 3
