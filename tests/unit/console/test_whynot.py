""""Why is it not on channel X yet?" from a document's trace and distribution's records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.console.whynot import explain, timeline
from shared import events

T0 = datetime(2024, 7, 1, 9, 0, tzinfo=UTC)
PUBLIC = {"id": "partner-webhook", "name": "合作平台", "takes": {"public": True, "audiences": [], "tags": []}}
PARKS = {"id": "park-webhook", "name": "园区", "takes": {"public": False, "audiences": ["园区"], "tags": []}}


def event(topic: str, seconds: int, offset: int = 0, **summary: Any) -> dict[str, Any]:
    return {"topic": topic, "time": T0 + timedelta(seconds=seconds), "offset": offset, "summary": summary}


RECEIVED = event(events.DocumentReceived.TOPIC, 0, version=1)
APPROVED = event(events.DecisionMade.TOPIC, 1, version=1, decision="approved")
TAGGED = event(events.DocumentTagged.TOPIC, 1, version=1, tag_codes=["topic.patent"])
RELEASED = event(events.DocumentReleased.TOPIC, 2, version=1, release_id="d:v1", audience=[], tag_codes=["topic.patent"])


def line(rows: list[dict[str, Any]], deliveries: list[dict[str, Any]] | None = None,
         publication: dict[str, Any] | None = None, channel: dict[str, Any] = PUBLIC) -> tuple[str, str]:
    [answer] = explain([channel], [] if deliveries is None else deliveries, rows, publication)
    return answer.state, answer.line


def test_events_with_the_same_time_are_ordered_by_their_place_in_the_pipeline() -> None:
    same = [event(events.DocumentReleased.TOPIC, 0), event(events.DocumentTagged.TOPIC, 0), event(events.DocumentReceived.TOPIC, 0)]
    assert [r["topic"] for r in timeline(same)] == [
        events.DocumentReceived.TOPIC, events.DocumentTagged.TOPIC, events.DocumentReleased.TOPIC]


def test_delivered_retrying_and_failed_deliveries_say_when_and_why() -> None:
    rows = [RECEIVED, APPROVED, TAGGED, RELEASED]
    base = {"channel_id": "partner-webhook", "release_id": "d:v1", "action": "release", "created_at": "2024-07-01T09:00:02"}
    assert line(rows, [{**base, "status": "delivered", "delivered_at": "2024-07-01T09:00:03+00:00"}]) == (
        "delivered", "v1 delivered at 2024-07-01 09:00:03")
    state, text = line(rows, [{**base, "status": "retrying", "attempts": 2, "next_attempt_at": "2024-07-01T09:01:00",
                               "errors": [{"at": "x", "error": "HTTP 503"}]}])
    assert state == "on its way" and "attempt 2 failed (HTTP 503)" in text and "09:01:00" in text
    state, text = line(rows, [{**base, "status": "failed", "attempts": 8, "errors": [{"at": "x", "error": "HTTP 401"}]}])
    assert state == "failed" and "after 8 attempt(s): HTTP 401" in text and "retry" in text


def test_a_document_not_released_yet_names_the_stage_it_waits_for() -> None:
    assert line([RECEIVED])[0] == "waiting" and "waiting for the confidentiality review" in line([RECEIVED])[1]
    needs_human = event(events.DecisionMade.TOPIC, 1, version=1, decision="needs_human")
    assert "human reviewer" in line([RECEIVED, needs_human])[1]
    rejected = event(events.DecisionMade.TOPIC, 1, version=1, decision="rejected", reason_code="classified")
    assert line([RECEIVED, rejected]) == ("stopped", "not released: review rejected v1 (classified); it will not be published")
    assert "waiting for tagging" in line([RECEIVED, APPROVED])[1]
    held = line([RECEIVED, APPROVED, TAGGED], publication={"candidate_status": "waiting_for_interpretation"})
    assert held[0] == "waiting" and "三同步" in held[1]
    assert "no event" in line([])[1]
    not_public = line([RECEIVED, APPROVED, TAGGED], publication={"candidate_status": "not_proactive"})
    assert not_public[0] == "stopped" and "主动公开" in not_public[1]


def test_a_decision_on_an_older_version_does_not_count_for_the_new_one() -> None:
    v2 = event(events.DocumentReceived.TOPIC, 5, version=2)
    assert "v2 is waiting for the confidentiality review" in line([RECEIVED, APPROVED, TAGGED, v2])[1]


def test_a_public_document_is_not_meant_for_a_targeted_channel_and_vice_versa() -> None:
    rows = [RECEIVED, APPROVED, TAGGED, RELEASED]
    state, text = line(rows, channel=PARKS)
    assert state == "not for this channel" and "targeted at 园区" in text
    targeted = event(events.DocumentReleased.TOPIC, 2, version=1, release_id="d:v1", audience=["企业"], tag_codes=[])
    state, text = line([RECEIVED, APPROVED, TAGGED, targeted], channel=PUBLIC)
    assert state == "not for this channel" and "targeted at 企业" in text


def test_a_release_without_a_delivery_points_at_the_channels_consumer_group() -> None:
    state, text = line([RECEIVED, APPROVED, TAGGED, RELEASED])
    assert state == "waiting" and "govpub.distribution.partner-webhook" in text


def test_a_withdrawal_before_delivery_is_said_so() -> None:
    withdrawn = event(events.DocumentWithdrawn.TOPIC, 3, version=1, release_id="d:v1")
    assert line([RECEIVED, APPROVED, TAGGED, RELEASED, withdrawn])[0] == "withdrawn"


def test_without_distribution_the_answer_says_it_cannot_tell() -> None:
    [answer] = explain(None, None, [RECEIVED])
    assert answer.state == "unknown" and "unreachable" in answer.line


def test_a_channel_known_only_from_its_deliveries_is_still_listed() -> None:
    answers = explain([], [{"channel_id": "weibo", "status": "delivered", "release_id": "d:v1"}], [RELEASED])
    assert [(a.channel_id, a.state) for a in answers] == [("weibo", "delivered")]


def test_a_disabled_channel_says_so_instead_of_blaming_lag() -> None:
    disabled = {**PUBLIC, "id": "weibo", "enabled": False}
    assert line([RECEIVED, APPROVED, TAGGED, RELEASED], channel=disabled)[0] == "disabled"


def test_a_retrying_delivery_mentions_an_open_circuit_breaker_and_a_failed_one_how_to_retry() -> None:
    rows = [RECEIVED, APPROVED, TAGGED, RELEASED]
    tripped = {**PUBLIC, "breaker": {"state": "open", "probe_after": "2024-07-01T09:05:00+00:00"}}
    base = {"delivery_id": "partner-webhook:d:v1:release", "channel_id": "partner-webhook", "release_id": "d:v1"}
    state, text = line(rows, [{**base, "status": "retrying", "attempts": 5}], channel=tripped)
    assert state == "on its way" and "circuit breaker is open (probe after 2024-07-01 09:05:00)" in text
    state, text = line(rows, [{**base, "status": "failed", "attempts": 8}])
    assert "POST /v1/deliveries/partner-webhook:d:v1:release/retry" in text
