"""The portal as a person uses it, in headless Chromium: search, a facet, a document, policy → interpretation, feed."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import Api, sample, wait_until

pytestmark = pytest.mark.stack


def status(api: Api, document_id: str) -> int | None:
    try:
        return api.library_entry(document_id).status_code
    except httpx.TimeoutException:
        return None


@pytest.fixture(scope="module")
def documents(api: Api) -> dict[str, str]:
    """A notice, and a policy released together with its interpretation."""
    marker = uuid.uuid4().hex[:6]
    notice = sample("01-patent-pledge-notice.json")
    notice["source_id"] = f"browser-{marker}-n"
    policy = sample("04-policy-requiring-interpretation.json")
    policy["source_id"] = f"browser-{marker}-p"
    policy["doc_number"] = f"沪知局规〔2023〕{int(marker, 16) % 9000 + 100}号"
    interpretation = sample("05-interpretation.json")
    interpretation["source_id"] = f"browser-{marker}-i"
    interpretation["interprets"] = policy["doc_number"]
    ids = {name: api.submit(doc).json()["document_id"]
           for name, doc in (("notice", notice), ("policy", policy), ("interpretation", interpretation))}
    for document_id in ids.values():
        wait_until(lambda d=document_id: status(api, d) == 200, timeout=120, what=f"{document_id} released")
    return ids


def shot(driver: Any, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def no_csp_violations(driver: Any) -> None:
    messages = [e["message"] for e in driver.get_log("browser")]
    assert not [m for m in messages if "Content Security Policy" in m or "Refused to" in m], messages


def test_search_facet_document_interpretation_and_feed(
    browser: Any, api: Api, documents: dict[str, str], screenshots: Path
) -> None:
    base = api.url("publication")
    wait = WebDriverWait(browser, 60)
    browser.get(f"{base}/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    shot(browser, screenshots, "01-home")

    # Keyboard first: the first Tab reaches the skip link.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "跳到主要内容"

    box = browser.find_element(By.ID, "q")
    assert browser.find_element(By.CSS_SELECTOR, "label[for='q']").text
    box.send_keys("专利质押融资", Keys.ENTER)
    wait.until(ec.url_contains("/search"))
    assert browser.find_element(By.CSS_SELECTOR, f"a[href='/documents/{documents['notice']}']")
    shot(browser, screenshots, "02-search")

    facet = browser.find_element(By.XPATH, "//aside//h3[text()='文种']/following-sibling::ul//a")
    facet_label = facet.text
    facet.click()
    wait.until(ec.url_contains("type="))
    chips = browser.find_element(By.CSS_SELECTOR, ".active-filters").text
    assert facet_label in chips
    shot(browser, screenshots, "03-facet")

    browser.find_element(By.CSS_SELECTOR, f"a[href='/documents/{documents['notice']}']").click()
    wait.until(ec.url_contains(f"/documents/{documents['notice']}"))
    assert "专利质押" in browser.find_element(By.TAG_NAME, "h1").text
    rows = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.meta th")]
    assert rows[:6] == ["发文字号", "发文机关", "成文日期", "文种", "公开属性", "效力状态"]
    shot(browser, screenshots, "04-document")
    no_csp_violations(browser)

    browser.get(f"{base}/documents/{documents['policy']}")
    link = browser.find_element(By.CSS_SELECTOR, "p.related a")
    link.click()
    wait.until(ec.url_contains(f"/documents/{documents['interpretation']}"))
    assert "政策解读" in browser.find_element(By.TAG_NAME, "h1").text
    back = browser.find_element(By.CSS_SELECTOR, "p.related a")
    assert back.get_attribute("href").endswith(f"/documents/{documents['policy']}")
    shot(browser, screenshots, "05-interpretation")

    browser.find_element(By.LINK_TEXT, "订阅（Atom）").click()
    wait.until(ec.url_contains("/feed.atom"))
    assert "http://www.w3.org/2005/Atom" in browser.page_source
    no_csp_violations(browser)


def test_document_page_fits_a_phone_screen(browser: Any, api: Api, documents: dict[str, str],
                                           screenshots: Path) -> None:
    browser.set_window_size(390, 844)
    try:
        browser.get(f"{api.url('publication')}/documents/{documents['policy']}")
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        shot(browser, screenshots, "06-phone-document")
        browser.get(f"{api.url('publication')}/search?q=专利")
        shot(browser, screenshots, "07-phone-search")
    finally:
        browser.set_window_size(1280, 1000)


def test_catalogue_and_statistics_pages_draw_without_script(browser: Any, api: Api, documents: dict[str, str],
                                                           screenshots: Path) -> None:
    base = api.url("publication")
    browser.get(f"{base}/catalog")
    assert browser.find_element(By.TAG_NAME, "h1").text == "标准目录"
    assert browser.find_elements(By.CSS_SELECTOR, f"a[href='/documents/{documents['notice']}']")
    shot(browser, screenshots, "08-catalog")
    browser.get(f"{base}/stats")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 3 and all(c.size["width"] > 100 for c in charts)
    shot(browser, screenshots, "09-stats")
    no_csp_violations(browser)
