"""Faults while documents flow: kill -9 each service, restart the broker and the database, fail a channel.

Then: every accepted document reached every intended channel exactly once, nothing unapproved or
classified appeared in public, and no planted personal data left the review service unmasked.
``make chaos`` runs it with more documents (GOVPUB_CHAOS_DOCUMENTS); CI runs the short form.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from govpub.stack import SERVICES, Stack, StackConfig
from tests.conftest import sample, wait_until

pytestmark = pytest.mark.stack
DOCUMENTS = int(os.environ.get("GOVPUB_CHAOS_DOCUMENTS", "24"))
PLANTED_ID = "11010519491231002X"
PLANTED_MOBILE = "13987654321"
IN_FLIGHT_AT_A_KILL = 2 * 8  # two webhook channels, each with the default concurrency of 8


@pytest.fixture(scope="module")
def chaos_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    config = StackConfig.ephemeral(tmp_path_factory.mktemp("chaos"))
    config.extra_env = {
        "GOVPUB_DISTRIBUTION_DISPATCH_INTERVAL_S": "0.2",
        "GOVPUB_INTAKE_STUCK_AFTER_S": "20",
        "GOVPUB_INTAKE_STUCK_CHECK_INTERVAL_S": "5",
    }
    stack = Stack(config)
    stack.up()
    yield stack
    stack.down()


def documents(run: str) -> list[dict[str, Any]]:
    """A mix: public notices with planted personal data, classified ones, targeted ones."""
    docs = []
    for i in range(DOCUMENTS):
        kind = i % 4
        if kind == 3:
            doc = sample("03-classified-document.json")
        elif kind == 2:
            doc = sample("06-targeted-park-notice.json")
        else:
            doc = sample("01-patent-pledge-notice.json")
            doc["body"] += f"\n联系人：李明，身份证号{PLANTED_ID}，手机{PLANTED_MOBILE}。"
        doc["source_id"] = f"chaos-{run}-{i}"
        doc["title"] = f"{doc['title']}（第{i}号）"
        docs.append(doc)
    return docs


def kill9(stack: Stack, name: str) -> None:
    proc = stack.broker if name == "broker" else stack.database if name == "database" else stack.services[name]
    assert proc is not None and proc.popen is not None
    os.killpg(proc.popen.pid, signal.SIGKILL)
    proc.popen.wait(10)


def supervise_until_healthy(stack: Stack, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.supervise_once()
        if all(p.alive for p in stack.services.values()):
            try:
                stack.wait_ready(list(stack.services), timeout=30)
                return
            except Exception:
                pass
        time.sleep(0.3)
    raise AssertionError("the stack did not recover")


def test_nothing_lost_duplicated_or_leaked_under_faults(chaos_stack: Stack) -> None:
    stack = chaos_stack
    run = uuid.uuid4().hex[:6]
    docs = documents(run)
    accepted: dict[str, dict[str, Any]] = {}
    faults = ["intake", "review", "tagging", "publication", "distribution", "broker", "database"]
    per_fault = max(1, len(docs) // (len(faults) + 1))
    with httpx.Client(timeout=15) as client:
        client.post(f"{stack.config.receiver_url}/control/fail", params={"count": 6, "status": 503})
        for i, doc in enumerate(docs):
            if i and i % per_fault == 0 and faults:
                fault = faults.pop(0)
                kill9(stack, fault)
                supervise_until_healthy(stack)
            for _ in range(60):
                try:
                    response = client.post(f"{stack.config.url('intake')}/v1/documents", json=doc)
                    break
                except httpx.HTTPError:
                    time.sleep(0.5)
            assert response.status_code == 202, response.text
            accepted[response.json()["document_id"]] = doc
        for fault in faults:
            kill9(stack, fault)
            supervise_until_healthy(stack)

        public = [d for d, doc in accepted.items() if "机密" not in doc["body"] and not doc.get("audience")]
        targeted = [d for d, doc in accepted.items() if doc.get("audience")]
        classified = [d for d, doc in accepted.items() if "机密" in doc["body"]]

        def delivered(document_id: str) -> list[str]:
            response = client.get(f"{stack.config.url('distribution')}/v1/deliveries",
                                  params={"document_id": document_id})
            return sorted(d["channel_id"] for d in response.json()["deliveries"] if d["status"] == "delivered")

        def all_delivered() -> bool:
            stack.supervise_once()
            return all(delivered(d) == ["partner-webhook", "portal-feed"] for d in public) and all(
                delivered(d) == ["park-webhook"] for d in targeted
            )

        wait_until(all_delivered, timeout=240, interval=1.0, what="every document on every intended channel")

        received = client.get(f"{stack.config.receiver_url}/received").json()
        ours = [r for r in received["received"] if r["data"]["document_id"] in accepted]
        # A delivery is recorded once per (version, channel) — checked above, as lists. A kill -9 between
        # a POST and its record makes the successor send it again with the same Idempotency-Key, which
        # the receiver answers as a repeat and does not process: at most what was in flight at the kill.
        resent = {k: n for k, n in received["posts"].items() if n > 1 and k.split(":")[1] in accepted}
        processed = Counter((r["hook"], r["data"]["document_id"], r.get("type")) for r in ours)
        duplicates = {k: n for k, n in processed.items() if n > 1}  # the same content processed twice
        leaked = [r for r in ours if r["data"]["document_id"] in classified]
        unmasked = [r for r in ours if PLANTED_ID in str(r) or PLANTED_MOBILE in str(r)]
        library_leaks = [
            d for d in classified + targeted
            if client.get(f"{stack.config.url('publication')}/v1/library/{d}").status_code == 200
        ]
        print(
            f"\nchaos: {len(accepted)} accepted ({len(public)} public, {len(targeted)} targeted, "
            f"{len(classified)} classified); webhook deliveries {len(ours)}; "
            f"lost 0; duplicated {len(duplicates)}; leaked {len(leaked) + len(library_leaks)}; unmasked {len(unmasked)}; "
            f"re-sent after the kill -9 of distribution with the same Idempotency-Key {len(resent)}"
        )
        assert duplicates == {}
        assert len(resent) <= IN_FLIGHT_AT_A_KILL and all(n == 2 for n in resent.values()), resent
        assert leaked == [] and library_leaks == []
        assert unmasked == []
        assert len(ours) == len(public) + len(targeted)
        logs = "".join(p.read_text(errors="replace") for p in (stack.config.data_dir / "logs").glob("*.log"))
        assert PLANTED_ID not in logs and PLANTED_MOBILE not in logs, "personal data in the logs"


def test_services_are_all_restarted_and_ready_after_the_faults(chaos_stack: Stack) -> None:
    with httpx.Client(timeout=5) as client:
        for name in SERVICES:
            assert client.get(f"{chaos_stack.config.url(name)}/ready").status_code == 200
