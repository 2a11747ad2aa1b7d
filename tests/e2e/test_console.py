"""The operator console against the real stack: traces, dead letters and their replay, pages, and `govpub` ops commands."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from govpub import cli_ops
from govpub.stack import Proc, Stack, free_port
from shared.auth import KeyStore
from shared.events import DecisionMade, DocumentReceived, DocumentReleased, DocumentTagged
from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack
POISON_TOPIC = DocumentTagged.TOPIC  # publication consumes it
XSS = '<script>alert("dlq")</script>[bold]markup[/bold]'


def start_console(stack: Stack) -> tuple[Proc, str]:
    """``python -m services.console`` on a free port against the session stack; its log goes with the stack's."""
    port = free_port()
    env = {**stack.config.service_env(), "GOVPUB_CONSOLE_PORT": str(port)}
    proc = Proc("console", [sys.executable, "-m", "services.console"],
                stack.config.data_dir / "logs" / f"console-{port}.log", env, port)
    proc.start()
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if not proc.alive:
            raise AssertionError(f"the console exited during start-up:\n{proc.log.read_text(errors='replace')[-2000:]}")
        try:
            return httpx.get(f"{url}/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(ready, 90, 0.2, "the console to be ready")
    except BaseException:
        proc.stop()
        raise
    return proc, url


@contextlib.contextmanager
def running_console(stack: Stack) -> Iterator[str]:
    """The stack's own console when it starts one; otherwise one of our own for the module."""
    if "console" in stack.services:
        yield stack.config.url("console")
        return
    proc, url = start_console(stack)
    try:
        yield url
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def console(stack: Stack) -> Iterator[str]:
    with running_console(stack) as url:
        yield url


@pytest.fixture(scope="module")
def keys(stack: Stack) -> dict[str, str]:
    store = KeyStore(stack.config.keys_file)
    suffix = uuid.uuid4().hex[:6]
    return {role: store.create(f"console-test-{role}-{suffix}", role) for role in ("operator", "reviewer")}


@pytest.fixture(scope="module")
async def poisoned(stack: Stack, console: str) -> AsyncIterator[dict[str, Any]]:
    """A poison message on an event topic, and the dead letter publication made of it (as the console lists it)."""
    marker = f"poison-{uuid.uuid4().hex[:10]}"
    producer = AIOKafkaProducer(bootstrap_servers=stack.config.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(POISON_TOPIC, b"\xff\xfe " + XSS.encode() + b" " + marker.encode(),
                                     key=marker.encode(), headers=[("ce_id", marker.encode())])
    finally:
        await producer.stop()
    rows = await asyncio.to_thread(wait_until, lambda: letters_of(console, marker), 30, 0.3, "the dead letter")
    yield {"marker": marker, "id": rows[0]["id"], "row": rows[0]}


def letters_of(console: str, marker: str) -> list[dict[str, Any]]:
    rows = httpx.get(f"{console}/v1/dead-letters", params={"service": "publication"}).json()["dead_letters"]
    return [r for r in rows if r["key_text"] == marker]


def trace_of(console: str, document_id: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{console}/v1/documents/{document_id}/trace", timeout=10).json()
    return body


def submit(api: Api, **changes: Any) -> tuple[dict[str, Any], str]:
    document = {**sample("01-patent-pledge-notice.json"), "source_id": f"console-{uuid.uuid4().hex[:8]}", **changes}
    response = api.submit(document)
    assert response.status_code == 202, response.text
    return document, response.json()["document_id"]


def delivered_everywhere(console: str, document_id: str) -> dict[str, Any] | None:
    trace = trace_of(console, document_id)
    states = {c["channel_id"]: c["state"] for c in trace["channels"]}
    return trace if states.get("partner-webhook") == "delivered" and states.get("portal-feed") == "delivered" else None


# ---------------------------------------------------------------- traces, topics, groups


def test_trace_follows_a_document_from_received_to_released_in_order(api: Api, console: str) -> None:
    document, document_id = submit(api)
    trace = wait_until(lambda: delivered_everywhere(console, document_id), 45, 0.3, "delivery on both public channels")

    topics = [e["topic"] for e in trace["events"]]
    assert topics[0] == DocumentReceived.TOPIC
    assert topics[-1] == DocumentReleased.TOPIC
    assert set(topics[1:-1]) == {DecisionMade.TOPIC, DocumentTagged.TOPIC}
    received = trace["events"][0]
    assert all(e["correlation_id"] == received["correlation_id"] for e in trace["events"])
    assert {e["source"] for e in trace["events"]} == {
        "/govpub/intake", "/govpub/review", "/govpub/tagging", "/govpub/publication"}
    outcomes = {e["topic"]: e["outcome"] for e in trace["events"]}
    assert outcomes[DecisionMade.TOPIC].startswith("v1 approved")
    assert "tag(s)" in outcomes[DocumentTagged.TOPIC]
    assert document_id in outcomes[DocumentReleased.TOPIC]
    # The trace keeps ids and outcomes, never the body.
    assert document["body"][:20] not in str(trace["events"])
    why = {c["channel_id"]: c for c in trace["channels"]}
    assert why["park-webhook"]["state"] == "not for this channel"


def test_topics_and_groups_show_what_flows_and_every_services_lag(api: Api, console: str) -> None:
    _, document_id = submit(api)
    wait_until(lambda: delivered_everywhere(console, document_id), 45, 0.3, "delivery")

    topics = {t["name"]: t for t in httpx.get(f"{console}/v1/topics").json()["topics"]}
    received = topics[DocumentReceived.TOPIC]
    assert received["partitions"] == 4 and received["messages"] >= 1 and received["last_minute"] >= 1
    assert "publication.dead-letter.v1" in topics

    groups = httpx.get(f"{console}/v1/groups", timeout=10).json()
    assert all(s["reachable"] for s in groups["services"]), groups["services"]
    names = {g["group"] for g in groups["groups"]}
    assert {"govpub.review", "govpub.tagging", "govpub.publication", "govpub.console"} <= names
    assert any(p["group"] == "govpub.publication" and p["topic"] == DocumentTagged.TOPIC for p in groups["partitions"])


def test_stuck_documents_are_shown_or_the_reason_intake_cannot_tell(console: str) -> None:
    body = httpx.get(f"{console}/v1/stuck", timeout=10).json()
    assert isinstance(body["documents"], list)
    assert body["available"] or body["reason"]
    assert httpx.get(f"{console}/stuck", timeout=10).status_code == 200


# ---------------------------------------------------------------- dead letters and replay


def test_poison_message_is_listed_with_its_error_and_original_bytes(console: str, poisoned: dict[str, Any]) -> None:
    row = poisoned["row"]
    assert row["source_topic"] == POISON_TOPIC and row["group"] == "govpub.publication"
    assert "CloudEvent" in row["error"]
    detail = httpx.get(f"{console}/v1/dead-letters/{poisoned['id']}").json()
    assert XSS in detail["value_text"] and poisoned["marker"] in detail["value_text"]
    assert {h["name"] for h in detail["headers"]} >= {"ce_id", "dlq_error", "dlq_source_topic"}
    # The console notes the unreadable record in the trace of its key, and publishes nothing of its own.
    trace = trace_of(console, poisoned["marker"])
    assert [e["type"] for e in trace["events"]][:1] == ["unreadable"]


def test_only_an_operator_may_replay_and_the_original_bytes_go_back_to_the_topic(
    console: str, keys: dict[str, str], poisoned: dict[str, Any]
) -> None:
    url = f"{console}/v1/dead-letters/{poisoned['id']}/replay"
    assert httpx.post(url).status_code == 401
    denied = httpx.post(url, headers={"Authorization": f"Bearer {keys['reviewer']}"})
    assert denied.status_code == 403 and "operator" in denied.json()["detail"]
    assert httpx.post(url, headers={"Authorization": "Bearer gpk_not-a-key"}).status_code == 401

    done = httpx.post(url, headers={"Authorization": f"Bearer {keys['operator']}"})
    assert done.status_code == 200, done.text
    assert done.json()["topic"] == POISON_TOPIC

    # Publication reads the same bytes again, so it dead-letters them again: a second dead letter.
    def twice() -> list[dict[str, Any]] | None:
        rows = letters_of(console, poisoned["marker"])
        return rows if len(rows) >= 2 else None

    again = wait_until(twice, 30, 0.3, "the replayed record to be dead-lettered again")
    assert {r["source_topic"] for r in again} == {POISON_TOPIC}
    replays = httpx.get(f"{console}/v1/dead-letters/{poisoned['id']}").json()["replays"]
    assert replays and replays[0]["by"].startswith("console-test-operator")
    assert httpx.post(f"{console}/v1/dead-letters/nothing-here/replay",
                      headers={"Authorization": f"Bearer {keys['operator']}"}).status_code == 404


# ---------------------------------------------------------------- pages


def test_pages_render_with_a_strict_csp_and_escape_what_came_from_messages(
    api: Api, console: str, poisoned: dict[str, Any]
) -> None:
    # Intake strips tags but unescapes entities, so this title reaches the library as a live <script> tag.
    _, document_id = submit(api, title="关于&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;专利质押的通知")
    wait_until(lambda: trace_of(console, document_id)["title"], 45, 0.3, "the release")

    pages = ["/", "/topics", "/groups", "/dead-letters", "/stuck", f"/dead-letters/{poisoned['id']}",
             f"/documents/{document_id}", f"/documents/{poisoned['marker']}"]
    bodies = {}
    for page in pages:
        response = httpx.get(f"{console}{page}", timeout=10)
        assert response.status_code == 200, page
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "<script" not in response.text.lower(), f"{page} carries a script"
        bodies[page] = response.text
    assert "&lt;script&gt;alert(&#34;dlq&#34;)&lt;/script&gt;" in bodies[f"/dead-letters/{poisoned['id']}"]
    assert "关于&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;专利质押的通知" in bodies[f"/documents/{document_id}"]
    assert httpx.get(f"{console}/dead-letters/unknown-id").status_code == 404


def test_replay_form_needs_an_operator_key_and_refuses_other_sites(
    console: str, keys: dict[str, str], poisoned: dict[str, Any]
) -> None:
    url = f"{console}/dead-letters/{poisoned['id']}/replay"
    with httpx.Client(follow_redirects=False, timeout=10) as client:
        assert client.post(url, data={"key": ""}).status_code == 401
        refused = client.post(url, data={"key": keys["reviewer"]})
        assert refused.status_code == 403 and "operator" in refused.text
        assert client.post(url, data={"key": keys["operator"]},
                           headers={"Origin": "https://evil.example"}).status_code == 403
        done = client.post(url, data={"key": keys["operator"]}, headers={"Origin": console})
        assert done.status_code == 303
        assert done.headers["location"] == f"/dead-letters/{poisoned['id']}?replayed=true"
        assert "已重放 Replayed" in client.get(f"{console}{done.headers['location']}").text


# ---------------------------------------------------------------- govpub ops commands


def run(console: str, *args: str, key: str | None = None) -> Any:
    env = {"GOVPUB_CONSOLE_URL": console, "COLUMNS": "250", "GOVPUB_API_KEY": key or ""}
    return CliRunner().invoke(cli_ops.app, list(args), env=env)


def test_cli_shows_lag_dead_letters_a_trace_and_stuck_documents(
    api: Api, console: str, poisoned: dict[str, Any]
) -> None:
    _, document_id = submit(api)
    wait_until(lambda: delivered_everywhere(console, document_id), 45, 0.3, "delivery")

    lag = run(console, "lag")
    assert lag.exit_code == 0, lag.output
    assert "govpub.publication" in lag.output and "total lag" in lag.output
    assert run(console, "lag", "--partitions").exit_code == 0

    listed = run(console, "dlq", "list", "--service", "publication")
    assert listed.exit_code == 0 and poisoned["id"] in listed.output
    shown = run(console, "dlq", "show", poisoned["id"])
    assert shown.exit_code == 0, shown.output
    assert "[bold]markup[/bold]" in shown.output  # printed as it is, never read as rich markup

    traced = run(console, "trace", document_id)
    assert traced.exit_code == 0 and DocumentReleased.TOPIC in traced.output and "delivered" in traced.output
    assert run(console, "stuck").exit_code == 0


def test_cli_replay_needs_an_operator_key_and_errors_are_one_red_line(
    console: str, keys: dict[str, str], poisoned: dict[str, Any]
) -> None:
    missing = run(console, "dlq", "replay", poisoned["id"])
    assert missing.exit_code == 2 and "GOVPUB_API_KEY" in missing.output
    denied = run(console, "dlq", "replay", poisoned["id"], key=keys["reviewer"])
    assert denied.exit_code == 2 and "403" in denied.output
    done = run(console, "dlq", "replay", poisoned["id"], key=keys["operator"])
    assert done.exit_code == 0 and POISON_TOPIC in done.output

    unknown = run(console, "dlq", "show", "nothing-here")
    assert unknown.exit_code == 2 and "404" in unknown.output
    away = run(f"http://127.0.0.1:{free_port()}", "lag")
    assert away.exit_code == 2
    assert away.output.strip().count("\n") == 0 and "GOVPUB_CONSOLE_URL" in away.output
