from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class DistributionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_DISTRIBUTION_", extra="ignore")

    port: int = 8005
    database: str = "govpub_distribution"
    channels_path: Path = Path(__file__).with_name("channels.yaml")
    webhook_url: str = "http://127.0.0.1:8090/hooks/govpub"
    webhook_secret: str = "govpub-demo-secret"
    dispatch_interval_s: float = 0.5
    http_timeout_s: float = 10.0
