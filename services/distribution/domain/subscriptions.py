"""E-mail subscriptions: who wants which publication, signed tokens for confirm/unsubscribe, digest timing."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

Mode = Literal["immediate", "digest"]
Purpose = Literal["confirm", "unsubscribe"]
CONFIRM_VALID = timedelta(days=7)
_NAMESPACE = uuid.UUID("1d7d1b4e-6a55-4a0c-8f0e-2b9b8f3f6c11")
# Deliberately loose (RFC 5322 is not worth enforcing here): the confirmation mail is the real check.
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)+$")


class SubscriptionRequest(BaseModel):
    """What a subscriber asks for: audiences (定向公开 targets such as 园区, 企业) and/or tag codes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    email: str = Field(max_length=254)
    audiences: list[str] = Field(default_factory=list, max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=50)
    mode: Mode = "immediate"
    channel: str | None = Field(None, description="The e-mail channel; defaults to the only enabled one")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if not _EMAIL.match(value):
            raise ValueError("is not an e-mail address; send something like name@example.cn")
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"

    @field_validator("tags")
    @classmethod
    def _something(cls, tags: list[str]) -> list[str]:
        return sorted({t.strip() for t in tags if t.strip()})


def subscription_id(channel_id: str, email: str) -> str:
    """One subscription per (channel, address): subscribing again updates it."""
    return str(uuid.uuid5(_NAMESPACE, f"{channel_id}|{email.lower()}"))


def wants(audiences: Iterable[str], tags: Iterable[str], doc_audience: list[str], doc_tags: list[str]) -> bool:
    """Targeted documents match by audience; any document matches a subscribed tag or one of its sub-tags."""
    if set(audiences) & set(doc_audience):
        return True
    return any(d == t or d.startswith(t + ".") for t in tags for d in doc_tags)


def make_token(secret: str, purpose: Purpose, subscription: str, *, now: datetime) -> str:
    """``<id>.<expiry>.<mac>``: verifiable without storing it; confirmation links expire, unsubscribe ones do not."""
    expires = int((now + CONFIRM_VALID).timestamp()) if purpose == "confirm" else 0
    return f"{subscription}.{expires}.{_mac(secret, purpose, subscription, expires)}"


def read_token(secret: str, purpose: Purpose, token: str, *, now: datetime) -> str | None:
    """The subscription id of a valid token, or None (forged, for another purpose, or expired)."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    subscription, expires, mac = parts[0], int(parts[1]), parts[2]
    if not hmac.compare_digest(mac, _mac(secret, purpose, subscription, expires)):
        return None
    if expires and now.timestamp() > expires:
        return None
    return subscription


def _mac(secret: str, purpose: str, subscription: str, expires: int) -> str:
    message = f"{purpose}|{subscription}|{expires}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:32]


def digest_cutoff(now: datetime, hour: int, timezone: str) -> datetime:
    """The latest daily send time at or before ``now``: items queued before it go in the digest now due."""
    local = now.astimezone(ZoneInfo(timezone))
    today = datetime.combine(local.date(), time(hour), tzinfo=local.tzinfo)
    return today if local >= today else today - timedelta(days=1)
