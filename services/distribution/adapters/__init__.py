"""Channel adapters: one small class per channel type behind one interface."""

from __future__ import annotations

from typing import Protocol

from services.distribution.domain import Work


class PermanentFailure(Exception):
    """The channel refused in a way a retry cannot fix (bad credentials, content refused)."""


class TemporaryFailure(Exception):
    """Worth retrying later: timeouts, 5xx, 429."""


class Adapter(Protocol):
    async def deliver(self, work: Work) -> str:
        """Deliver ``work``; returns the channel's reference for it (post id, entry id...)."""
        ...

    async def close(self) -> None: ...
