from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class ConsoleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_CONSOLE_", extra="ignore")

    port: int = 8000
    database: str = "govpub_console"
    http_timeout_s: float = Field(2.0, description="Timeout of each call to another service (metrics, stuck, deliveries).")
    page_size: int = Field(200, ge=1, le=1000, description="Rows on a list page.")
    api_key: str | None = Field(
        None,
        description="An operator key the console sends to the other services; needed when GOVPUB_AUTH_REQUIRED=true "
        "(intake's stuck documents and distribution's deliveries need the operator role then).",
    )
    trace_retention_days: int = Field(90, ge=1, description="Trace rows older than this are removed (TTL index).")
