"""Which channel takes what, delivery identity, back-off, and webhook signatures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.distribution.adapters.webhook import sign, verify
from services.distribution.domain import Channel, RetryPolicy, Takes, delivery_id, next_attempt, takes
from services.distribution.registry import RegistryError, load_channels

PUBLIC = Channel(id="feed", type="feed", name="feed")
PARKS = Channel(id="parks", type="webhook", name="parks", takes=Takes(public=False, audiences=["园区"]))


def test_public_documents_go_to_public_channels_only() -> None:
    assert takes(PUBLIC, [], ["topic.patent"])
    assert not takes(PARKS, [], ["topic.patent"])


def test_targeted_documents_go_only_to_channels_for_their_audience() -> None:
    assert takes(PARKS, ["园区", "企业"], [])
    assert not takes(PUBLIC, ["园区"], [])
    assert not takes(PARKS, ["高校院所"], [])


def test_one_delivery_per_version_channel_and_action() -> None:
    assert delivery_id("feed", "d1:v2", "release") == "feed:d1:v2:release"
    assert delivery_id("feed", "d1:v2", "release") != delivery_id("feed", "d1:v2", "withdraw")


def test_backoff_grows_exponentially_with_jitter_and_stops_after_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay_s=1, max_delay_s=10)
    now = datetime(2024, 1, 1, tzinfo=UTC)
    rng = random.Random(7)
    delays = [(next_attempt(policy, n, now, rng) - now) for n in (1, 2, 3, 4)]  # type: ignore[operator]
    assert timedelta(seconds=0.5) <= delays[0] <= timedelta(seconds=1)
    assert timedelta(seconds=4) <= delays[3] <= timedelta(seconds=8)
    assert next_attempt(policy, 5, now, rng) is None


def test_webhook_signature_verifies_and_rejects_tampering_and_old_timestamps() -> None:
    body = '{"type":"released"}'.encode()
    signature = sign("s3cret", "1700000000", body)
    assert verify("s3cret", "1700000000", body, signature, now=1700000010)
    assert not verify("s3cret", "1700000000", body + b" ", signature, now=1700000010)
    assert not verify("other", "1700000000", body, signature, now=1700000010)
    assert not verify("s3cret", "1700000000", body, signature, now=1700009999)


def test_registry_names_the_missing_environment_variable(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  - {id: hook, type: webhook, name: h, endpoint: '${HOOK_URL}'}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="HOOK_URL"):
        load_channels(path, {})
    assert load_channels(path, {"HOOK_URL": "http://x"})[0].endpoint == "http://x"


def test_registry_error_names_the_bad_field(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  - {id: hook, type: carrier-pigeon, name: h}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"channels\[0\]\.type"):
        load_channels(path, {})


def test_shipped_registry_loads() -> None:
    shipped = Path(__file__).resolve().parents[3] / "services" / "distribution" / "channels.yaml"
    channels = load_channels(shipped, {"GOVPUB_DISTRIBUTION_WEBHOOK_URL": "http://127.0.0.1:1/h"})
    assert {c.type for c in channels} == {"feed", "webhook"}
