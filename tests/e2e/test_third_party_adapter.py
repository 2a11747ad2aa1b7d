"""The example third-party adapter (confluent-kafka + jsonschema) against the real embedded broker."""

from __future__ import annotations

import importlib.util
import sys
import threading
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from govpub.stack import Stack
from tests.conftest import Api, sample, wait_until

REPO = Path(__file__).resolve().parents[2]


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("third_party_adapter", REPO / "contracts/examples/third_party_adapter.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


example = load_example()


def test_the_example_sets_aside_what_does_not_follow_the_schema() -> None:
    validators = example.load_validators()
    headers = [("ce_id", b"1"), ("ce_type", b"t"), ("ce_specversion", b"1.0"), ("ce_source", b"/s")]
    with pytest.raises(example.Invalid, match="title"):
        example.parse(example.RELEASED, headers, b'{"document_id": "d", "release_id": "d:v1", "version": 1}', validators)
    with pytest.raises(example.Invalid, match="ce_type"):
        example.parse(example.RELEASED, [("ce_id", b"1")], b"{}", validators)
    assert example.SeenStore().first_time("d:v1", "release")


@pytest.mark.stack
def test_the_example_adapter_receives_validated_releases_and_withdrawals_once(api: Api, stack: Stack) -> None:
    releases: list[dict[str, Any]] = []
    withdrawals: list[dict[str, Any]] = []
    adapter = example.ThirdPartyAdapter(stack.config.bootstrap, f"third-party-{uuid.uuid4().hex[:8]}",
                                        releases.append, withdrawals.append)
    stop = threading.Event()
    thread = threading.Thread(target=adapter.run, args=(stop,), daemon=True)
    thread.start()
    try:
        document = sample("01-patent-pledge-notice.json")
        document["source_id"] = f"third-party-{uuid.uuid4().hex[:8]}"
        response = api.submit(document)
        assert response.status_code == 202, response.text
        document_id = response.json()["document_id"]

        [released] = wait_until(lambda: [r for r in releases if r["document_id"] == document_id], timeout=60,
                                what="the release at the third-party adapter")
        assert released["release_id"] == f"{document_id}:v1" and released["url"].endswith(document_id)

        def withdraw() -> int:
            # Intake can answer 500 on a transient write conflict (its bug, reported); try again, as a client would.
            url = f"{api.url('intake')}/v1/documents/{document_id}"
            return int(api.client.delete(url, params={"reason": "测试撤回"}).status_code)

        assert wait_until(lambda: withdraw() == 202, timeout=20, interval=1, what="the withdrawal accepted")
        [withdrawn] = wait_until(lambda: [w for w in withdrawals if w["document_id"] == document_id], timeout=60,
                                 what="the withdrawal at the third-party adapter")
        assert withdrawn["reason"] == "测试撤回"
    finally:
        stop.set()
        thread.join(15)
