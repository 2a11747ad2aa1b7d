from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ReviewSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_REVIEW_", extra="ignore")

    port: int = 8002
    database: str = "govpub_review"
    rules_path: Path | None = None
    allowlist_path: Path | None = None
    lock_ttl_s: float = Field(900.0, gt=0, description="How long a reviewer's lock on a case lasts (seconds).")
    queue_page_size: int = Field(50, ge=1, le=500, description="Cases per page of GET /v1/cases.")
    audit_page_size: int = Field(200, ge=1, le=5000, description="Rows per page of GET /v1/audit (JSON).")
    audit_utc_offset: str = Field(
        "+08:00", pattern=r"^[+-](?:0\d|1[0-4]):[0-5]\d$",
        description="The office's UTC offset: audit queries by date mean whole days there.",
    )
