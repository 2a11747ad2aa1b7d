from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PublicationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_PUBLICATION_", extra="ignore")

    port: int = 8004
    database: str = "govpub_publication"
    page_size: int = 20
    max_candidates: int = 2000
