"""The reviewer workbench against the real stack: queue, locks, decisions, four-eyes, audit, no leaks."""

from __future__ import annotations

import asyncio
import csv
import json
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import typer
from aiokafka import AIOKafkaConsumer
from typer.testing import CliRunner

from govpub import cli_review
from govpub.stack import Stack
from services.review.audit import COLUMN_NAMES
from shared.auth import KeyStore
from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack
DECISIONS = "review.decision-made.v1"
PATIENCE = 90.0
T = TypeVar("T")


@pytest.fixture(scope="module")
def keys(stack: Stack) -> dict[str, str]:
    store = KeyStore(stack.config.keys_file)
    return {name: store.create(name, role) for name, role in
            [("alice", "reviewer"), ("bob", "reviewer"), ("sam", "submitter"), ("eve", "editor")]}


def auth(keys: dict[str, str], name: str) -> dict[str, str]:
    return {"authorization": f"Bearer {keys[name]}"}


def new_mobile() -> str:
    return f"139{random.randrange(10**8):08d}"


def fresh(name: str, **changes: Any) -> dict[str, Any]:
    document = sample(name)
    document["source_id"] = f"{document['source_id']}-{uuid.uuid4().hex[:8]}"
    document.update(changes)
    return document


def trade_secret_notice(mobile: str) -> dict[str, Any]:
    document = sample("01-patent-pledge-notice.json")
    return fresh("01-patent-pledge-notice.json",
                 body=document["body"] + f"\n三、附件\n本通知附件含商业秘密，联系人手机{mobile}。")


def submit_for(api: Api, document: dict[str, Any]) -> dict[str, Any]:
    # Intake fails the request (500 or a dropped connection) when its own consumer writes the
    # same document at that moment (a WriteConflict); resubmitting is idempotent, so ask again.
    for attempt in range(6):
        try:
            response = api.submit(document)
        except httpx.TransportError:
            if attempt == 5:
                raise
        else:
            if response.status_code < 500:
                break
        time.sleep(0.5)
    assert response.status_code == 202, response.text
    return response.json()


def submit(api: Api, document: dict[str, Any]) -> str:
    return str(submit_for(api, document)["document_id"])


class Workbench:
    def __init__(self, api: Api, keys: dict[str, str]) -> None:
        self.api, self.keys = api, keys
        self.base = f"{api.url('review')}/v1"

    def get(self, path: str, who: str = "alice", **params: Any) -> httpx.Response:
        return self.api.client.get(f"{self.base}{path}", params=params, headers=auth(self.keys, who))

    def post(self, path: str, who: str = "alice", body: Any = None) -> httpx.Response:
        return self.api.client.post(f"{self.base}{path}", json=body, headers=auth(self.keys, who))

    def queued(self, document_id: str, status: str = "pending") -> dict[str, Any] | None:
        page: int | None = 1
        while page:
            listing = self.get("/cases", status=status, page=page).json()
            for case in listing["cases"]:
                if case["document_id"] == document_id:
                    return case
            page = listing["next_page"]
        return None

    def decide(self, case_id: str, who: str, decision: str, **more: Any) -> httpx.Response:
        return self.post(f"/cases/{case_id}/decision", who, {"decision": decision, "reason": "审查意见", **more})

    def audit(self, **params: Any) -> list[dict[str, Any]]:
        return self.get("/audit", **params).json()["entries"]


@pytest.fixture(scope="module")
def bench(api: Api, keys: dict[str, str]) -> Workbench:
    return Workbench(api, keys)


def released(api: Api, document_id: str) -> Callable[[], dict[str, Any] | None]:
    def check() -> dict[str, Any] | None:
        try:
            response = api.library_entry(document_id)
        except httpx.TimeoutException:  # a busy machine: ask again
            return None
        return response.json() if response.status_code == 200 else None
    return check


def eventually(check: Callable[[], T | None], what: str) -> T:
    """wait_until with room for a busy 2-core CI machine."""
    return wait_until(check, PATIENCE, 0.3, what)


async def decision_events(bootstrap: str, document_id: str, enough: Callable[[list[dict[str, Any]]], bool],
                          within_s: float = 30.0) -> list[dict[str, Any]]:
    """Every DecisionMade of ``document_id`` from the start of the topic, once ``enough`` of them are seen."""
    consumer = AIOKafkaConsumer(
        DECISIONS, bootstrap_servers=bootstrap, group_id=f"test-{uuid.uuid4().hex}", auto_offset_reset="earliest",
        session_timeout_ms=6000, fetch_max_wait_ms=20, enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[dict[str, Any]] = []
    try:
        deadline = asyncio.get_running_loop().time() + within_s
        while asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                seen.extend({"raw": r.value, "value": json.loads(r.value)} for r in records
                            if r.key == document_id.encode())
            if enough(seen):
                return seen
        raise AssertionError(f"only {len(seen)} decision(s) of {document_id} on {DECISIONS} within {within_s}s")
    finally:
        await consumer.stop()


# ---------------------------------------------------------------- the main path


def test_trade_secret_document_waits_for_a_reviewer_and_is_released_after_approval(
    api: Api, bench: Workbench
) -> None:
    mobile = new_mobile()
    document_id = submit(api, trade_secret_notice(mobile))

    queued = eventually(lambda: bench.queued(document_id), "the case in the reviewer queue")
    assert queued["automatic"]["reason_code"] == "trade_secret" and mobile not in json.dumps(queued)
    assert queued["findings"] == {"trade_secret/human": 1, "mobile/mask": 1} and queued["lock"] is None
    eventually(lambda: (api.publication_status(document_id) or {}).get("candidate_status") == "awaiting_reviewer",
               "publication waiting for the reviewer")
    assert api.library_entry(document_id).status_code == 404

    case_id = queued["case_id"]
    lock = bench.post(f"/cases/{case_id}/lock")
    assert lock.status_code == 200 and lock.json()["lock"]["holder"] == "alice"
    view = bench.get(f"/cases/{case_id}").json()
    assert view["lock"]["holder"] == "alice" and '<mark data-rule="TS-MARKER"' in view["fields"]["body"]["html"]
    assert [m["kind"] for m in view["masks"]] == ["mobile"]

    decided = bench.decide(case_id, "alice", "approved_with_redactions", reason="附件不随文公开，正文可公开")
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved_with_redactions"

    entry = eventually(released(api, document_id), "the approved document in the library")
    assert mobile not in entry["body"] and f"{mobile[:3]}****{mobile[-4:]}" in entry["body"]
    review = api.review(document_id)
    assert review is not None and (review["decided_by"], review["decision"]) == ("alice", "approved_with_redactions")
    actions = [(r["action"], r["actor"]) for r in bench.audit(document_id=document_id)]
    assert actions == [("automatic_review", "auto"), ("lock", "alice"), ("decision", "alice")]
    row = bench.audit(document_id=document_id)[-1]
    assert row["reason"] == "附件不随文公开，正文可公开" and row["text_hash_before"] != row["text_hash_after"]
    assert {f["rule_id"] for f in row["findings"]} == {"TS-MARKER", "PII-MOBILE"}


async def test_matched_mobile_number_never_leaves_the_review_service(
    api: Api, bench: Workbench, stack: Stack
) -> None:
    mobile = new_mobile()
    document_id = submit(api, trade_secret_notice(mobile))
    queued = await asyncio.to_thread(eventually, lambda: bench.queued(document_id), "the queued case")
    assert bench.decide(queued["case_id"], "alice", "approved_with_redactions").status_code == 200
    await asyncio.to_thread(eventually, released(api, document_id), "the release")

    review = api.client.get(f"{api.url('review')}/v1/reviews/{document_id}")
    assert review.status_code == 200 and mobile not in review.text
    decisions = await decision_events(stack.config.bootstrap, document_id,
                                      lambda seen: any(e["value"]["decided_by"] == "alice" for e in seen), PATIENCE)
    assert [e["value"]["decided_by"] for e in decisions] == ["auto", "alice"]
    assert all(mobile.encode() not in e["raw"] for e in decisions)
    assert decisions[0]["value"]["document"] is None  # needs_human: no content at all
    assert decisions[1]["value"]["content_hash"] == decisions[0]["value"]["content_hash"]
    log = Path(stack.config.data_dir) / "logs" / "review.log"
    assert document_id in log.read_text(encoding="utf-8", errors="replace")  # the log is the right one
    assert mobile not in log.read_text(encoding="utf-8", errors="replace")
    export = bench.get("/audit", document_id=document_id, format="csv")
    assert export.status_code == 200 and mobile not in export.text


# ---------------------------------------------------------------- four-eyes


def test_classified_document_overridden_to_approved_needs_a_second_reviewer(api: Api, bench: Workbench) -> None:
    document_id = submit(api, fresh("03-classified-document.json"))
    review = eventually(lambda: api.review(document_id), "the automatic review")
    assert review["decision"] == "rejected" and review["reason_code"] == "state_secret"
    case_id = review["case_id"]

    proposed = bench.decide(case_id, "alice", "approved", reason="密级标志为误标，已按程序解密")
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["status"] == "awaiting_confirmation"
    assert proposed.json()["awaiting_confirmation"]["proposed_by"] == "alice"
    assert bench.queued(document_id, "awaiting_confirmation") is not None
    assert api.review(document_id)["decision"] == "rejected"  # type: ignore[index]

    same = bench.post(f"/cases/{case_id}/confirm", "alice")
    assert same.status_code == 403 and same.json()["code"] == "second_reviewer_required"
    assert same.headers["content-type"].startswith("application/problem+json")
    assert api.library_entry(document_id).status_code == 404

    confirmed = bench.post(f"/cases/{case_id}/confirm", "bob", {"note": "同意解密意见"})
    assert confirmed.status_code == 200, confirmed.text
    assert (confirmed.json()["decided_by"], confirmed.json()["proposed_by"]) == ("bob", "alice")
    eventually(released(api, document_id), "the confirmed document in the library")
    rows = bench.audit(document_id=document_id)
    assert [(r["action"], r["actor"], r["proposed_by"]) for r in rows] == [
        ("automatic_review", "auto", None), ("proposal", "alice", None), ("confirmation", "bob", "alice"),
    ]


# ---------------------------------------------------------------- who may do what


def test_workbench_needs_a_reviewer_key(api: Api, bench: Workbench, keys: dict[str, str]) -> None:
    base = bench.base
    calls = [("GET", "/cases"), ("GET", "/cases/x:v1"), ("POST", "/cases/x:v1/lock"),
             ("POST", "/cases/x:v1/decision"), ("POST", "/cases/x:v1/confirm"), ("GET", "/audit")]
    for method, path in calls:
        for headers, status in [({}, 401), ({"authorization": "Bearer gpk_not-a-key"}, 401),
                                (auth(keys, "sam"), 403), (auth(keys, "eve"), 403)]:
            response = api.client.request(method, f"{base}{path}", headers=headers,
                                          json={"decision": "rejected", "reason": "x"} if method == "POST" else None)
            assert response.status_code == status, (method, path, headers, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    assert bench.get("/cases/x:v1").status_code == 404


def test_a_case_locked_by_another_reviewer_cannot_be_decided(api: Api, bench: Workbench) -> None:
    document_id = submit(api, trade_secret_notice(new_mobile()))
    case_id = eventually(lambda: bench.queued(document_id), "the queued case")["case_id"]
    assert bench.post(f"/cases/{case_id}/lock", "alice").status_code == 200

    refused = bench.decide(case_id, "bob", "rejected")
    assert refused.status_code == 403
    assert refused.json()["code"] == "locked_by_another_reviewer" and refused.json()["locked_by"] == "alice"
    assert bench.post(f"/cases/{case_id}/lock", "bob").status_code == 403

    invalid = bench.decide(case_id, "alice", "approved_with_redactions",
                           add_masks=[{"field": "body", "start": 0, "end": 100_000}])
    assert invalid.status_code == 422
    assert [e["field"] for e in invalid.json()["errors"]] == ["add_masks[0].end"]
    assert invalid.json()["errors"][0]["hint"]

    assert bench.decide(case_id, "alice", "rejected").status_code == 200
    again = bench.decide(case_id, "alice", "approved_with_redactions")
    assert again.status_code == 409 and again.json()["code"] == "case_closed"
    assert api.review(document_id)["decision"] == "rejected"  # type: ignore[index]


def test_a_decision_on_a_superseded_version_conflicts(api: Api, bench: Workbench) -> None:
    document = trade_secret_notice(new_mobile())
    document_id = submit(api, document)
    first = eventually(lambda: bench.queued(document_id), "version 1 queued")
    assert first["version"] == 1
    changed = {**document, "body": document["body"] + "\n四、其他\n本通知自印发之日起施行。"}
    assert submit_for(api, changed)["version"] == 2
    eventually(lambda: (c := bench.queued(document_id)) and c["version"] == 2, "version 2 queued")

    stale = bench.decide(first["case_id"], "alice", "approved_with_redactions")
    assert stale.status_code == 409 and stale.json()["code"] == "version_superseded"
    assert bench.get(f"/cases/{first['case_id']}").json()["status"] == "superseded"


# ---------------------------------------------------------------- the audit export


def test_audit_export_writes_every_decision_of_the_period_as_csv(
    api: Api, bench: Workbench, keys: dict[str, str], tmp_path: Path
) -> None:
    document_id = submit(api, trade_secret_notice(new_mobile()))
    case_id = eventually(lambda: bench.queued(document_id), "the queued case")["case_id"]
    assert bench.decide(case_id, "bob", "rejected", reason="=含商业秘密，不予公开").status_code == 200

    host = typer.Typer()
    host.add_typer(cli_review.app, name="audit")
    today = datetime.now(UTC).date()
    out = tmp_path / "audit.csv"
    result = CliRunner(env={"GOVPUB_REVIEW_URL": api.url("review"), "GOVPUB_API_KEY": keys["alice"]}).invoke(
        host, ["audit", "export", "--from", str(today - timedelta(days=1)), "--to", str(today + timedelta(days=1)),
               "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == COLUMN_NAMES
        rows = [r for r in reader if r["document_id"] == document_id]
    assert [(r["action"], r["actor"]) for r in rows] == [("automatic_review", "auto"), ("decision", "bob")]
    assert rows[1]["decision"] == "rejected" and rows[1]["reason"] == "'=含商业秘密，不予公开"

    denied = CliRunner(env={"GOVPUB_REVIEW_URL": api.url("review"), "GOVPUB_API_KEY": keys["sam"]}).invoke(
        host, ["audit", "export", "--from", str(today), "--to", str(today), "--out", str(tmp_path / "x.csv")],
    )
    assert denied.exit_code == 2 and "GOVPUB_API_KEY" in denied.output
    assert not (tmp_path / "x.csv").exists()
