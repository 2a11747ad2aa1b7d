"""Periodic jobs that live and die with the runtime (overdue interpretations, link checks)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from shared.logging import get_logger

log = get_logger(__name__)


class Periodic:
    """Runs ``job`` every ``interval_s`` seconds (the first run after one interval) until stopped.

    A failing run is logged and the next one still happens; an interval of 0 or less never runs.
    """

    def __init__(self, name: str, interval_s: float, job: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.interval_s = interval_s
        self.job = job
        self.runs = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.interval_s > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("periodic job failed; it runs again after the interval", job=self.name)
            self.runs += 1
