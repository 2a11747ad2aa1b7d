"""What the publication service's entrypoints share, built once in ``main.create_app``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.publication.library import Library
from services.publication.links import LinkReport, check_links
from services.publication.repository import PublicationRepository
from services.publication.settings import PublicationSettings
from shared.runtime import Runtime


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Publication:
    runtime: Runtime
    settings: PublicationSettings
    library: Library
    now: Callable[[], datetime] = utc_now
    _link_runs: asyncio.Lock = field(default_factory=asyncio.Lock)

    def repository(self) -> PublicationRepository:
        return PublicationRepository(self.runtime.db)

    @property
    def base_url(self) -> str:
        return self.settings.common.public_base_url.rstrip("/")

    async def check_links(self, document_ids: Sequence[str] | None = None) -> LinkReport:
        """One link-check run; runs never overlap (an operator's request waits for the periodic one)."""
        async with self._link_runs:
            return await check_links(
                self.repository(), self.runtime.outbox, self.settings, now=self.now(), document_ids=document_ids
            )
