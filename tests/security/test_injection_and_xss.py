"""Against the real stack: NoSQL operator injection in every parameter and body field, XSS in every
rendered document field, and the console's form-key replay refusing the wrong keys.

Endpoints and their parameters are read from each service's FastAPI app (``routes.py``), and the
requests go to the running services with an admin key, so every injected value reaches the handler
and the real database behind it.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from govpub.stack import Stack
from shared.auth import KeyStore
from tests.conftest import Api, sample, wait_until
from tests.e2e.test_console import POISON_TOPIC, letters_of, running_console
from tests.security.routes import SERVICES, Endpoint, endpoints

pytestmark = pytest.mark.stack
PROBLEM = "application/problem+json"
NOTHING = "zz-nothing-here-7f3b"
# As strings: what a query string or a path can carry.
TEXT_PAYLOADS = ['{"$ne": null}', '{"$gt": ""}', '{"$where": "sleep(100)"}', ".*"]
# As JSON values: what a body field can carry.
OBJECT_PAYLOADS: list[Any] = [{"$ne": None}, {"$gt": ""}, {"$where": "sleep(100) || true"}, {"$regex": ".*"},
                              [{"$ne": None}]]
# Free-text parameters whose results are public anyway (full-text search of the library).
NO_VOLUME_CHECK = {("publication", "q")}
SKIP = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/metrics", "/health", "/ready"}


@pytest.fixture(scope="module")
def admin(stack: Stack) -> dict[str, str]:
    key = KeyStore(stack.config.keys_file).create(f"security-admin-{uuid.uuid4().hex[:6]}", "admin")
    return {"authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def console(stack: Stack) -> Iterator[str]:
    with running_console(stack) as url:
        yield url


def base_url(stack: Stack, console: str, service: str) -> str:
    return console if service == "console" else stack.config.url(service)


def volume(response: httpx.Response) -> int:
    """How much data an answer carries: items in every JSON list, or rows and items of an HTML page."""
    if not response.is_success:
        return 0  # a refusal carries no data (its list of problems is not data)
    kind = response.headers.get("content-type", "")
    if "json" in kind:
        def count(value: Any) -> int:
            if isinstance(value, list):
                return len(value) + sum(count(v) for v in value)
            if isinstance(value, dict):
                return sum(count(v) for v in value.values())
            return 0
        return count(response.json())
    return len(re.findall(r"<(?:tr|li|article)\b", response.text))


def safe_answer(response: httpx.Response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    kind = response.headers.get("content-type", "")
    if response.status_code >= 400 and "json" in kind:
        assert kind.startswith(PROBLEM), f"{where}: {kind}"
        body = response.json()
        assert body["status"] == response.status_code and body["detail"], where
    assert "Traceback" not in response.text and "pymongo" not in response.text.lower(), where


def query_params(endpoint: Endpoint) -> list[str]:
    dependant = endpoint.route.dependant
    return [p.alias for p in dependant.query_params]


def request(client: httpx.Client, base: str, endpoint: Endpoint, headers: dict[str, str], *,
            path: dict[str, str] | None = None, params: Any = None, body: Any = None) -> httpx.Response:
    for _ in range(5):
        response = client.request(endpoint.method, base + endpoint.url(**(path or {})), params=params,
                                  headers=headers, json=body, timeout=30)
        if response.status_code != 429:
            return response
        time.sleep(float(response.headers.get("retry-after", "1")))
    return response


@pytest.mark.parametrize("service", SERVICES)
def test_operator_injection_in_every_query_and_path_parameter_is_inert(
    service: str, stack: Stack, console: str, admin: dict[str, str], http: httpx.Client
) -> None:
    base = base_url(stack, console, service)
    tried = 0
    for endpoint in endpoints(service):
        if endpoint.path in SKIP or endpoint.form_key:
            continue
        for name in endpoint.path_params:
            injected = {p: request(http, base, endpoint, admin, path={name: p}) for p in TEXT_PAYLOADS}
            baseline = request(http, base, endpoint, admin, path={name: NOTHING})  # after: data only grows
            for payload, response in injected.items():
                where = f"{endpoint.method} {endpoint.path} {name}={payload}"
                safe_answer(response, where)
                assert not (response.is_success and not baseline.is_success), f"{where}: found what does not exist"
                assert volume(response) <= volume(baseline), f"{where}: more data than for a missing id"
                tried += 1
        for name in query_params(endpoint):
            injected = {p: request(http, base, endpoint, admin, params={name: p}) for p in TEXT_PAYLOADS}
            baseline = request(http, base, endpoint, admin, params={name: NOTHING})
            for payload, response in injected.items():
                where = f"{endpoint.method} {endpoint.path} ?{name}={payload}"
                safe_answer(response, where)
                if (service, name) not in NO_VOLUME_CHECK and baseline.is_success:
                    assert volume(response) <= volume(baseline), f"{where}: more data than for a value matching nothing"
                tried += 1
            if endpoint.method != "GET":
                continue  # ?x[$ne]= is simply ignored by the parser: on a write it would be a real, unfiltered call
            bracketed = {s: request(http, base, endpoint, admin, params={f"{name}{s}": ""}) for s in ("[$ne]", "[$gt]")}
            unfiltered = request(http, base, endpoint, admin)
            for suffix, response in bracketed.items():
                where = f"{endpoint.method} {endpoint.path} ?{name}{suffix}="
                safe_answer(response, where)
                assert volume(response) <= volume(unfiltered), f"{where}: more than the unfiltered answer"
                tried += 1
    assert tried, f"no parameter of {service} was tried"


def body_fields(endpoint: Endpoint, openapi: dict[str, Any]) -> list[str] | None:
    """The top-level fields of the endpoint's JSON body, from the OpenAPI document; None: no JSON body."""
    operation = openapi["paths"].get(endpoint.path, {}).get(endpoint.method.lower(), {})
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    for option in [schema, *schema.get("anyOf", [])]:
        ref = option.get("$ref")
        if ref:
            return list(openapi["components"]["schemas"][ref.rsplit("/", 1)[1]].get("properties", {}))
    return list(schema.get("properties", {}))


@pytest.mark.parametrize("service", SERVICES)
def test_operator_objects_in_every_json_body_field_are_refused_field_by_field(
    service: str, stack: Stack, console: str, admin: dict[str, str], http: httpx.Client
) -> None:
    base = base_url(stack, console, service)
    openapi = http.get(f"{base}/openapi.json").json()
    for endpoint in endpoints(service):
        if endpoint.method not in ("POST", "PUT", "PATCH") or endpoint.path in SKIP or endpoint.form_key:
            continue
        fields = body_fields(endpoint, openapi)
        base_body: dict[str, Any] = {}
        if (service, endpoint.path) == ("intake", "/v1/documents"):  # reads the upstream document itself
            base_body = {**sample("01-patent-pledge-notice.json"), "source_id": f"inj-{uuid.uuid4().hex[:8]}"}
            fields = list(base_body)
        if fields is None:
            continue  # takes no body: nothing to inject into (and a call would be a real, unfiltered one)
        for payload in [{"$where": "1", "$ne": None}, {"$gt": ""}]:
            whole = request(http, base, endpoint, admin, body=payload)
            safe_answer(whole, f"{endpoint.method} {endpoint.path} body={payload}")
            assert whole.is_client_error, f"{endpoint.method} {endpoint.path} took {payload}"
        for field in fields:
            for payload in OBJECT_PAYLOADS:
                where = f"{endpoint.method} {endpoint.path} {field}={payload}"
                response = request(http, base, endpoint, admin, body={**base_body, field: payload})
                safe_answer(response, where)
                assert response.is_client_error, f"{where}: accepted ({response.status_code})"
                problems = response.json().get("errors", [])
                assert any(field in str(e.get("field", "")) for e in problems), f"{where}: {problems}"


# ---------------------------------------------------------------- XSS in every rendered document field


def payload(field: str) -> str:
    return (f'<script>alert("{field}")</script><img src=x onerror=alert("{field}")>'
            f'<a href="javascript:alert(1)">{field}</a>&lt;script&gt;alert("{field}-entity")&lt;/script&gt;'
            f'"><svg onload=alert(1)>')


def unsafe_markup(html: str) -> list[str]:
    """What a browser would run: script elements, on* attributes, javascript: URLs."""
    found: list[str] = []

    class Scan(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(f"{tag}@{name}" for name, _ in attrs if name.startswith("on"))
            found.extend(f"{tag}@{n}" for n, v in attrs if (v or "").strip().lower().startswith("javascript:"))
            if tag in ("script", "iframe", "object", "embed"):
                found.append(tag)

    Scan().feed(html)
    return found


def test_xss_in_every_document_field_is_inert_on_the_portal_and_the_console(
    api: Api, stack: Stack, console: str, http: httpx.Client
) -> None:
    marker = f"xss{uuid.uuid4().hex[:8]}"
    document = sample("01-patent-pledge-notice.json")
    document.update(
        source_id=f"{marker}-{payload('source_id')}"[:200], title=f"关于专利质押的通知{marker}{payload('title')}",
        issuing_organ=f"上海市知识产权局{payload('issuing_organ')}", doc_type="通知",
        body=f"各有关单位：\n{payload('body')}\n详见 https://example.cn/a?x=<b>1</b>",
        note=f"（此件主动公开）{payload('note')}", addressees=[f"各区知识产权局{payload('addressees')}"],
        attachments=[{"name": f"附件1{payload('attachment')}.pdf", "url": "https://files.example.cn/1.pdf"}],
    )
    attempt = api.submit({**document, "attachments": [{"name": "x.pdf", "url": "javascript:alert(1)"}]})
    # A javascript: attachment is refused at the door, naming the field; the rest must render inert.
    assert attempt.status_code == 422 and any("attachments" in e["field"] for e in attempt.json()["errors"])
    response = api.submit(document)
    assert response.status_code == 202, response.text
    document_id = response.json()["document_id"]
    wait_until(lambda: api.library_entry(document_id).status_code == 200, 90, 0.3, "the XSS document in the library")

    portal, pages = api.url("publication"), {}
    for path, params in [(f"/documents/{document_id}", {}), (f"/documents/{document_id}/versions/1", {}),
                         ("/", {}), ("/search", {"q": "专利质押"}), ("/search", {"q": payload("q")}),
                         ("/catalog", {}), ("/stats", {})]:
        page = http.get(portal + path, params=params, follow_redirects=True)
        assert page.status_code == 200, path
        pages[f"portal {path} {params}"] = page.text
    wait_until(lambda: http.get(f"{console}/v1/documents/{document_id}/trace").json().get("title"), 45, 0.3,
               "the console's trace of the XSS document")
    for path, params in [(f"/documents/{document_id}", {}), ("/documents", {"q": marker}),
                         ("/documents", {"q": payload("q")}), ("/", {}), ("/stuck", {})]:
        page = http.get(console + path, params=params, follow_redirects=True)
        assert page.status_code == 200, path
        pages[f"console {path} {params}"] = page.text
    for where, html in pages.items():
        assert unsafe_markup(html) == [], where
        # As text the payload is harmless; as markup it must never appear.
        assert "<script>alert(" not in html and "<img src=x" not in html and "<svg onload" not in html, where
    shown = pages[f"portal /documents/{document_id} {{}}"]
    assert marker in shown and "&lt;script&gt;" in shown  # the text is there, as text
    feed = http.get(f"{portal}/feed.atom").text
    assert "<script" not in feed.lower() and "<img" not in feed.lower()
    json_entry = api.library_entry(document_id).json()
    assert marker in json.dumps(json_entry, ensure_ascii=False)


# ---------------------------------------------------------------- the console's form-key replay


async def test_console_replay_form_refuses_missing_unknown_and_wrong_role_keys(
    stack: Stack, console: str
) -> None:
    marker = f"sec-poison-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(bootstrap_servers=stack.config.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(POISON_TOPIC, b"\xff not an event " + marker.encode(), key=marker.encode())
    finally:
        await producer.stop()
    rows = await asyncio.to_thread(wait_until, lambda: letters_of(console, marker), 30, 0.3, "the dead letter")
    store = KeyStore(stack.config.keys_file)
    reviewer = store.create(f"security-reviewer-{marker}", "reviewer")
    operator = store.create(f"security-operator-{marker}", "operator")
    page = f"{console}/dead-letters/{rows[0]['id']}"
    async with httpx.AsyncClient(timeout=10) as client:
        for url in (f"{page}/replay", f"{page}/bytes"):  # replaying, and seeing the original bytes
            for form, status in [({}, 401), ({"key": "gpk_not-a-key"}, 401), ({"key": reviewer}, 403),
                                 ({"key": f"Bearer {reviewer}"}, 401)]:
                response = await client.post(url, data=form)
                assert response.status_code == status, (url, form.keys(), response.status_code)
                assert reviewer not in response.text
            cross_site = await client.post(url, data={"key": operator}, headers={"origin": "https://evil.example"})
            assert cross_site.status_code == 403
        shown = await client.post(f"{page}/bytes", data={"key": operator})
        assert shown.status_code == 200 and marker in shown.text and operator not in shown.text
        detail = (await client.get(f"{console}/v1/dead-letters/{rows[0]['id']}")).json()
    assert detail["replays"] == []
