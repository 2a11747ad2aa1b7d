"""Search over the in-memory index: matching, ranking, facets, pagination and keeping current."""

from __future__ import annotations

import asyncio
from typing import Any

from services.publication.index import SearchIndex
from services.publication.library import Library
from services.publication.search import Filters, parse_query
from tests.unit.publication.fakes import InMemoryRepository, entry


def library_of(*entries: dict[str, Any]) -> tuple[Library, InMemoryRepository]:
    repo = InMemoryRepository(entries)
    return Library(lambda: repo, max_candidates=100), repo  # type: ignore[arg-type, return-value]


async def test_title_matches_rank_before_body_matches_and_recency_breaks_ties() -> None:
    library, _ = library_of(
        entry("body-new", "关于商标工作的通知", "开展专利质押融资工作。", minutes=30),
        entry("title-old", "关于专利质押融资的通知", minutes=1),
        entry("title-new", "专利质押融资试点方案", minutes=20),
        entry("other", "关于地理标志的公告", "地理标志产品。", minutes=40),
    )
    await library.rebuild()
    page = await library.search("专利质押", Filters())
    assert [r["_id"] for r in page.rows] == ["title-new", "title-old", "body-new"]
    assert page.total == 3


async def test_document_number_typed_with_square_brackets_finds_the_normalized_form() -> None:
    library, _ = library_of(
        entry("a", "关于专利的通知", doc_number="沪知局〔2023〕12号"),
        entry("b", "关于专利的通知", doc_number="沪知局〔2023〕13号"),
    )
    await library.rebuild()
    page = await library.search("沪知局[2023]12号", Filters())
    assert [r["_id"] for r in page.rows] == ["a"]


async def test_facets_count_the_results_and_filters_narrow_them() -> None:
    library, _ = library_of(
        entry("n1", "专利资助通知", doc_type="通知", year=2023),
        entry("n2", "专利导航通知", doc_type="通知", year=2024, validity="废止"),
        entry("o1", "专利保护意见", doc_type="意见", year=2024,
              tags=[("topic.patent", "topic", "专利"), ("topic.protection", "topic", "知识产权保护/执法")]),
    )
    await library.rebuild()
    page = await library.search("专利", Filters())
    types = {f.value: f.count for f in page.facets["type"]}
    assert types == {"通知": 2, "意见": 1}
    assert {f.value: f.count for f in page.facets["year"]} == {2024: 2, 2023: 1}
    assert {f.value: f.count for f in page.facets["validity"]} == {"有效": 2, "废止": 1}
    protection = next(f for f in page.facets["tag"] if f.value == "topic.protection")
    assert (protection.count, protection.label, protection.dimension) == (1, "知识产权保护/执法", "topic")

    narrowed = await library.search("专利", Filters(doc_type="通知", validity="有效"))
    assert [r["_id"] for r in narrowed.rows] == ["n1"]
    assert {f.value: f.count for f in narrowed.facets["type"]} == {"通知": 1}


async def test_pages_follow_the_ranking_without_gaps_or_repeats() -> None:
    library, _ = library_of(*(entry(f"d{i:02d}", f"专利通知{i}", minutes=i) for i in range(45)))
    await library.rebuild()
    seen: list[str] = []
    for page_number in (1, 2, 3):
        page = await library.search("专利", Filters(), page=page_number, page_size=20)
        assert page.total == 45 and page.pages == 3
        seen += [r["_id"] for r in page.rows]
    assert seen == [f"d{i:02d}" for i in range(44, -1, -1)]


async def test_quoted_phrase_must_appear_verbatim() -> None:
    library, _ = library_of(
        entry("verbatim", "园区通知", "开展专利质押融资工作。"),
        entry("scattered", "园区通知", "专利质押登记，以及融资服务。"),
    )
    await library.rebuild()
    page = await library.search('"质押融资"', Filters())
    assert [r["_id"] for r in page.rows] == ["verbatim"]
    assert page.total == 1


async def test_new_version_withdrawal_and_validity_change_are_picked_up_on_the_next_search() -> None:
    library, repo = library_of(entry("a", "专利资助办法", minutes=1), entry("b", "专利导航通知", minutes=2))
    await library.rebuild()
    assert [r["_id"] for r in (await library.search("专利", Filters())).rows] == ["b", "a"]

    repo.put(entry("a", "专利资助办法（修订）", minutes=10, version=2))
    assert [r["_id"] for r in (await library.search("专利", Filters())).rows] == ["a", "b"]

    repo.put({**repo.entries["b"], "validity": "失效"})
    assert [r["_id"] for r in (await library.search("专利", Filters(validity="失效"))).rows] == ["b"]

    repo.put({**repo.entries["b"], "status": "withdrawn"})
    page = await library.search("专利", Filters())
    assert [r["_id"] for r in page.rows] == ["a"]
    assert page.total == 1


async def test_targeted_and_withdrawn_entries_are_never_found() -> None:
    library, _ = library_of(
        entry("targeted", "园区专利通知", public=False, audience=["张江科学城"]),
        entry("gone", "专利通知", status="withdrawn"),
    )
    await library.rebuild()
    assert (await library.search("专利", Filters())).total == 0
    assert (await library.search("", Filters())).total == 0


async def test_query_of_only_stop_words_finds_nothing_rather_than_everything() -> None:
    library, _ = library_of(entry("a", "专利通知"))
    await library.rebuild()
    assert (await library.search("的", Filters())).total == 0


async def test_catalogue_groups_by_type_and_tag_with_latest_documents() -> None:
    library, _ = library_of(
        entry("n1", "专利通知一", doc_type="通知", minutes=1),
        entry("n2", "专利通知二", doc_type="通知", minutes=2),
        entry("o1", "商标意见", doc_type="意见", tags=[("topic.trademark", "topic", "商标")]),
    )
    await library.rebuild()
    groups = await library.catalogue(per_group=1)
    notices = next(g for g in groups["type"] if g.value == "通知")
    assert notices.count == 2 and [d["_id"] for d in notices.latest] == ["n2"]
    assert {g.value for g in groups["tag"]} == {"topic.patent", "topic.trademark"}


def test_title_tiers_put_more_title_words_first() -> None:
    index = SearchIndex()
    index.apply_all([
        entry("both", "专利质押通知", "专利质押。", minutes=1),
        entry("one", "专利通知", "质押。", minutes=2),
        entry("none", "通知", "专利质押。", minutes=3),
    ])
    query = parse_query("专利 质押")
    result = index.match(query, Filters())
    assert index.ranked(query, result, 0, 10) == ["both", "one", "none"]
    assert index.ranked(query, result, 1, 1) == ["one"]


async def test_own_changes_are_seen_at_once_and_other_replicas_changes_within_the_interval() -> None:
    repo = InMemoryRepository([entry("a", "专利资助办法")])
    library = Library(lambda: repo, max_candidates=100, refresh_interval_s=3600)  # type: ignore[arg-type, return-value]
    await library.rebuild()
    repo.put(entry("b", "专利导航通知", minutes=5))
    assert (await library.search("专利", Filters())).total == 1  # another replica's change: not read yet
    library.invalidate()  # this process changed the library
    assert (await library.search("专利", Filters())).total == 2


async def test_quoted_phrase_reads_only_the_bodies_the_page_needs_and_remembers_them() -> None:
    library, repo = library_of(
        *(entry(f"v{i:02d}", "园区通知", "开展专利质押融资工作。", minutes=i) for i in range(30)),
        entry("titled", "专利质押融资试点方案", minutes=1),
        entry("scattered", "园区通知", "专利质押登记，以及融资服务。", minutes=100),
    )
    await library.rebuild()
    page = await library.search('"质押融资"', Filters(), page_size=5)
    assert [r["_id"] for r in page.rows] == ["titled", "v29", "v28", "v27", "v26"]
    assert "titled" not in repo.reads  # its title has the phrase: no body read
    assert len(repo.reads) <= 6  # ranked candidates only, not all 32
    assert page.total <= 31 and not page.total_exact

    reads = len(repo.reads)
    again = await library.search('"质押融资"', Filters(), page_size=5)
    assert again.rows == page.rows and len(repo.reads) == reads  # verdicts remembered

    everything = await library.search('"质押融资"', Filters(), page_size=50)
    assert everything.total == 31 and everything.total_exact
    assert "scattered" not in [r["_id"] for r in everything.rows]


async def test_results_come_from_memory_without_reading_the_library() -> None:
    library, repo = library_of(entry("a", "专利资助办法", minutes=1), entry("b", "专利导航通知", minutes=2))
    await library.rebuild()
    page = await library.search("专利", Filters())
    assert [(r["_id"], r["title"], r["released_at"]) for r in page.rows] == [
        ("b", "专利导航通知", repo.entries["b"]["released_at"]), ("a", "专利资助办法", repo.entries["a"]["released_at"]),
    ]
    assert "body" not in page.rows[0] and "tokens" not in page.rows[0]
    assert repo.reads == []


async def test_other_replicas_changes_are_read_in_the_background_once_the_interval_passed() -> None:
    repo = InMemoryRepository([entry("a", "专利资助办法")])
    library = Library(lambda: repo, max_candidates=100, refresh_interval_s=0.05)  # type: ignore[arg-type, return-value]
    await library.rebuild()
    repo.put(entry("b", "专利导航通知", minutes=5))
    await asyncio.sleep(0.06)
    assert (await library.search("专利", Filters())).total == 1  # answered at once from the index it has
    await asyncio.sleep(0.01)  # meanwhile the changes were read
    assert (await library.search("专利", Filters())).total == 2
    await library.close()
