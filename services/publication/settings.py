from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class PublicationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GOVPUB_PUBLICATION_", extra="ignore")

    port: int = 8004
    database: str = "govpub_publication"
    page_size: int = 20
    max_candidates: int = Field(
        500, ge=1, description="Most candidates (best ranked first) whose text is checked for a quoted phrase."
    )
    search_refresh_interval_s: float = Field(
        1.0, ge=0,
        description="Most time (plus one read) another replica's library changes take to reach this one's "
        "search index, read in the background (this process's own changes are searchable at once; "
        "0: read changes before every search).",
    )

    search_snapshot_interval_s: float = Field(
        600.0, ge=0,
        description="How often the search index is saved as a snapshot (when the library changed since the "
        "last one), so that a restart loads it instead of scanning every entry; 0 turns it off "
        "(a snapshot is still saved after a full scan at start-up).",
    )

    # The portal (门户)
    site_name: str = Field("上海市知识产权局 政府信息公开", description="Shown in the portal's header and the feed title.")
    home_latest: int = Field(10, description="Latest releases on the home page.")
    feed_size: int = Field(50, description="Entries in /feed.atom.")
    catalog_per_group: int = Field(5, description="Latest documents listed under each catalogue heading.")

    # 三同步: a policy held for its interpretation longer than this raises InterpretationOverdue once.
    interpretation_limit_hours: float = Field(72.0, gt=0)
    overdue_check_interval_s: float = Field(300.0, description="How often held policies are checked; 0 turns it off.")

    # The link checker (杜绝错链、断链)
    links_interval_s: float = Field(3600.0, description="How often every published link is checked; 0 turns it off.")
    links_recheck_after_s: float = Field(86400.0, description="A link found working is checked again after this long.")
    links_concurrency: int = Field(8, ge=1, le=64)
    links_host_delay_s: float = Field(1.0, ge=0, description="Politeness: least time between two requests to one host.")
    links_timeout_s: float = Field(10.0, gt=0)
    links_max_redirects: int = Field(5, ge=0, le=20)
    links_allow: list[str] = Field(
        default_factory=list,
        description="host:port pairs that may be checked even though they resolve to non-public addresses "
        "(e.g. an intranet file server). Link-local addresses are refused regardless. "
        'As JSON: GOVPUB_PUBLICATION_LINKS_ALLOW=\'["files.intranet:443"]\'.',
    )
    links_user_agent: str = Field("govpub-linkcheck/1", description="User-Agent of link checks (ASCII).")
