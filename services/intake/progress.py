"""How far a document has got, as intake learns it from downstream events; and when it is stuck. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shared import events

# Stages after which nothing more happens without a person or a new version.
# A duplicate (the same document already sent by another system) goes no further than intake.
TERMINAL = frozenset({"released", "released_targeted", "withdrawn", "rejected", "not_public", "duplicate"})
# Waiting for a reviewer is not stuck in the pipeline's sense: it is a person's queue.
WAITING_FOR_PERSON = frozenset({"awaiting_reviewer"})


@dataclass(frozen=True)
class Progress:
    version: int
    stage: str


def progress_of(event: events.EventPayload) -> Progress | None:
    """The stage an event moves its document to, or None if it says nothing about progress."""
    if isinstance(event, events.DecisionMade):
        if event.decision == "rejected":
            return Progress(event.version, "rejected")
        if event.decision == "needs_human":
            return Progress(event.version, "awaiting_reviewer")
        if event.document is not None and event.document.disclosure != "主动公开":
            return Progress(event.version, "not_public")
        return Progress(event.version, "approved")
    if isinstance(event, events.DocumentReleased):
        return Progress(event.version, "released_targeted" if event.audience else "released")
    if isinstance(event, events.DocumentWithdrawn):
        return Progress(event.version, "withdrawn")
    return None


_ORDER = {"received": 0, "approved": 1, "awaiting_reviewer": 1, "not_public": 2, "rejected": 2,
          "released": 3, "released_targeted": 3, "duplicate": 3, "withdrawn": 4}
# Where a document can be stuck: listed, so the stuck query seeks the (stage, stage_since) index.
IN_FLIGHT = frozenset(_ORDER) - TERMINAL - WAITING_FOR_PERSON


def advances(current: str, new: str) -> bool:
    """Events may arrive out of order across topics; a stage never goes back."""
    return _ORDER.get(new, 0) >= _ORDER.get(current, 0)


def due_for_redrive(
    redrives: int, last_redrive_at: datetime | None, now: datetime, limit: timedelta, max_redrives: int
) -> bool:
    """Whether a stuck document is re-driven now: each time only after twice as long as the last.

    Under a burst, documents wait in a backlog longer than ``limit`` without anything being lost;
    re-driving them every round would put each one through the pipeline again and again and deepen
    the backlog it is waiting in (measured: 6,669 re-drives in a 10,000-document burst).
    """
    if redrives >= max_redrives:
        return False
    return last_redrive_at is None or now - last_redrive_at >= limit * 2**redrives


def is_stuck(stage: str, since: datetime, now: datetime, limit: timedelta) -> bool:
    return stage not in TERMINAL and stage not in WAITING_FOR_PERSON and now - since > limit
