from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TaggingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_TAGGING_", extra="ignore")

    port: int = 8003
    database: str = "govpub_tagging"
    catalogue_path: Path | None = None
