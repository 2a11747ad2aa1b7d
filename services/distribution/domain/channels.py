"""The channel registry's model: what a channel is, how it is reached and which publications it takes."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ChannelType = Literal["webhook", "feed", "wechat_oa", "weibo", "email"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def outbound_url(value: str | None) -> str | None:
    """An endpoint the service may call: http(s) with a host, never a link-local address.

    Loopback and private addresses stay allowed (partners' receivers and the demo's own receiver live
    there), but link-local ones are the cloud metadata service (169.254.169.254) and never a channel.
    A ``${NAME}`` left unresolved belongs to a disabled channel and is never called.
    """
    if not value or "${" in value:
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise ValueError(f"{value!r} must be an http:// or https:// URL with a host")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return value  # a name: resolved when called
    mapped = getattr(ip, "ipv4_mapped", None) or ip
    if mapped.is_link_local or mapped.is_unspecified or mapped.is_multicast:
        raise ValueError(f"{value!r} points at {host}, a link-local, unspecified or multicast address")
    return value


class Takes(_Frozen):
    """Which publications a channel takes: public ones, and/or those targeted at given audiences or tags."""

    public: bool = True
    audiences: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class RetryPolicy(_Frozen):
    max_attempts: int = Field(8, ge=1, le=100)
    base_delay_s: float = Field(1.0, gt=0)
    max_delay_s: float = Field(300.0, gt=0)


class BreakerPolicy(_Frozen):
    """Circuit breaker: open after ``failure_threshold`` consecutive temporary failures, probe after the cool-down."""

    failure_threshold: int = Field(5, ge=1, le=1000)
    cool_down_s: float = Field(30.0, gt=0)


class WeChatOptions(_Frozen):
    """WeChat official account (微信公众号): draft → free publish → poll."""

    app_id: str
    app_secret_env: str = Field(description="Environment variable holding the AppSecret")
    thumb_media_id: str = Field("", description="Permanent cover image material id (required by WeChat for news)")
    author: str = ""
    poll_interval_s: float = Field(2.0, gt=0)
    poll_timeout_s: float = Field(60.0, gt=0, description="How long one attempt polls before it is retried later")
    token_refresh_margin_s: float = Field(300.0, ge=0, description="Refresh the access_token this long before expiry")


class WeiboOptions(_Frozen):
    """Weibo (微博): one post per release, deleted on withdrawal."""

    access_token_env: str = Field(description="Environment variable holding the OAuth2 access token")
    max_weight: float = Field(140, gt=10, description="Post length limit in Weibo characters")
    url_weight: float = Field(12, ge=0, description="What one link counts for (Weibo shortens it to t.cn)")


class EmailOptions(_Frozen):
    """Targeted push by e-mail to confirmed subscribers (双重确认), immediately or as a daily digest."""

    smtp_host: str
    smtp_port: int = Field(25, ge=1, le=65535)
    sender: str
    username_env: str | None = None
    password_env: str | None = None
    starttls: bool = False
    use_tls: bool = False
    digest_hour: int = Field(8, ge=0, le=23, description="Local hour after which the daily digest goes out")
    timezone: str = "Asia/Shanghai"


class FeedOptions(_Frozen):
    websub_hub: str | None = Field(None, description="WebSub hub to ping after new entries; empty: none")

    @field_validator("websub_hub")
    @classmethod
    def _hub(cls, value: str | None) -> str | None:
        return outbound_url(value)


class Channel(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9\-]{1,40}$")
    type: ChannelType
    name: str
    enabled: bool = True
    endpoint: str | None = Field(None, description="Webhook URL, or the platform's API base URL")
    secret_env: str | None = None
    timeout_s: float | None = Field(None, gt=0, le=300, description="Per-request timeout; default the service setting")
    concurrency: int = Field(8, ge=1, le=64)
    takes: Takes = Field(default_factory=Takes)
    retry: RetryPolicy = Field(default_factory=RetryPolicy)
    breaker: BreakerPolicy = Field(default_factory=BreakerPolicy)
    wechat: WeChatOptions | None = None
    weibo: WeiboOptions | None = None
    email: EmailOptions | None = None
    feed: FeedOptions | None = None

    @field_validator("endpoint")
    @classmethod
    def _endpoint(cls, value: str | None) -> str | None:
        return outbound_url(value)

    @model_validator(mode="after")
    def _options_for_type(self) -> Channel:
        needed = {"wechat_oa": "wechat", "weibo": "weibo", "email": "email"}.get(self.type)
        if needed and getattr(self, needed) is None:
            raise ValueError(f"a {self.type} channel needs its `{needed}:` options")
        if self.type in ("wechat_oa", "weibo") and not self.endpoint:
            raise ValueError(f"a {self.type} channel needs `endpoint:` (the platform's API base URL)")
        return self


def takes(channel: Channel, audience: list[str], tag_codes: list[str]) -> bool:
    """Public documents go to public channels; targeted ones (定向公开) only to channels for their audience."""
    if not audience:
        if not channel.takes.public:
            return False
        return not channel.takes.tags or bool(set(channel.takes.tags) & set(tag_codes))
    return bool(set(channel.takes.audiences) & set(audience))
