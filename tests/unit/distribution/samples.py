"""A sample release (the contract's example, with an interpretation) and work items for adapter tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from services.distribution.domain import Work, delivery_id

EXAMPLE = Path(__file__).resolve().parents[3] / "contracts" / "examples" / "events" / "DocumentReleased.json"


def released(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    payload["interpretation"] = {
        "document_id": "i-1", "title": "《关于开展专利质押融资入园惠企活动的通知》政策解读",
        "url": "https://portal.example/documents/i-1",
    }
    payload.update(changes)
    return payload


def release_work(channel_id: str = "ch", **changes: Any) -> Work:
    payload = released(**changes)
    return Work(delivery_id(channel_id, payload["release_id"], "release"), channel_id, "release",
                payload["document_id"], payload["release_id"], payload)


def withdraw_work(channel_id: str, references: tuple[str, ...], released_payload: dict[str, Any] | None = None) -> Work:
    payload = released()
    data = {"document_id": payload["document_id"], "release_id": payload["release_id"], "version": 1,
            "reason": "政策调整", "withdrawn_at": "2024-04-01T00:00:00Z", "url": payload["url"], "audience": []}
    return Work(delivery_id(channel_id, payload["release_id"], "withdraw"), channel_id, "withdraw",
                payload["document_id"], payload["release_id"], data, references=references,
                released=released_payload or payload)
