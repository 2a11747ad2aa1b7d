from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReviewSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_REVIEW_", extra="ignore")

    port: int = 8002
    database: str = "govpub_review"
    rules_path: Path | None = None
    allowlist_path: Path | None = None
