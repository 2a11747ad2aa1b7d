"""The 三同步 deadline, annual-report figures, server-side charts and the periodic runner."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from services.publication import charts
from services.publication.domain import overdue
from services.publication.domain.stats import summarize
from services.publication.render import body_html, search_url
from services.publication.tasks import Periodic
from tests.unit.publication.fakes import entry

HELD = datetime(2024, 7, 1, 8, 0, tzinfo=UTC)


def test_policy_is_overdue_only_after_the_limit_has_passed() -> None:
    limit = timedelta(hours=72)
    assert not overdue(HELD, HELD + timedelta(hours=71), limit)
    assert not overdue(HELD, HELD + limit, limit)
    assert overdue(HELD, HELD + limit + timedelta(seconds=1), limit)


def test_annual_figures_count_releases_revisions_withdrawals_and_interpretation_coverage() -> None:
    t = datetime(2024, 3, 5, tzinfo=UTC)
    rows = [
        entry("p1", "办法一", doc_type="办法", requires_interpretation=True,
              interpretation={"document_id": "i1", "title": "解读", "url": "u"}),
        entry("p2", "办法二", doc_type="办法", requires_interpretation=True),
        entry("i1", "解读", doc_type="解读", interprets={"document_id": "p1", "title": "办法一", "url": "u"}),
        entry("r1", "通知", version=2, history=[{"version": 1, "released_at": datetime(2023, 5, 1, tzinfo=UTC)},
                                              {"version": 2, "released_at": t}],
              first_released_at=datetime(2023, 5, 1, tzinfo=UTC)),
        entry("w1", "撤回的通知", status="withdrawn", withdrawal={"reason": "x", "at": t}),
        entry("t1", "定向通知", public=False, audience=["园区"]),
    ]
    figures = summarize(rows, 2024)
    assert figures.released == 4  # p1, p2, i1 and w1 (released, later withdrawn); r1 was first released in 2023
    assert (figures.revised, figures.withdrawn, figures.targeted) == (1, 1, 1)
    assert figures.interpretation_coverage == 0.5 and figures.interpretations == 1
    assert sum(figures.by_month) == 4 and figures.by_month[2] == 4
    assert {c.key: c.count for c in figures.by_type} == {"办法": 2, "解读": 1, "通知": 1}
    assert figures.as_dict()["interpretation"]["coverage"] == 0.5


def test_chart_is_inline_svg_with_escaped_labels_and_no_style_attributes() -> None:
    svg = str(charts.bar_chart("c", "按文种", [("<b>通知</b>", 3), ("意见", 1)]))
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title" in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "style=" not in svg
    assert "<svg" in str(charts.column_chart("m", "各月", ["1月", "2月"], [0, 2]))


def test_body_keeps_paragraphs_escapes_markup_and_masks_redactions() -> None:
    html = str(body_html("第一段<img src=x onerror=alert(1)>\n\n电话138****5678，详见https://www.gov.cn/a。"))
    assert html.count("<p>") == 2
    assert "<img" not in html and "&lt;img" in html
    assert 'class="mask"' in html and "●●●●" in html
    assert '<a href="https://www.gov.cn/a" rel="noopener noreferrer nofollow">' in html


def test_search_links_keep_the_query_change_one_filter_and_reset_the_page() -> None:
    current = {"q": "专利", "type": "通知", "page": 3}
    assert search_url(current, year=2024) == "/search?q=%E4%B8%93%E5%88%A9&type=%E9%80%9A%E7%9F%A5&year=2024"
    assert search_url(current, type=None) == "/search?q=%E4%B8%93%E5%88%A9"
    assert search_url(current, page=2).endswith("&page=2")


async def test_periodic_job_runs_every_interval_survives_a_failure_and_stops() -> None:
    calls: list[int] = []

    async def job() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first run fails")

    periodic = Periodic("t", 0.01, job)
    periodic.start()
    for _ in range(200):
        if len(calls) >= 3:
            break
        await asyncio.sleep(0.01)
    await periodic.stop()
    assert len(calls) >= 3
    stopped_at = len(calls)
    await asyncio.sleep(0.05)
    assert len(calls) == stopped_at
    off = Periodic("off", 0, job)
    off.start()
    await off.stop()
