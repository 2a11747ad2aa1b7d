from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_INTAKE_", extra="ignore")

    port: int = 8001
    database: str = "govpub_intake"
    max_body_bytes: int = 5_000_000
    max_attachments: int = 50
    max_request_bytes: int = 6_000_000
    stuck_after_s: float = 120.0
    stuck_check_interval_s: float = 30.0
    max_redrives: int = 5
    max_redrives_per_check: int = 200
