"""Figures for the annual disclosure report (政府信息公开年报), from library entries, without I/O."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int
    dimension: str | None = None


@dataclass(frozen=True)
class YearStats:
    year: int
    released: int
    targeted: int
    withdrawn: int
    revised: int
    by_month: list[int]
    by_type: list[Count] = field(default_factory=list)
    by_tag: list[Count] = field(default_factory=list)
    policies_requiring_interpretation: int = 0
    policies_with_interpretation: int = 0
    interpretations: int = 0

    @property
    def interpretation_coverage(self) -> float | None:
        """Share of policies that required an interpretation and have one (三同步); None when none required."""
        if not self.policies_requiring_interpretation:
            return None
        return self.policies_with_interpretation / self.policies_requiring_interpretation

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "released": self.released,
            "targeted": self.targeted,
            "withdrawn": self.withdrawn,
            "revised": self.revised,
            "by_month": self.by_month,
            "by_type": [{"doc_type": c.key, "count": c.count} for c in self.by_type],
            "by_tag": [{"code": c.key, "name_zh": c.label, "dimension": c.dimension, "count": c.count}
                       for c in self.by_tag],
            "interpretation": {
                "policies_requiring": self.policies_requiring_interpretation,
                "policies_with_interpretation": self.policies_with_interpretation,
                "coverage": self.interpretation_coverage,
                "interpretations_released": self.interpretations,
            },
        }


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _in(moment: Any, year: int) -> bool:
    return isinstance(moment, datetime) and moment.year == year


def summarize(entries: Iterable[Mapping[str, Any]], year: int) -> YearStats:
    """What the library did in ``year`` (UTC): first releases, revisions, withdrawals, 三同步 coverage.

    Counts proactive releases to the public library; targeted (定向公开) releases are counted apart.
    """
    released = targeted = withdrawn = revised = 0
    requiring = covered = interpretations = 0
    months = [0] * 12
    types: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    tag_info: dict[str, tuple[str, str]] = {}
    for e in entries:
        history = list(e.get("history") or [])
        first = e.get("first_released_at") or (history[0]["released_at"] if history else None)
        if e.get("withdrawal") and history and _in(e["withdrawal"].get("at"), year):
            withdrawn += 1
        if any(h.get("version", 1) > 1 and _in(h.get("released_at"), year) for h in history[1:]):
            revised += 1
        if not isinstance(first, datetime) or first.year != year:
            continue
        if not e.get("public") and e.get("audience"):
            targeted += 1
            continue
        if not history:
            continue
        released += 1
        months[first.month - 1] += 1
        types[str(e.get("doc_type") or "其他")] += 1
        for tag in e.get("tags") or []:
            tags[tag["code"]] += 1
            tag_info[tag["code"]] = (tag.get("name_zh", tag["code"]), tag.get("dimension", ""))
        if e.get("requires_interpretation"):
            requiring += 1
            covered += bool(e.get("interpretation"))
        if e.get("interprets"):
            interpretations += 1
    return YearStats(
        year=year,
        released=released,
        targeted=targeted,
        withdrawn=withdrawn,
        revised=revised,
        by_month=months,
        by_type=[Count(k, k, n) for k, n in sorted(types.items(), key=lambda p: (-p[1], p[0]))],
        by_tag=[Count(k, tag_info[k][0], n, tag_info[k][1]) for k, n in sorted(tags.items(), key=lambda p: (-p[1], p[0]))],
        policies_requiring_interpretation=requiring,
        policies_with_interpretation=covered,
        interpretations=interpretations,
    )
