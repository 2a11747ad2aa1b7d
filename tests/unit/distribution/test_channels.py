"""Which channel takes what, delivery identity, back-off, and webhook signatures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.distribution.adapters.webhook import sign, verify
from services.distribution.domain import Channel, RetryPolicy, Takes, delivery_id, next_attempt, takes
from services.distribution.registry import RegistryError, load_channels
from services.distribution.settings import DistributionSettings

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
    body = b'{"type":"released"}'
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


SHIPPED = Path(__file__).resolve().parents[3] / "services" / "distribution" / "channels.yaml"


def test_shipped_registry_enables_only_the_feed_and_webhooks_by_default() -> None:
    channels = load_channels(SHIPPED, DistributionSettings().defaults_for_registry())
    enabled = {c.id: c.type for c in channels if c.enabled}
    assert enabled == {"portal-feed": "feed", "partner-webhook": "webhook", "park-webhook": "webhook"}
    assert {c.type for c in channels} == {"feed", "webhook", "wechat_oa", "weibo", "email"}


def test_platform_channels_are_enabled_by_id_and_their_settings_resolved() -> None:
    env = {**DistributionSettings().defaults_for_registry(), "GOVPUB_DISTRIBUTION_WECHAT_APP_ID": "wx123"}
    channels = {c.id: c for c in load_channels(SHIPPED, env, enable={"wechat-oa", "email-parks"})}
    assert channels["wechat-oa"].enabled and channels["email-parks"].enabled and not channels["weibo"].enabled
    assert channels["wechat-oa"].wechat is not None and channels["wechat-oa"].wechat.app_id == "wx123"
    assert channels["email-parks"].email is not None and channels["email-parks"].email.smtp_port == 25


def test_enabling_an_unknown_channel_names_the_setting() -> None:
    with pytest.raises(RegistryError, match="GOVPUB_DISTRIBUTION_ENABLED_CHANNELS names wechat"):
        load_channels(SHIPPED, DistributionSettings().defaults_for_registry(), enable={"wechat"})


def test_a_disabled_channel_may_name_unset_variables_an_enabled_one_may_not(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text(
        "channels:\n  - {id: wb, type: weibo, name: w, enabled: false, endpoint: '${WB_URL}',"
        " weibo: {access_token_env: T}}\n", encoding="utf-8",
    )
    assert not load_channels(path, {})[0].enabled
    with pytest.raises(RegistryError, match=r"channels\[0\]\.endpoint needs the environment variable\(s\) WB_URL"):
        load_channels(path, {}, enable={"wb"})


def test_a_platform_channel_without_its_options_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text("channels:\n  - {id: wx, type: wechat_oa, name: w, endpoint: 'http://x'}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="needs its `wechat:` options"):
        load_channels(path, {})
