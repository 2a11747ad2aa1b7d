"""The composition every service shares: clients created in the app's lifespan, never at import.

A service builds one ``Runtime``, registers its subscribers and routers on it, and gets a FastAPI
app whose lifespan connects MongoDB, starts the Kafka broker and the outbox relay, and exposes
``/health``, ``/ready`` and ``/metrics``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, Any

import uvicorn
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.auth import KeyStore, Principal, require
from shared.http import BodySizeLimit, RateLimit, Utf8TargetProtocol, install_problem_handlers
from shared.logging import configure_logging, get_logger
from shared.messaging import (
    BatchHandler,
    ConsumerState,
    DeadLetters,
    make_broker,
    subscribe,
)
from shared.metrics import Metrics
from shared.mongo import make_client, ping
from shared.outbox import Outbox, ensure_indexes, retrying
from shared.settings import ServiceSettings

log = get_logger(__name__)
Hook = Callable[["Runtime"], Awaitable[None]]


class Runtime:
    def __init__(self, service: str, settings: ServiceSettings) -> None:
        self.service = service
        self.settings = settings
        self.metrics = Metrics(service)
        self.consumers = ConsumerState()
        self.broker = make_broker(settings.common, client_id=f"govpub-{service}")
        self.dead_letters = DeadLetters(self.broker, service, self.metrics.on_dead_letter)
        self.groups: list[str] = []
        self._client: Any = None
        self._db: AsyncDatabase | None = None
        self._outbox: Outbox | None = None
        self._started_hooks: list[Hook] = []
        self._stopping_hooks: list[Hook] = []
        self._readiness_checks: dict[str, Callable[[], bool]] = {}
        self.broker_started = False

    # ---- wiring

    def group(self, suffix: str | None = None) -> str:
        return f"govpub.{self.service}" + (f".{suffix}" if suffix else "")

    def subscribe(
        self,
        models: Mapping[str, type[BaseModel]],
        handler: BatchHandler,
        *,
        group: str | None = None,
        background: bool = False,
    ) -> None:
        """Consume the topics of ``models`` in one consumer group (default ``govpub.<service>``).

        ``background``: a group off the documents' path, polled less often (``background_fetch_max_wait_ms``).
        """
        group = group or self.group()
        if group not in self.groups:
            self.groups.append(group)
        label = ",".join(models)

        async def measured(batch: list[Any]) -> None:
            try:
                await retrying(lambda: handler(batch))
            except Exception:
                self.metrics.failed.labels(self.service, label).inc()
                log.exception("handler failed; the batch will be delivered again", group=group, size=len(batch))
                raise

        subscribe(
            self.broker,
            self.settings.common,
            models=models,
            group=group,
            handler=measured,
            dead_letters=self.dead_letters,
            state=self.consumers,
            on_consumed=self.metrics.on_consumed,
            background=background,
        )

    def on_started(self, hook: Hook) -> Hook:
        self._started_hooks.append(hook)
        return hook

    def on_stopping(self, hook: Hook) -> Hook:
        self._stopping_hooks.append(hook)
        return hook

    def ready_when(self, name: str, check: Callable[[], bool]) -> None:
        """One more condition of ``/ready`` (e.g. a cache loaded in the background), reported under ``name``."""
        self._readiness_checks[name] = check

    # ---- resources (available once started)

    @property
    def db(self) -> AsyncDatabase:
        assert self._db is not None, "the runtime is not started"
        return self._db

    @property
    def outbox(self) -> Outbox:
        assert self._outbox is not None, "the runtime is not started"
        return self._outbox

    # ---- lifecycle

    async def start(self) -> None:
        common = self.settings.common
        self._client = make_client(common, f"govpub-{self.service}")
        self._db = self._client[self.settings.database]
        self._outbox = Outbox(
            self._client,
            self._db,
            self.broker,
            poll_interval_s=common.outbox_poll_interval_s,
            on_published=self.metrics.on_published,
        )
        await ensure_indexes(self._db)
        await self.broker.connect()
        for hook in self._started_hooks:
            await hook(self)
        await self.broker.start()
        self.broker_started = True
        self._outbox.start()
        log.info("started", groups=self.groups)

    async def stop(self) -> None:
        for hook in self._stopping_hooks:
            with contextlib.suppress(Exception):
                await hook(self)
        if self._outbox:
            await self._outbox.stop()
        with contextlib.suppress(Exception):
            await self.broker.stop()
        if self._client is not None:
            await self._client.close()
        log.info("stopped")

    async def readiness(self) -> dict[str, Any]:
        checks: dict[str, Any] = {
            "database": self._db is not None and await ping(self._db),
            "broker": self.broker_started and await self.broker.ping(timeout=2.0),
            "consumers": {g: sorted(self.consumers.assigned.get(g, ())) for g in self.groups},
        }
        for name, check in self._readiness_checks.items():
            checks[name] = check()
        checks["ready"] = bool(
            checks["database"] and checks["broker"] and all(checks["consumers"].values() or [True])
            and all(checks[name] for name in self._readiness_checks)
        )
        return checks

    async def refresh_gauges(self) -> None:
        for (group, topic, partition), lag in self.consumers.lag().items():
            self.metrics.lag.labels(self.service, group, topic, str(partition)).set(lag)
        if self._outbox is not None:
            with contextlib.suppress(Exception):
                self.metrics.outbox_backlog.labels(self.service).set(await self._outbox.backlog())

    # ---- the app

    def create_app(
        self,
        *,
        title: str,
        routers: Sequence[APIRouter] = (),
        max_request_bytes: int = 6_000_000,
        rate_limit_per_s: float | None = None,
    ) -> FastAPI:
        @contextlib.asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            configure_logging(self.service, self.settings.common.log_level)
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        app = FastAPI(title=title, lifespan=lifespan, version="1")
        app.add_middleware(BodySizeLimit, max_bytes=max_request_bytes)
        if rate_limit_per_s is None:
            rate_limit_per_s = self.settings.common.rate_limit_per_s
        if rate_limit_per_s > 0:
            app.add_middleware(RateLimit, per_second=rate_limit_per_s, burst=int(rate_limit_per_s * 3))
        install_problem_handlers(app)
        app.state.runtime = self
        app.state.keys = KeyStore(self.settings.common.api_keys_file)
        app.state.auth_required = self.settings.common.auth_required

        @app.get("/health", tags=["operations"])
        async def health() -> dict[str, str]:
            return {"status": "alive", "service": self.service}

        @app.get("/ready", tags=["operations"])
        async def ready() -> JSONResponse:
            checks = await self.readiness()
            return JSONResponse(checks, status_code=200 if checks["ready"] else 503)

        @app.post("/ops/outbox/replay", tags=["operations"])
        async def replay_outbox(
            since: datetime, _: Annotated[Principal, require("operator")]
        ) -> dict[str, Any]:
            """Publish again every event since ``since``: the recovery after the broker lost its data."""
            return {"service": self.service, "replayed": await self.outbox.replay(since)}

        @app.get("/metrics", tags=["operations"])
        async def metrics() -> Response:
            await self.refresh_gauges()
            return Response(generate_latest(self.metrics.registry), media_type=CONTENT_TYPE_LATEST)

        for router in routers:
            app.include_router(router)
        return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    uvicorn.run(
        app, host=settings.host, port=settings.port, log_config=None, access_log=False, http=Utf8TargetProtocol
    )
