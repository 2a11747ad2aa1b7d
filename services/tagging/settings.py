from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class TaggingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_TAGGING_", extra="ignore")

    port: int = 8003
    database: str = "govpub_tagging"
    catalogue_path: Path | None = Field(
        None, description="The catalogue file; the highest version of it and the published ones is in force."
    )
    retag_page_size: int = Field(100, ge=1, le=2000, description="Documents re-tagged per transaction.")
    catalogue_refresh_s: float = Field(
        10.0, gt=0, description="How often to look for a newer published catalogue and for documents left behind."
    )
