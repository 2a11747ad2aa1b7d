"""Channel adapters: one small class per channel type behind one interface."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from services.distribution.domain import Work


class DeliveryError(Exception):
    """A failed attempt; ``code`` is the platform's error code where it gave one."""

    def __init__(self, message: str, *, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code


class PermanentFailure(DeliveryError):
    """The channel refused in a way a retry cannot fix (bad credentials, content refused)."""


class TemporaryFailure(DeliveryError):
    """Worth retrying later: timeouts, 5xx, 429, platform quotas."""


class Progress:
    """What earlier attempts of one delivery achieved (a draft id, a publish id...), saved on the delivery.

    A multi-step adapter saves each step as it completes, so a retry or another dispatcher resumes
    from there instead of repeating a step the platform already took.
    """

    def __init__(self, data: dict[str, Any] | None = None, save: Callable[[dict[str, Any]], Awaitable[None]] | None = None):
        self.data: dict[str, Any] = dict(data or {})
        self._save = save

    def get(self, key: str) -> Any:
        return self.data.get(key)

    async def set(self, **values: Any) -> None:
        self.data.update(values)
        if self._save is not None:
            await self._save(values)


class Adapter(Protocol):
    async def deliver(self, work: Work, progress: Progress) -> str:
        """Deliver ``work``; returns the channel's reference for it (post id, article id, entry id...).

        A withdrawal retracts ``work.references``, the references of what was delivered before.
        """
        ...

    async def flush(self) -> None:
        """Called after every dispatch round (the feed pings its WebSub hub here)."""
        ...

    async def close(self) -> None: ...


class BaseAdapter:
    """No-op ``flush`` and ``close`` for adapters that need neither."""

    async def flush(self) -> None:
        return None

    async def close(self) -> None:
        return None
