"""Oversized and deeply nested bodies get a 413 or 422 problem that says what to change, on every route.

Runs the services' real apps in-process (not started): the limits are enforced by middleware before
any handler or database is reached, so a refusal here is a refusal in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shared.auth import KeyStore
from shared.http import MAX_JSON_DEPTH, BodySizeLimit, nesting_depth
from tests.security.routes import SERVICES, Endpoint, build_app, endpoints

PROBLEM = "application/problem+json"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def admin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("keys") / "keys.yaml"
    return path, KeyStore(path).create("security-admin", "admin")


@pytest.fixture(scope="module")
def clients(admin: tuple[Path, str]) -> Iterator[dict[str, tuple[TestClient, int]]]:
    found = {}
    for service in SERVICES:
        app = build_app(service, admin[0])
        limit = next(m.kwargs["max_bytes"] for m in app.user_middleware if m.cls is BodySizeLimit)
        found[service] = (TestClient(app, raise_server_exceptions=False), limit)
    yield found


def writes(service: str) -> list[Endpoint]:
    return [e for e in endpoints(service) if e.method in WRITES]


def refused(response: object, status: int, words: str) -> None:
    assert response.status_code == status, response.text[:300]  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    assert words in response.json()["title"] + response.json()["detail"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("service", SERVICES)
def test_bodies_over_the_limit_are_refused_with_or_without_a_content_length(
    service: str, clients: dict[str, tuple[TestClient, int]], admin: tuple[Path, str]
) -> None:
    client, limit = clients[service]
    headers = {"authorization": f"Bearer {admin[1]}", "content-type": "application/json"}
    big = b" " * (limit + 1)

    def chunked() -> Iterator[bytes]:  # no Content-Length: transfer-encoding chunked
        for start in range(0, len(big), 1 << 20):
            yield big[start:start + (1 << 20)]

    for endpoint in writes(service):
        declared = client.request(endpoint.method, endpoint.url(), content=big, headers=headers)
        refused(declared, 413, f"the limit is {limit}")
        streamed = client.request(endpoint.method, endpoint.url(), content=chunked(), headers=headers)
        refused(streamed, 413, f"the limit is {limit}")


@pytest.mark.parametrize("service", SERVICES)
def test_deeply_nested_json_is_refused_before_any_parser_recurses(
    service: str, clients: dict[str, tuple[TestClient, int]], admin: tuple[Path, str]
) -> None:
    client, _ = clients[service]
    bodies = (b"[" * 20_000 + b"]" * 20_000, b'{"a":' * 5_000 + b"1" + b"}" * 5_000, b"[" * 30_000)
    # Whatever the declared type: some endpoints parse the body they get as JSON or YAML.
    for content_type in ("application/json", "application/yaml", "text/plain", None):
        headers = {"authorization": f"Bearer {admin[1]}"} | ({"content-type": content_type} if content_type else {})
        for body in bodies:
            for endpoint in writes(service):
                response = client.request(endpoint.method, endpoint.url(), content=body, headers=headers)
                refused(response, 422, "nested too deeply")
                assert f"the limit is {MAX_JSON_DEPTH}" in response.json()["detail"]


def test_nesting_depth_ignores_brackets_inside_strings() -> None:
    assert nesting_depth(b'{"title": "[[[[[[[[[[{{{{{{{{", "a": [[1], {"b": []}]}') == 4
    assert nesting_depth(b'{"escaped": "\\"[[[[\\"", "x": 1}') == 1
    assert nesting_depth(b"") == 0


def test_ordinary_bodies_still_reach_the_handlers(clients: dict[str, tuple[TestClient, int]]) -> None:
    """A normal-sized, flat body is validated by the endpoint as before (here: a field problem, not a limit)."""
    client, _ = clients["distribution"]
    response = client.post("/v1/subscriptions", json={"email": "not-an-address", "tags": ["[[[["]})
    assert response.status_code == 422 and "email" in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize("service", ["publication", "distribution"])
def test_public_services_rate_limit_each_client_but_never_the_probes(service: str, tmp_path: Path) -> None:
    client = TestClient(build_app(service, tmp_path / "keys.yaml", rate_limit_per_s=2), raise_server_exceptions=False)
    answers = [client.get("/feed.atom") for _ in range(10)]  # burst: 3 x 2 per second
    limited = [a for a in answers if a.status_code == 429]
    assert 4 <= len(limited) <= 8
    assert limited[0].headers["content-type"].startswith(PROBLEM) and limited[0].headers["retry-after"] == "1"
    assert "slow down" in limited[0].json()["detail"]
    assert all(client.get(path).status_code != 429 for path in ("/health", "/metrics") for _ in range(10))


def test_the_limit_is_off_unless_configured(tmp_path: Path) -> None:
    client = TestClient(build_app("publication", tmp_path / "keys.yaml"), raise_server_exceptions=False)
    assert all(client.get("/feed.atom").status_code != 429 for _ in range(20))
