"""The operator console in a real browser (headless Debian chromium): pages render, hostile bytes stay text,
and an operator replays a dead letter through the plain HTML form."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from govpub.stack import Stack
from shared.auth import KeyStore
from shared.events import DocumentTagged
from tests.conftest import Api, sample, wait_until
from tests.e2e.test_console import running_console

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: apt-get install -y chromium chromium-driver"),
]
PWNED = "pwned"
# Were any of it run, the page title would change; the CSP forbids it even if escaping failed.
PAYLOAD = f'<img src=x onerror="document.title=\'{PWNED}\'"><script>document.title="{PWNED}"</script>'


@pytest.fixture(scope="module")
def console(stack: Stack) -> Iterator[str]:
    with running_console(stack) as url:
        yield url


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    artifacts = os.environ.get("GOVPUB_TEST_ARTIFACTS")
    target = Path(artifacts) / "screenshots" if artifacts else tmp_path_factory.mktemp("screenshots")
    target.mkdir(parents=True, exist_ok=True)
    return target


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
async def dead_letter(stack: Stack, console: str) -> AsyncIterator[dict[str, str]]:
    marker = f"browser-{uuid.uuid4().hex[:10]}"
    producer = AIOKafkaProducer(bootstrap_servers=stack.config.bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        await producer.send_and_wait(DocumentTagged.TOPIC, b"\xff" + PAYLOAD.encode(), key=marker.encode(),
                                     headers=[("ce_id", marker.encode())])
    finally:
        await producer.stop()

    def listed() -> str | None:
        rows = httpx.get(f"{console}/v1/dead-letters", params={"service": "publication"}).json()["dead_letters"]
        return next((r["id"] for r in rows if r["key_text"] == marker), None)

    yield {"id": await asyncio.to_thread(wait_until, listed, 30, 0.3, "the dead letter"), "marker": marker}


def test_operator_replays_a_hostile_dead_letter_through_the_form(
    browser: Any, console: str, stack: Stack, dead_letter: dict[str, str], shots: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    store = KeyStore(stack.config.keys_file)
    reviewer = store.create(f"browser-reviewer-{uuid.uuid4().hex[:6]}", "reviewer")
    operator = store.create(f"browser-operator-{uuid.uuid4().hex[:6]}", "operator")

    browser.get(f"{console}/dead-letters")
    browser.save_screenshot(str(shots / "console-dead-letters.png"))
    row = next(r for r in browser.find_elements(By.CSS_SELECTOR, "tbody tr") if dead_letter["marker"] in r.text)
    row.find_element(By.TAG_NAME, "a").click()

    assert dead_letter["id"] in browser.current_url
    assert PWNED not in browser.title
    assert browser.find_elements(By.TAG_NAME, "img") == [] and browser.find_elements(By.TAG_NAME, "script") == []
    assert PAYLOAD in browser.find_element(By.CSS_SELECTOR, "pre.bytes").text  # shown as text, exactly

    browser.find_element(By.ID, "key").send_keys(reviewer)
    browser.find_element(By.CSS_SELECTOR, "form.replay button").click()
    assert "needs the role operator" in browser.find_element(By.CSS_SELECTOR, "[role=alert]").text

    browser.find_element(By.ID, "key").send_keys(operator)
    browser.find_element(By.CSS_SELECTOR, "form.replay button").click()
    # A click does not wait for the POST and its redirect to finish loading.
    WebDriverWait(browser, 30).until(lambda b: b.current_url.endswith("?replayed=true"))
    assert "已重放 Replayed" in browser.find_element(By.CSS_SELECTOR, "[role=status]").text
    assert "browser-operator" in browser.find_element(By.TAG_NAME, "dl").text
    assert PWNED not in browser.title
    browser.save_screenshot(str(shots / "console-dead-letter-replayed.png"))


def test_document_trace_found_from_the_search_box_shows_a_hostile_title_as_text(
    browser: Any, console: str, api: Api, shots: Path
) -> None:
    from selenium.webdriver.common.by import By

    document = {**sample("01-patent-pledge-notice.json"), "source_id": f"browser-{uuid.uuid4().hex[:8]}",
                "title": "关于&lt;img src=x onerror=&quot;document.title='pwned'&quot;&gt;专利质押的通知"}
    document_id = api.submit(document).json()["document_id"]

    def released() -> bool:
        body = httpx.get(f"{console}/v1/documents/{document_id}/trace", timeout=10).json()
        return any(c["state"] == "delivered" for c in body["channels"])

    wait_until(released, 45, 0.3, "the document to be delivered")
    browser.get(console)
    browser.find_element(By.ID, "doc-id").send_keys(document_id)
    browser.find_element(By.CSS_SELECTOR, "form.search button").click()

    assert browser.current_url.endswith(f"/documents/{document_id}")
    assert browser.find_element(By.CSS_SELECTOR, "p.title").text == "关于<img src=x onerror=\"document.title='pwned'\">专利质押的通知"
    assert browser.find_elements(By.TAG_NAME, "img") == [] and PWNED not in browser.title
    timeline = browser.find_element(By.CSS_SELECTOR, "table.events").text
    for step in ("intake.document-received.v1", "review.decision-made.v1", "tagging.document-tagged.v1",
                 "publication.document-released.v1"):
        assert step in timeline
    assert "delivered" in browser.find_element(By.TAG_NAME, "main").text
    browser.save_screenshot(str(shots / "console-document-trace.png"))

    for page in ("/", "/topics", "/groups", "/stuck"):
        browser.get(f"{console}{page}")
        assert browser.find_element(By.TAG_NAME, "h1").text
        browser.save_screenshot(str(shots / f"console-{page.strip('/') or 'overview'}.png"))
