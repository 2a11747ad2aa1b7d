"""Every HTTP route of every service, read from the services' own FastAPI apps, and which of them are public."""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

from services.console.settings import ConsoleSettings
from services.distribution.settings import DistributionSettings
from services.intake.settings import IntakeSettings
from services.publication.settings import PublicationSettings
from services.review.settings import ReviewSettings
from services.tagging.settings import TaggingSettings
from shared.settings import CommonSettings, ServiceSettings

SETTINGS: dict[str, type[ServiceSettings]] = {
    "intake": IntakeSettings,
    "review": ReviewSettings,
    "tagging": TaggingSettings,
    "publication": PublicationSettings,
    "distribution": DistributionSettings,
    "console": ConsoleSettings,
}
SERVICES = tuple(SETTINGS)

# What anyone may call without a key, and why. Anything not listed here must ask for a role.
PUBLIC: dict[str, set[tuple[str, str]]] = {
    # Operational endpoints every service has: probes, Prometheus, the OpenAPI document.
    "*": {
        ("GET", "/health"), ("GET", "/ready"), ("GET", "/metrics"),
        ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/docs/oauth2-redirect"), ("GET", "/redoc"),
    },
    # The public portal and library: released documents only.
    "publication": {
        ("GET", "/"), ("GET", "/search"), ("GET", "/documents/{document_id}"),
        ("GET", "/documents/{document_id}/versions/{version}"), ("GET", "/catalog"), ("GET", "/stats"),
        ("GET", "/feed.atom"), ("GET", "/v1/library"), ("GET", "/v1/library/{document_id}"), ("GET", "/v1/stats"),
        # Status reads without content: where a document is, which links are broken (no document text).
        ("GET", "/v1/publications/{document_id}"), ("GET", "/v1/links/broken"),
    },
    # The policy tag catalogue is published; tags of a document carry no document text.
    "tagging": {
        ("GET", "/v1/catalog"), ("GET", "/v1/catalog/retag"), ("GET", "/v1/catalog/versions"),
        ("GET", "/catalog"), ("GET", "/catalog/catalog.css"),
        ("GET", "/v1/documents/{document_id}/tags"), ("GET", "/v1/documents/{document_id}/tags/history"),
    },
    # The public feed and the e-mail subscription flow (double opt-in: confirm and unsubscribe carry a
    # signed token instead of a key); the channel list (names and rules, no secrets).
    "distribution": {
        ("GET", "/feed.atom"), ("GET", "/v1/channels"), ("POST", "/v1/subscriptions"),
        ("GET", "/v1/subscriptions/confirm"), ("GET", "/v1/subscriptions/unsubscribe"),
        ("POST", "/v1/subscriptions/unsubscribe"),
    },
    # The decision and finding kinds of a review, never the matched text (the console's trace reads it).
    "review": {("GET", "/v1/reviews/{document_id}")},
    # The operator console is read-only and keyless for reading (it is an internal service, never
    # exposed publicly; see deploy/RUNBOOK.md), except a dead letter's original bytes (a document
    # before review): those need an operator key. Its only action, replay, needs one too.
    "console": {
        ("GET", "/"), ("GET", "/topics"), ("GET", "/groups"), ("GET", "/dead-letters"),
        ("GET", "/dead-letters/{dead_letter_id}"), ("GET", "/stuck"), ("GET", "/documents"),
        ("GET", "/documents/{document_id}"), ("GET", "/v1/overview"), ("GET", "/v1/topics"), ("GET", "/v1/groups"),
        ("GET", "/v1/dead-letters"), ("GET", "/v1/stuck"),
        ("GET", "/v1/documents/{document_id}/trace"),
    },
}

# Routes that take the key in a form field rather than a header (the console's replay button).
FORM_KEY: dict[str, set[tuple[str, str]]] = {
    "console": {("POST", "/dead-letters/{dead_letter_id}/replay"), ("POST", "/dead-letters/{dead_letter_id}/bytes")}
}


@dataclass(frozen=True)
class Endpoint:
    service: str
    method: str
    path: str
    route: Any  # an APIRoute (or FastAPI's per-include view of one), or a plain starlette Route

    @property
    def roles(self) -> tuple[str, ...] | None:
        """The roles its ``shared.auth.require`` dependency lets in; None when it has none."""
        dependant = getattr(self.route, "dependant", None)
        for dependency in dependant.dependencies if dependant else ():
            call = dependency.call
            if getattr(call, "__qualname__", "") == "require.<locals>.check":
                return tuple(inspect.getclosurevars(call).nonlocals["roles"])
        return None

    @property
    def unless_open(self) -> bool:
        dependant = getattr(self.route, "dependant", None)
        for dependency in dependant.dependencies if dependant else ():
            if getattr(dependency.call, "__qualname__", "") == "require.<locals>.check":
                return bool(inspect.getclosurevars(dependency.call).nonlocals["unless_open"])
        return False

    @property
    def public(self) -> bool:
        return (self.method, self.path) in PUBLIC["*"] | PUBLIC.get(self.service, set())

    @property
    def form_key(self) -> bool:
        return (self.method, self.path) in FORM_KEY.get(self.service, set())

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{([^}:]+)", self.path)

    def url(self, **values: str) -> str:
        """The path with each parameter replaced by its value in ``values`` (default ``x``), URL-quoted."""
        return re.sub(r"\{([^}:]+)[^}]*\}", lambda m: quote(values.get(m.group(1), "x"), safe=""), self.path)


def _walk(routes: list[BaseRoute]) -> Iterator[Any]:
    for route in routes:
        candidates = getattr(route, "effective_candidates", None)
        if callable(candidates):  # FastAPI's lazily included router
            yield from _walk(candidates())
        elif not isinstance(route, Mount):  # mounts are static files
            yield route


def build_app(service: str, keys_file: Path, *, auth_required: bool = True, rate_limit_per_s: float = 0) -> FastAPI:
    """The service's real app, built by its own ``create_app`` with auth required; not started."""
    module = importlib.import_module(f"services.{service}.main")
    common = CommonSettings(auth_required=auth_required, api_keys_file=keys_file, rate_limit_per_s=rate_limit_per_s)
    settings = SETTINGS[service](common=common)
    app: FastAPI = module.create_app(settings)
    return app


@cache
def endpoints(service: str) -> tuple[Endpoint, ...]:
    """Every (method, path) the service answers, from its app (HEAD is GET's twin and left out)."""
    app = build_app(service, Path("/nonexistent/keys.yaml"))
    found: list[Endpoint] = []
    for route in _walk(app.routes):
        if not isinstance(route, APIRoute | Route) and not hasattr(route, "dependant"):
            continue
        for method in sorted(getattr(route, "methods", None) or ()):
            if method != "HEAD":
                found.append(Endpoint(service, method, route.path, route))
    return tuple(found)


def all_endpoints() -> list[Endpoint]:
    return [e for service in SERVICES for e in endpoints(service)]
