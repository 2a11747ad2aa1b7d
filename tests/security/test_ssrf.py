"""SSRF: the link checker and the distribution channels never reach internal addresses.

The link checker runs with the real resolver and a real HTTP client against a local server that
records every request; the assertion is not only "refused" but "never asked". Distribution takes
no URL from the public at all (subscriptions are e-mail only); its endpoints come from the channel
registry, which refuses non-http(s) and link-local (cloud metadata) addresses, and its webhook
never follows a redirect.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from services.distribution.adapters import PermanentFailure, Progress, TemporaryFailure
from services.distribution.adapters.webhook import WebhookAdapter
from services.distribution.registry import RegistryError, load_channels
from services.publication.domain.links import host_port
from services.publication.links import Fetcher
from tests.security.routes import build_app
from tests.unit.distribution.samples import release_work


class Recorder(BaseHTTPRequestHandler):
    """Answers 200, or 302 to ``?to=``; remembers every request it was sent."""

    seen: ClassVar[list[str]] = []

    def _answer(self) -> None:
        Recorder.seen.append(self.path)
        target = parse_qs(urlsplit(self.path).query).get("to")
        self.send_response(302 if target else 200)
        if target:
            self.send_header("Location", target[0])
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[tuple[str, int]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server.server_address[1]
    server.shutdown()


def internal_addresses(port: int) -> list[str]:
    """The same local server (and the usual internal targets) spelled every way an attacker might."""
    return [
        f"http://127.0.0.1:{port}/", f"http://localhost:{port}/", f"http://[::1]:{port}/",
        f"http://127.1:{port}/", f"http://2130706433:{port}/", f"http://0x7f000001:{port}/",
        f"http://0.0.0.0:{port}/", f"http://[::ffff:127.0.0.1]:{port}/", f"http://[::ffff:7f00:1]:{port}/",
        f"http://public.example.cn@127.0.0.1:{port}/", f"HTTP://LOCALHOST:{port}/",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/", "http://[fe80::1]/",
        "http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.1.1/", "http://100.64.0.1/",
        "http://[fd00::1]/", "http://224.0.0.1/",
        "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "ftp://127.0.0.1/", "javascript:alert(1)",
        "dict://127.0.0.1:11211/stat",
    ]


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2, follow_redirects=False) as c:
        yield c


async def test_link_checker_refuses_every_internal_address_without_asking_it(
    recorder: tuple[str, int], client: httpx.AsyncClient
) -> None:
    _, port = recorder
    fetcher = Fetcher(client, allow=frozenset(), concurrency=4, host_delay_s=0, max_redirects=3)
    Recorder.seen.clear()
    for url in internal_addresses(port):
        checked = await fetcher.check(url)
        assert checked.outcome.state == "refused", (url, checked)
        assert checked.outcome.status is None and checked.outcome.error, url
    assert Recorder.seen == []


async def test_link_checker_refuses_redirects_to_internal_addresses_from_an_allowed_host(
    recorder: tuple[str, int], client: httpx.AsyncClient
) -> None:
    base, port = recorder
    # The recorder is allow-listed as 127.0.0.1:port only: the same server under another name is not.
    fetcher = Fetcher(client, allow=frozenset({f"127.0.0.1:{port}"}), concurrency=4, host_delay_s=0, max_redirects=3)
    for target in internal_addresses(port):
        if host_port(target) == ("127.0.0.1", port):
            continue  # the allow-listed server itself (also behind a user-info prefix)
        Recorder.seen.clear()
        start = f"{base}/hop?to={quote(target, safe='')}"
        checked = await fetcher.check(start)
        assert checked.outcome.state == "refused", (target, checked)
        assert len(checked.redirects) == 1 and checked.redirects[0].endswith(f" {start}"), target
        assert len(Recorder.seen) == 1 and Recorder.seen[0].startswith("/hop"), (target, Recorder.seen)


async def test_webhook_never_follows_a_redirect_even_on_a_client_that_would(recorder: tuple[str, int]) -> None:
    base, _ = recorder
    Recorder.seen.clear()
    inner = f"{base}/internal-admin"
    async with httpx.AsyncClient(timeout=2, follow_redirects=True) as following:
        adapter = WebhookAdapter(f"{base}/hooks?to={quote(inner, safe='')}", "s3cret", following)
        with pytest.raises((PermanentFailure, TemporaryFailure), match="302"):
            await adapter.deliver(release_work("partner"), Progress())
    assert [p for p in Recorder.seen if p.startswith("/internal-admin")] == []


@pytest.mark.parametrize("endpoint", [
    "file:///etc/passwd", "gopher://127.0.0.1:6379/_INFO", "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/hook", "http://[::ffff:169.254.169.254]/", "http://0.0.0.0:8090/hooks", "not a url", "//no-scheme",
])
def test_channel_registry_refuses_non_http_and_metadata_endpoints(tmp_path: Path, endpoint: str) -> None:
    registry = tmp_path / "channels.yaml"
    registry.write_text(
        "version: 1\nchannels:\n  - {id: partner, type: webhook, name: p, endpoint: '" + endpoint + "'}\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match="endpoint"):
        load_channels(registry, {})
    hub = tmp_path / "hub.yaml"
    hub.write_text(
        "version: 1\nchannels:\n  - {id: feed, type: feed, name: f, feed: {websub_hub: '" + endpoint + "'}}\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError, match="websub_hub"):
        load_channels(hub, {})


def test_channel_registry_still_takes_partner_and_internal_receivers(tmp_path: Path) -> None:
    registry = tmp_path / "channels.yaml"
    registry.write_text(
        "version: 1\nchannels:\n"
        "  - {id: partner, type: webhook, name: p, endpoint: 'https://partner.example.cn/hooks'}\n"
        "  - {id: receiver, type: webhook, name: r, endpoint: 'http://127.0.0.1:8090/hooks/govpub'}\n",
        encoding="utf-8",
    )
    assert [c.id for c in load_channels(registry, {})] == ["partner", "receiver"]


def test_subscriptions_take_no_url_from_the_public(tmp_path: Path) -> None:
    client = TestClient(build_app("distribution", tmp_path / "keys.yaml"), raise_server_exceptions=False)
    for field in ("callback", "url", "webhook", "endpoint"):
        response = client.post("/v1/subscriptions", json={
            "email": "a@example.cn", "tags": ["T1"], field: "http://169.254.169.254/latest/meta-data/",
        })
        assert response.status_code == 422 and field in {e["field"] for e in response.json()["errors"]}, field
