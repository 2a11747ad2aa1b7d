"""Webhook: a signed JSON POST of the public contract to a subscriber's endpoint."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable

import httpx

from services.distribution.adapters import BaseAdapter, PermanentFailure, Progress, TemporaryFailure
from services.distribution.domain import Work, http_status_is_temporary

SIGNATURE_HEADER = "X-Govpub-Signature"
TIMESTAMP_HEADER = "X-Govpub-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``<timestamp>.<body>``, so a replayed body with a new time fails."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: float, tolerance_s: int = 300) -> bool:
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookAdapter(BaseAdapter):
    """The receiver deduplicates on ``Idempotency-Key`` (the delivery id), so a repeat after a timeout is harmless."""

    def __init__(
        self, endpoint: str, secret: str, client: httpx.AsyncClient, clock: Callable[[], float] = time.time
    ) -> None:
        self.endpoint = endpoint
        self.secret = secret
        self.client = client
        self.clock = clock

    async def deliver(self, work: Work, progress: Progress) -> str:
        envelope = {
            "type": "released" if work.action == "release" else "withdrawn",
            "delivery_id": work.delivery_id,
            "data": work.payload,
        }
        body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(self.clock()))
        headers = {
            "content-type": "application/json",
            "Idempotency-Key": work.delivery_id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
        }
        try:
            # Never follow a redirect: the partner's endpoint is the only address this channel may reach.
            response = await self.client.post(self.endpoint, content=body, headers=headers, follow_redirects=False)
        except httpx.HTTPError as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}".rstrip(": ")) from exc
        if response.status_code < 300:
            return response.headers.get("x-request-id", work.delivery_id)
        detail = f"HTTP {response.status_code}: {response.text[:300]}"
        if http_status_is_temporary(response.status_code):
            raise TemporaryFailure(detail)
        raise PermanentFailure(detail)
