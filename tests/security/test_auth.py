"""Every non-public endpoint of every service refuses a missing, unknown, revoked or wrong-role key.

The endpoints are read from each service's own FastAPI app (built by its ``create_app`` with
``GOVPUB_AUTH_REQUIRED=true``), so a route added later is covered without editing this file; it
must either ask for a role or be added, with its reason, to the public allow-list in ``routes.py``.
The apps are not started: the key check runs before any handler touches the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from shared.auth import ROLES, KeyStore
from tests.security.routes import SERVICES, Endpoint, all_endpoints, build_app, endpoints

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("keys") / "keys.yaml"
    store = KeyStore(path)
    keys = {role: store.create(f"security-{role}", role) for role in ROLES}
    keys["revoked"] = store.create("security-revoked", "admin")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["keys"][-1]["revoked"] = True
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path, keys


@pytest.fixture(scope="module")
def clients(keys: tuple[Path, dict[str, str]]) -> Iterator[dict[str, TestClient]]:
    # Not entered as a context manager: the lifespan (broker, database) is never started.
    yield {s: TestClient(build_app(s, keys[0]), raise_server_exceptions=False) for s in SERVICES}


def guarded() -> list[Endpoint]:
    return [e for e in all_endpoints() if not e.public and not e.form_key]


def call(client: TestClient, endpoint: Endpoint, headers: dict[str, str]) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    response = client.request(endpoint.method, endpoint.url(), headers=headers)
    body = response.json() if response.headers.get("content-type", "").startswith(PROBLEM) else {}
    return response.status_code, response.headers.get("content-type", ""), body


def test_every_route_is_either_public_by_name_or_asks_for_a_role() -> None:
    unguarded = [f"{e.service} {e.method} {e.path}" for e in guarded() if e.roles is None]
    assert unguarded == [], "routes without a role check that are not on the public allow-list"
    # The allow-list names only routes that exist, so it cannot silently cover a renamed one.
    from tests.security.routes import FORM_KEY, PUBLIC

    existing = {(e.service, e.method, e.path) for e in all_endpoints()}
    for service, routes in {**PUBLIC, **{f"form:{k}": v for k, v in FORM_KEY.items()}}.items():
        name = service.removeprefix("form:")
        for method, path in routes:
            services = SERVICES if name == "*" else (name,)
            assert all((s, method, path) in existing for s in services), f"{name} {method} {path} does not exist"
    assert len(guarded()) >= 25  # the enumeration really found the APIs


@pytest.mark.parametrize("service", SERVICES)
def test_missing_malformed_unknown_and_revoked_keys_get_401_problems(
    service: str, clients: dict[str, TestClient], keys: tuple[Path, dict[str, str]]
) -> None:
    client = clients[service]
    for endpoint in (e for e in endpoints(service) if not e.public and not e.form_key):
        for headers in ({}, {"authorization": "Bearer gpk_not-a-key"}, {"authorization": keys[1]["admin"]},
                        {"authorization": f"Basic {keys[1]['admin']}"}, {"authorization": "Bearer "},
                        {"authorization": f"Bearer {keys[1]['revoked']}"}):
            status, content_type, body = call(client, endpoint, headers)
            where = f"{endpoint.method} {endpoint.path} with {headers or 'no key'}"
            assert status == 401, where
            assert content_type.startswith(PROBLEM) and body["status"] == 401 and body["detail"], where
            # The refusal names the fix, and never echoes a key back.
            assert "Bearer" in body["detail"] or "not valid" in body["detail"], where
            assert all(k not in str(body) for k in keys[1].values()), where


@pytest.mark.parametrize("service", SERVICES)
def test_wrong_roles_get_403_and_the_right_roles_get_past_the_check(
    service: str, clients: dict[str, TestClient], keys: tuple[Path, dict[str, str]]
) -> None:
    client = clients[service]
    for endpoint in (e for e in endpoints(service) if not e.public and not e.form_key):
        allowed = set(endpoint.roles or ()) | {"admin"}
        for role in ROLES:
            status, content_type, body = call(client, endpoint, {"authorization": f"Bearer {keys[1][role]}"})
            where = f"{endpoint.method} {endpoint.path} as {role}"
            if role in allowed:
                assert status not in (401, 403), where
            else:
                assert status == 403, where
                assert content_type.startswith(PROBLEM) and " or ".join(endpoint.roles or ()) in body["detail"], where


def test_open_demo_endpoints_need_their_role_once_auth_is_required(keys: tuple[Path, dict[str, str]]) -> None:
    """The submitter endpoints open in the demo profile (``unless_open``) are closed with the setting on."""
    open_in_demo = [e for e in all_endpoints() if e.unless_open]
    assert {(e.service, e.method, e.path) for e in open_in_demo} >= {("intake", "POST", "/v1/documents")}
    for endpoint in open_in_demo:
        demo = TestClient(build_app(endpoint.service, keys[0], auth_required=False), raise_server_exceptions=False)
        # Open without a key in the demo, but a bad key is still refused rather than ignored.
        assert demo.request(endpoint.method, endpoint.url(), headers={"authorization": "Bearer nope"}).status_code == 401
