"""Bearer API keys and roles: stored hashed, checked per endpoint, clear problems when refused."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.auth import KeyStore, Principal, hash_key, require
from shared.http import install_problem_handlers


def app_with(keys: KeyStore, auth_required: bool) -> TestClient:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.keys = keys
    app.state.auth_required = auth_required

    @app.post("/decide")
    def decide(who: Annotated[Principal, require("reviewer")]) -> dict[str, str]:
        return {"name": who.name}

    @app.post("/submit")
    def submit(who: Annotated[Principal, require("submitter", unless_open=True)]) -> dict[str, str]:
        return {"name": who.name}

    return TestClient(app)


def test_key_is_stored_only_as_a_hash(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.yaml")
    key = store.create("alice", "reviewer")
    text = (tmp_path / "keys.yaml").read_text()
    assert key not in text and hash_key(key) in text
    assert store.authenticate(key) == Principal("alice", "reviewer")
    assert store.authenticate(key + "x") is None


def test_missing_unknown_and_wrong_role_keys_are_refused_with_problems(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.yaml")
    reviewer = store.create("alice", "reviewer")
    editor = store.create("bob", "editor")
    client = app_with(store, auth_required=True)

    missing = client.post("/decide")
    assert missing.status_code == 401 and missing.headers["content-type"] == "application/problem+json"
    assert client.post("/decide", headers={"authorization": "Bearer nope"}).status_code == 401
    wrong = client.post("/decide", headers={"authorization": f"Bearer {editor}"})
    assert wrong.status_code == 403 and "reviewer" in wrong.json()["detail"]
    assert client.post("/decide", headers={"authorization": f"Bearer {reviewer}"}).json() == {"name": "alice"}


def test_submitter_endpoints_are_open_only_when_auth_is_not_required(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.yaml")
    assert app_with(store, auth_required=False).post("/submit").status_code == 200
    assert app_with(store, auth_required=True).post("/submit").status_code == 401
    assert app_with(store, auth_required=False).post("/decide").status_code == 401


def test_admin_may_do_everything(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys.yaml")
    admin = store.create("root", "admin")
    assert app_with(store, True).post("/decide", headers={"authorization": f"Bearer {admin}"}).status_code == 200


def test_rate_limit_refuses_a_burst_then_refills() -> None:
    from shared.http import RateLimit

    now = [0.0]
    limiter = RateLimit(FastAPI(), per_second=2, burst=3, clock=lambda: now[0])
    assert [limiter.allow("a") for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("b")
    now[0] += 1.0
    assert [limiter.allow("a") for _ in range(3)] == [True, True, False]
