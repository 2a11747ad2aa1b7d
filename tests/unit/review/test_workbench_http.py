"""The workbench's HTTP edge without a database: keys, roles and invalid requests as problem+json."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from services.review.main import create_app
from services.review.settings import ReviewSettings
from shared.auth import KeyStore
from shared.settings import CommonSettings


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, str]:
    store = KeyStore(tmp_path / "keys.yaml")
    return {"alice": store.create("alice", "reviewer"), "sam": store.create("sam", "submitter")}


@pytest.fixture
def client(tmp_path: Path, keys: dict[str, str]) -> Iterator[TestClient]:
    settings = ReviewSettings(common=CommonSettings(api_keys_file=tmp_path / "keys.yaml"))
    # Not entered as a context manager: no lifespan, so nothing connects to a broker or database.
    yield TestClient(create_app(settings))


def test_the_queue_needs_a_key_of_the_reviewer_role(client: TestClient, keys: dict[str, str]) -> None:
    anonymous = client.get("/v1/cases")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    submitter = client.get("/v1/cases", headers={"authorization": f"Bearer {keys['sam']}"})
    assert submitter.status_code == 403 and "reviewer" in submitter.json()["detail"]


def test_an_invalid_decision_names_each_field_with_its_own_fix(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post(
        "/v1/cases/d1:v1/decision",
        headers={"authorization": f"Bearer {keys['alice']}"},
        json={"decision": "approve", "reason": "", "add_mask": [], "add_masks": [{"field": "body", "start": -1,
                                                                                   "end": 3}]},
    )
    assert response.status_code == 422
    errors = {e["field"]: e["hint"] for e in response.json()["errors"]}
    assert set(errors) == {"decision", "reason", "add_masks.0.start", "add_mask"}
    assert "approved_with_redactions" in errors["decision"]
    assert "first character" in errors["add_masks.0.start"]
    assert errors["add_mask"].startswith("remove it")


def test_an_audit_period_that_is_not_a_date_is_refused_with_the_format(client: TestClient,
                                                                       keys: dict[str, str]) -> None:
    response = client.get("/v1/audit", params={"from": "2024-13-01"},
                          headers={"authorization": f"Bearer {keys['alice']}"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from" and "YYYY-MM-DD" in response.json()["errors"][0]["hint"]
