"""The link checker against the real stack and a local HTTP server: broken links found, SSRF refused.

The publication service is restarted once with this module's local server allow-listed
(GOVPUB_PUBLICATION_LINKS_ALLOW); every other loopback address stays refused.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient
from typer.testing import CliRunner, Result

from govpub import cli
from govpub.stack import Stack, free_port
from services.publication.settings import PublicationSettings
from shared.auth import KeyStore
from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack


class Files(BaseHTTPRequestHandler):
    """/ok.pdf 200, /missing.pdf 404, /moved.pdf 302 → /ok.pdf, /to-metadata 302 → 169.254.169.254."""

    requests: list[str] = []  # noqa: RUF012 - shared by the handler instances on purpose

    def _answer(self) -> None:
        Files.requests.append(f"{self.command} {self.path}")
        routes = {"/ok.pdf": (200, None), "/moved.pdf": (302, "/ok.pdf"),
                  "/to-metadata": (302, "http://169.254.169.254/latest/meta-data/")}
        status, location = routes.get(self.path, (404, None))
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = _answer
    do_GET = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def files(stack: Stack) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Files)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    publication = stack.services["publication"]
    publication.env["GOVPUB_PUBLICATION_LINKS_ALLOW"] = json.dumps([f"127.0.0.1:{server.server_address[1]}"])
    publication.env["GOVPUB_PUBLICATION_LINKS_HOST_DELAY_S"] = "0.05"
    stack.restart_service("publication")
    yield base
    server.shutdown()


@pytest.fixture(scope="module")
def operator(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {KeyStore(stack.config.keys_file).create('ops-links-test', 'operator')}"}


def released(api: Api, **changes: Any) -> str:
    document = sample("01-patent-pledge-notice.json")
    document["source_id"] = f"links-{uuid.uuid4().hex[:8]}"
    document.update(changes)
    response = api.submit(document)
    assert response.status_code == 202, response.text
    document_id = str(response.json()["document_id"])
    wait_until(lambda: status(api, document_id) == 200, timeout=90, what="the library entry")
    return document_id


def status(api: Api, document_id: str) -> int | None:
    try:
        return api.library_entry(document_id).status_code
    except httpx.TimeoutException:  # a busy machine: ask again
        return None


def link_broken_events(stack: Stack, document_id: str) -> int:
    async def count() -> int:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(stack.config.mongo)
        try:
            outbox = client[PublicationSettings().database].outbox
            return await outbox.count_documents({"subject": document_id, "type": {"$regex": "link-broken"}})
        finally:
            await client.close()

    return asyncio.run(count())


def test_broken_attachment_is_found_in_one_check_and_private_addresses_are_refused(
    api: Api, stack: Stack, files: str, operator: dict[str, str]
) -> None:
    unlisted = f"http://127.0.0.1:{free_port()}/internal.pdf"
    document_id = released(
        api,
        attachments=[
            {"name": "附件1：申报表.pdf", "url": f"{files}/ok.pdf"},
            {"name": "附件2：已删除.pdf", "url": f"{files}/missing.pdf"},
            {"name": "附件3：已搬迁.pdf", "url": f"{files}/moved.pdf"},
            {"name": "附件4：内部.pdf", "url": unlisted},
        ],
        body=sample("01-patent-pledge-notice.json")["body"]
        + f"\n详见 http://169.254.169.254/latest/meta-data/ 和 {files}/to-metadata 。",
    )
    publication = api.url("publication")
    Files.requests.clear()

    assert api.client.post(f"{publication}/v1/links/check", params={"document_id": document_id}).status_code == 401
    response = api.client.post(
        f"{publication}/v1/links/check", params={"document_id": document_id}, headers=operator, timeout=60
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["checked"] == 6 and report["ok"] == 2 and report["broken"] == 1 and report["refused"] == 3

    links = {
        row["url"]: row
        for row in api.client.get(f"{publication}/v1/links/broken").json()["links"]
        if row["document_id"] == document_id
    }
    assert links[f"{files}/missing.pdf"]["state"] == "broken" and links[f"{files}/missing.pdf"]["status"] == 404
    assert links[unlisted]["state"] == "refused" and "127.0.0.1" in links[unlisted]["error"]
    assert links["http://169.254.169.254/latest/meta-data/"]["state"] == "refused"
    redirected = links[f"{files}/to-metadata"]
    assert redirected["state"] == "refused" and redirected["redirects"] == [f"302 {files}/to-metadata"]
    assert f"{files}/ok.pdf" not in links and f"{files}/moved.pdf" not in links
    # Only the allow-listed server was ever asked; the refused addresses never were.
    assert {r.split(" ", 1)[1] for r in Files.requests} <= {"/ok.pdf", "/missing.pdf", "/moved.pdf", "/to-metadata"}

    wait_until(lambda: link_broken_events(stack, document_id) == 4, what="one LinkBroken per bad link")
    again = api.client.post(
        f"{publication}/v1/links/check", params={"document_id": document_id}, headers=operator, timeout=60
    ).json()
    assert again["broken"] == 1 and again["announced"] == 0
    assert link_broken_events(stack, document_id) == 4


def test_only_operators_may_start_a_check(api: Api, stack: Stack, files: str) -> None:
    editor = KeyStore(stack.config.keys_file).create("editor-links-test", "editor")
    response = api.client.post(
        f"{api.url('publication')}/v1/links/check", params={"document_id": "nothing"},
        headers={"Authorization": f"Bearer {editor}"},
    )
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


def test_govpub_links_check_reports_the_broken_link_and_exits_non_zero(api: Api, stack: Stack, files: str) -> None:
    port = files.rsplit(":", 1)[1]
    good = released(api, attachments=[{"name": "申报表.pdf", "url": f"{files}/ok.pdf"}])
    bad = released(api, attachments=[{"name": "申报表.pdf", "url": f"{files}/ok.pdf"},
                                     {"name": "已删除.pdf", "url": f"{files}/missing.pdf"}])
    env = {"GOVPUB_MONGO_URL": stack.config.mongo, "GOVPUB_KAFKA_BOOTSTRAP": stack.config.bootstrap,
           "GOVPUB_PUBLICATION_LINKS_HOST_DELAY_S": "0", "GOVPUB_PUBLICATION_LINKS_ALLOW": "[]", "COLUMNS": "250"}

    def links_check(*args: str) -> Result:
        return CliRunner().invoke(cli.app, ["links", "check", *args], env=env)

    result = links_check("-d", good, "-d", bad, "--allow", f"127.0.0.1:{port}")
    assert result.exit_code == 1, result.output
    assert "checked 3 of 3 link(s) in 2 document(s): 2 ok, 1 broken, 0 refused" in result.output
    assert f"{files}/missing.pdf" in result.output and "404" in result.output and bad in result.output
    assert f"{files}/ok.pdf" not in result.output

    result = links_check("-d", good, "--allow", f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    assert "1 ok, 0 broken, 0 refused" in result.output

    result = links_check("-d", good)  # not allow-listed: a loopback address is never fetched
    assert result.exit_code == 1 and "refused" in result.output and "127.0.0.1" in result.output

    result = links_check("--allow", "no-port")
    assert result.exit_code == 2 and "host:port" in result.output
