"""Shared fixtures: the real embedded broker, database and services, started once per test session."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from govpub.stack import Stack, StackConfig

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "contracts" / "examples" / "documents"
T = TypeVar("T")


def wait_until(check: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.2, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or check}; last value: {last!r}")


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("govpub")
    config = StackConfig.ephemeral(data_dir)
    config.extra_env = {"GOVPUB_DISTRIBUTION_DISPATCH_INTERVAL_S": "0.2",
                        "GOVPUB_RECORD_QUERIES_PATH": str(data_dir / "queries.jsonl")}  # tests/e2e/test_query_indexes.py
    stack = Stack(config)
    stack.up()
    yield stack
    stack.down()
    artifacts = os.environ.get("GOVPUB_TEST_ARTIFACTS")
    if artifacts:
        target = Path(artifacts) / "logs"
        target.mkdir(parents=True, exist_ok=True)
        for log in (data_dir / "logs").glob("*.log"):
            (target / log.name).write_bytes(log.read_bytes())


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


class Api:
    """Thin helpers over the services' HTTP APIs, for readable tests."""

    def __init__(self, stack: Stack, client: httpx.Client) -> None:
        self.stack = stack
        self.client = client

    def url(self, service: str) -> str:
        return self.stack.config.url(service)

    def submit(self, document: dict[str, Any]) -> httpx.Response:
        return self.client.post(f"{self.url('intake')}/v1/documents", json=document)

    def library_entry(self, document_id: str) -> httpx.Response:
        return self.client.get(f"{self.url('publication')}/v1/library/{document_id}")

    def search(self, **params: Any) -> dict[str, Any]:
        return self.client.get(f"{self.url('publication')}/v1/library", params=params).json()  # type: ignore[no-any-return]

    def deliveries(self, document_id: str) -> list[dict[str, Any]]:
        response = self.client.get(f"{self.url('distribution')}/v1/deliveries", params={"document_id": document_id})
        return response.json()["deliveries"]  # type: ignore[no-any-return]

    def delivered(self, document_id: str, count: int) -> list[dict[str, Any]] | None:
        rows = [d for d in self.deliveries(document_id) if d["status"] == "delivered"]
        return rows if len(rows) >= count else None

    def received(self) -> dict[str, Any]:
        return self.client.get(f"{self.stack.config.receiver_url}/received").json()  # type: ignore[no-any-return]

    def publication_status(self, document_id: str) -> dict[str, Any] | None:
        response = self.client.get(f"{self.url('publication')}/v1/publications/{document_id}")
        return response.json() if response.status_code == 200 else None

    def review(self, document_id: str) -> dict[str, Any] | None:
        response = self.client.get(f"{self.url('review')}/v1/reviews/{document_id}")
        return response.json() if response.status_code == 200 else None


@pytest.fixture(scope="session")
def api(stack: Stack, http: httpx.Client) -> Api:
    return Api(stack, http)
