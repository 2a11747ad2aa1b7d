from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class DistributionSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_DISTRIBUTION_", extra="ignore")

    port: int = 8005
    database: str = "govpub_distribution"
    channels_path: Path = Path(__file__).with_name("channels.yaml")
    enabled_channels: str = Field(
        "", description="Comma-separated ids of registry channels to enable on top of those marked `enabled: true`"
    )
    public_url: str | None = Field(
        None, description="This service's public base URL (feed self link, subscription links); default host:port"
    )
    dispatch_interval_s: float = Field(
        2.0,
        description="Safety-net poll for due deliveries; new deliveries and due retries wake the dispatcher anyway",
    )
    http_timeout_s: float = Field(10.0, description="Default per-request timeout where a channel sets none")
    lease_s: float = Field(
        30.0, description="How long a claimed delivery stays with its dispatcher unless renewed (every lease_s/3)"
    )
    digest_check_interval_s: float = Field(60.0, description="How often e-mail digests are checked for being due")
    subscription_secret: str = Field(
        "govpub-demo-subscription-secret", description="Signs confirmation and unsubscribe links; set it in production"
    )

    # Defaults for `${NAME}` in channels.yaml; the environment overrides them.
    webhook_url: str = "http://127.0.0.1:8090/hooks/govpub"
    webhook_secret: str = "govpub-demo-secret"
    websub_hub: str = Field("", description="WebSub hub pinged after new feed entries; empty: no ping")
    wechat_url: str = "https://api.weixin.qq.com"
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_thumb_media_id: str = ""
    weibo_url: str = "https://api.weibo.com"
    weibo_access_token: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "govpub@example.gov.cn"
    smtp_username: str = ""
    smtp_password: str = ""

    def defaults_for_registry(self) -> dict[str, str]:
        """The settings channels.yaml may name as ``${GOVPUB_DISTRIBUTION_...}``."""
        names = (
            "webhook_url", "webhook_secret", "websub_hub", "wechat_url", "wechat_app_id", "wechat_app_secret",
            "wechat_thumb_media_id", "weibo_url", "weibo_access_token", "smtp_host", "smtp_port", "smtp_sender",
            "smtp_username", "smtp_password",
        )
        return {f"GOVPUB_DISTRIBUTION_{n.upper()}": str(getattr(self, n)) for n in names}

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")
