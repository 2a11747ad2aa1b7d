"""The annual-report figures (年报) of one year, read from the library."""

from __future__ import annotations

from services.publication.domain.stats import YearStats, summarize, year_bounds
from services.publication.repository import PublicationRepository


async def year_stats(repo: PublicationRepository, year: int) -> YearStats:
    start, end = year_bounds(year)
    return summarize(await repo.entries_touching_year(start, end), year)
