"""Settings every service shares: where the broker and the database are, and how consumers behave.

All of them come from the environment with the prefix ``GOVPUB_`` (e.g. ``GOVPUB_KAFKA_BOOTSTRAP``).
Each service adds its own class with the prefix ``GOVPUB_<SERVICE>_`` and embeds this one.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_", extra="ignore")

    kafka_bootstrap: str = Field("127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated.")
    kafka_security_protocol: str = Field("PLAINTEXT", description="PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.")
    kafka_sasl_mechanism: str | None = Field(None, description="PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.")
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    kafka_ssl_cafile: str | None = None
    mongo_url: str = Field("mongodb://127.0.0.1:27017", description="MongoDB connection string.")

    # Consumer timings. The embedded broker holds every JoinGroup for session_timeout/2 and does not
    # wake waiting fetches when data arrives, so both values are kept small there (DESIGN.md, quirk 4).
    session_timeout_ms: int = 6000
    heartbeat_interval_ms: int = 1500
    fetch_max_wait_ms: int = 20
    # Consumers off the documents' path (the console's view, intake following progress downstream)
    # may see events this much later; each of them then asks the broker 25 times less often when idle.
    background_fetch_max_wait_ms: int = 500
    max_poll_records: int = 200
    batch_timeout_ms: int = 20
    producer_linger_ms: int = 2

    # Where the services find each other over HTTP (only the CLI and the console use these).
    intake_url: str = "http://127.0.0.1:8001"
    review_url: str = "http://127.0.0.1:8002"
    tagging_url: str = "http://127.0.0.1:8003"
    publication_url: str = "http://127.0.0.1:8004"
    distribution_url: str = "http://127.0.0.1:8005"

    public_base_url: str = Field(
        "http://127.0.0.1:8004", description="Base URL of the public portal, used in links sent to channels."
    )
    log_level: str = "INFO"
    auth_required: bool = Field(
        False, description="Require API keys on submitter and status endpoints too (true in production)."
    )
    api_keys_file: Path = Field(
        Path(".govpub/keys.yaml"), description="Hashed API keys with roles (`govpub keys create` writes it)."
    )
    rate_limit_per_s: float = Field(
        0.0, ge=0,
        description="Requests per second per client address (bursts of three times as many); 0 turns the limit "
        "off. Set it on the services the public reaches (publication, distribution); /health, /ready and /metrics "
        "are never limited.",
    )
    outbox_poll_interval_s: float = Field(
        2.0, description="Safety-net poll of the outbox; every commit that adds an event wakes the relay anyway"
    )
    max_event_bytes: int = Field(8_000_000, description="Largest event a consumer accepts; bigger ones are dead-lettered.")
    record_queries_path: Path | None = Field(
        None, description="Append the shape of every database query to this JSON-lines file (the index test uses it)."
    )


class ServiceSettings(BaseSettings):
    """Base of the per-service settings classes: an HTTP port, a database name and the shared settings."""

    model_config = SettingsConfigDict(extra="ignore")

    host: str = "127.0.0.1"
    port: int
    database: str
    common: CommonSettings = Field(default_factory=CommonSettings)
