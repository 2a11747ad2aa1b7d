"""The shipped channels under failure: the partner webhook answers 500 for a while; the feed is not held up."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack


def test_partner_webhook_errors_are_retried_to_exactly_one_delivery_and_the_feed_is_not_delayed(api: Api) -> None:
    failing = api.client.post(f"{api.stack.config.receiver_url}/control/fail", params={"count": 4, "status": 500})
    assert failing.status_code == 200
    ids = []
    for _ in range(2):
        document = sample("01-patent-pledge-notice.json")
        document["source_id"] = f"fail-{uuid.uuid4().hex[:8]}"
        response = api.submit(document)
        assert response.status_code == 202, response.text
        ids.append(response.json()["document_id"])

    for document_id in ids:
        rows = wait_until(lambda d=document_id: api.delivered(d, 2), timeout=60, what="both channels delivered")
        by_channel = {r["channel_id"]: r for r in rows}
        feed, hook = by_channel["portal-feed"], by_channel["partner-webhook"]
        feed_latency = datetime.fromisoformat(feed["delivered_at"]) - datetime.fromisoformat(feed["created_at"])
        assert feed_latency.total_seconds() < 3, f"the feed waited {feed_latency}"
        assert api.received()["posts"][f"partner-webhook:{document_id}:v1:release"] == 1
        assert hook["delivered_at"] >= feed["delivered_at"]

    hooks = [r for d in ids for r in api.deliveries(d) if r["channel_id"] == "partner-webhook"]
    assert sum(r["attempts"] for r in hooks) >= 2 + 4  # every scripted 500 cost one attempt
    assert all("HTTP 500" in e["error"] for r in hooks for e in r["errors"])
    channels = api.client.get(f"{api.url('distribution')}/v1/channels").json()["channels"]
    partner = next(c for c in channels if c["id"] == "partner-webhook")
    assert partner["enabled"] and partner["breaker"]["state"] == "closed"
    assert not next(c for c in channels if c["id"] == "wechat-oa")["enabled"]
