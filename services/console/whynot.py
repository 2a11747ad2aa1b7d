""""Why is it not on channel X yet?" — answered from a document's trace and distribution's records. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared import events

# Where an event sits in the pipeline, to order events that carry the same time.
STAGE = {
    "oa.document-issued.v1": 0,
    "oa.document-withdrawn.v1": 0,
    events.DocumentReceived.TOPIC: 1,
    events.DocumentRejected.TOPIC: 1,
    events.WithdrawalRequested.TOPIC: 1,
    events.DecisionMade.TOPIC: 2,
    events.DocumentTagged.TOPIC: 2,
    events.InterpretationOverdue.TOPIC: 3,
    events.DocumentReleased.TOPIC: 4,
    events.DocumentWithdrawn.TOPIC: 4,
    events.LinkBroken.TOPIC: 5,
    events.DeliveryFailed.TOPIC: 5,
}

HELD = {
    "waiting_for_interpretation": "publication holds it until its interpretation (政策解读) is released with it (三同步)",
    "waiting_for_policy": "publication holds this interpretation until the policy it explains is released",
    "not_proactive": "it is not marked 主动公开 (proactive disclosure), so it is not published",
    "not_approved": "review did not approve this content, so it is not published",
    "waiting_for_tags": "publication is waiting for the tags of this version",
    "waiting_for_review": "publication is waiting for the review decision of this version",
}


@dataclass(frozen=True)
class ChannelAnswer:
    channel_id: str
    name: str
    state: str  # delivered | on its way | failed | waiting | stopped | not for this channel | disabled | withdrawn | unknown
    line: str


def timeline(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """A document's events in the order they happened (pipeline order breaks ties)."""
    return sorted(rows, key=lambda r: (r["time"], STAGE.get(r["topic"], 9), r.get("offset", 0)))


def takes(channel: Mapping[str, Any], audience: Sequence[str], tag_codes: Sequence[str]) -> bool:
    """Distribution's routing rule, read from the channel registry it publishes on /v1/channels."""
    rule = channel.get("takes") or {}
    if not audience:
        if not rule.get("public", True):
            return False
        wanted = rule.get("tags") or []
        return not wanted or bool(set(wanted) & set(tag_codes))
    return bool(set(rule.get("audiences") or []) & set(audience))


def _last(rows: Sequence[Mapping[str, Any]], topic: str, version: Any = None) -> Mapping[str, Any] | None:
    found = None
    for row in rows:
        if row["topic"] == topic and (version is None or row["summary"].get("version") in (version, None)):
            found = row
    return found


def _when(row: Mapping[str, Any], key: str = "time") -> str:
    return _clock(row.get(key))


def _clock(value: Any) -> str:
    """``2024-07-01 09:30:05`` from a datetime or an ISO string."""
    text = value.isoformat() if isinstance(value, datetime) else str(value or "?")
    return text[:19].replace("T", " ")


def _delivery_line(delivery: Mapping[str, Any]) -> tuple[str, str]:
    status, attempts = delivery.get("status"), delivery.get("attempts", 0)
    errors = delivery.get("errors") or []
    last = errors[-1].get("error") if errors and isinstance(errors[-1], Mapping) else None
    version = str(delivery.get("release_id", "?")).rpartition(":")[2]
    subject = f"withdrawal of {version}" if delivery.get("action") == "withdraw" else version
    if status == "delivered":
        return "delivered", f"{subject} delivered at {_clock(delivery.get('delivered_at'))}"
    if status == "failed":
        return "failed", (f"{subject} failed for good after {attempts} attempt(s): {last or 'no error recorded'}; "
                          f"fix the channel, then retry it (distribution: POST /v1/deliveries/{delivery.get('delivery_id', '…')}/retry)")
    if status == "retrying":
        return "on its way", (f"{subject}: attempt {attempts} failed ({last or 'no error recorded'}); "
                              f"next attempt at {_clock(delivery.get('next_attempt_at'))}")
    return "on its way", f"{subject} is queued for the channel's dispatcher since {_clock(delivery.get('created_at'))}"


def _not_for(channel: Mapping[str, Any], audience: Sequence[str]) -> str:
    rule = channel.get("takes") or {}
    if audience:
        return f"it is targeted at {', '.join(audience)}; this channel serves {', '.join(rule.get('audiences') or []) or 'the public'}"
    if not rule.get("public", True):
        return f"it is public; this channel takes only documents targeted at {', '.join(rule.get('audiences') or []) or '—'}"
    return f"this channel takes only public documents tagged {', '.join(rule.get('tags') or [])}"


# Publication's candidate states from which nothing moves without a new version or a person.
STOPPED = ("not_proactive", "not_approved")


def _not_released(rows: Sequence[Mapping[str, Any]], publication: Mapping[str, Any] | None) -> tuple[str, str]:
    """``stopped`` when nothing will happen without a new version or a person, else ``waiting``; and why."""
    if not rows:
        return "waiting", "the console has seen no event for this document: an unknown id, or intake has not accepted it yet"
    received = _last(rows, events.DocumentReceived.TOPIC)
    if received is None:
        rejected = _last(rows, events.DocumentRejected.TOPIC)
        if rejected is not None:
            return "stopped", f"intake rejected it at {_when(rejected)} ({rejected['summary'].get('problems', '?')} problem(s))"
        return "waiting", "intake has not accepted it yet"
    if _last(rows, events.WithdrawalRequested.TOPIC) is not None:
        return "stopped", "the issuing office withdrew it"
    version = received["summary"].get("version")
    decision = _last(rows, events.DecisionMade.TOPIC, version)
    if decision is None:
        return "waiting", f"v{version} is waiting for the confidentiality review (received {_when(received)})"
    verdict = decision["summary"].get("decision")
    if verdict == "needs_human":
        return "waiting", f"v{version} is waiting for a human reviewer (review said needs_human at {_when(decision)})"
    if verdict == "rejected":
        reason = decision["summary"].get("reason_code") or "no reason code"
        return "stopped", f"review rejected v{version} ({reason}); it will not be published"
    if _last(rows, events.DocumentTagged.TOPIC, version) is None:
        return "waiting", f"v{version} was approved but is waiting for tagging"
    status = (publication or {}).get("candidate_status")
    if status in HELD:
        return ("stopped" if status in STOPPED else "waiting"), HELD[status]
    return "waiting", (f"v{version} is reviewed and tagged, but publication has not released it"
                       + (f" (publication says {status})" if status else "") + "; see the stuck documents")


def explain(
    channels: Sequence[Mapping[str, Any]] | None,
    deliveries: Sequence[Mapping[str, Any]] | None,
    rows: Sequence[Mapping[str, Any]],
    publication: Mapping[str, Any] | None = None,
) -> list[ChannelAnswer]:
    """One line per channel: where the document stands on it and, when it is not there, why."""
    if deliveries is None:
        return [ChannelAnswer("*", "every channel", "unknown", "distribution is unreachable, so this cannot be told")]
    ordered = timeline(rows)
    known = list(channels or [])
    for channel_id in sorted({d.get("channel_id", "") for d in deliveries} - {c.get("id") for c in known}):
        known.append({"id": channel_id, "name": channel_id, "takes": {}})
    released = _last(ordered, events.DocumentReleased.TOPIC)
    withdrawn = _last(ordered, events.DocumentWithdrawn.TOPIC)
    answers = []
    for channel in known:
        channel_id, name = str(channel.get("id", "?")), str(channel.get("name") or channel.get("id", "?"))
        mine = [d for d in deliveries if d.get("channel_id") == channel_id]
        breaker = channel.get("breaker") or {}
        if mine:
            latest = max(mine, key=lambda d: (str(d.get("created_at", "")), d.get("action") == "withdraw"))
            state, line = _delivery_line(latest)
            if state == "on its way" and breaker.get("state") not in (None, "closed"):
                line += f"; the channel's circuit breaker is {breaker['state']} (probe after {_clock(breaker.get('probe_after'))})"
            if channel.get("enabled") is False and state != "delivered":
                line += "; the channel is not enabled here, so nothing is sent (GOVPUB_DISTRIBUTION_ENABLED_CHANNELS)"
            answers.append(ChannelAnswer(channel_id, name, state, line))
        elif channel.get("enabled") is False:
            answers.append(ChannelAnswer(
                channel_id, name, "disabled",
                "the channel is not enabled in this deployment (distribution's GOVPUB_DISTRIBUTION_ENABLED_CHANNELS)",
            ))
        elif released is None:
            state, why = _not_released(ordered, publication)
            answers.append(ChannelAnswer(channel_id, name, state, "not released: " + why))
        elif withdrawn is not None and withdrawn["time"] >= released["time"]:
            answers.append(ChannelAnswer(channel_id, name, "withdrawn", f"withdrawn at {_when(withdrawn)} before it reached this channel"))
        else:
            audience = released["summary"].get("audience") or []
            if not takes(channel, audience, released["summary"].get("tag_codes") or []):
                answers.append(ChannelAnswer(
                    channel_id, name, "not for this channel", f"not meant for this channel: {_not_for(channel, audience)}"
                ))
            else:
                answers.append(ChannelAnswer(
                    channel_id, name, "waiting",
                    f"released at {_when(released)} but no delivery is recorded yet: the channel's consumer group "
                    f"(govpub.distribution.{channel_id}) may be lagging, see the consumer groups page",
                ))
    return answers
