"""Which links a document has, which addresses may be fetched (no SSRF), and when a breakage is news."""

from __future__ import annotations

import ipaddress

import pytest

from services.publication.domain.links import Outcome, links_of, refusal, should_announce

NONE: frozenset[str] = frozenset()


def ips(*text: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    return [ipaddress.ip_address(t) for t in text]


def test_attachments_and_body_addresses_are_collected_once_each() -> None:
    entry = {
        "attachments": [{"name": "附件1", "url": "https://a.example.cn/1.pdf"}],
        "body": "详见https://a.example.cn/1.pdf。另见 http://b.example.cn/page?x=1，或（https://c.example.cn/）。",
    }
    found = [(link.url, link.field) for link in links_of(entry)]
    assert found == [
        ("https://a.example.cn/1.pdf", "attachment"),
        ("http://b.example.cn/page?x=1", "body"),
        ("https://c.example.cn/", "body"),
    ]


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "100.64.0.1", "0.0.0.0", "::1", "fc00::1",
     "::ffff:127.0.0.1", "224.0.0.1", "240.0.0.1"],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert refusal("files.example.cn", 443, ips(address), NONE) is not None


def test_public_address_may_be_fetched_but_not_if_any_other_answer_is_private() -> None:
    assert refusal("www.example.cn", 443, ips("203.0.113.10"), NONE) is not None  # TEST-NET-3 is not global
    assert refusal("www.gov.cn", 443, ips("8.8.8.8"), NONE) is None
    assert refusal("www.gov.cn", 443, ips("8.8.8.8", "10.0.0.1"), NONE) is not None


def test_allow_list_opens_exactly_one_host_and_port() -> None:
    allow = frozenset({"127.0.0.1:8080"})
    assert refusal("127.0.0.1", 8080, ips("127.0.0.1"), allow) is None
    assert refusal("127.0.0.1", 8081, ips("127.0.0.1"), allow) is not None


def test_link_local_metadata_address_is_refused_even_when_allow_listed() -> None:
    allow = frozenset({"169.254.169.254:80"})
    reason = refusal("169.254.169.254", 80, ips("169.254.169.254"), allow)
    assert reason is not None and "link-local" in reason
    assert refusal("x", 80, ips("fe80::1"), frozenset({"x:80"})) is not None


def test_a_host_that_resolves_to_nothing_is_refused() -> None:
    assert refusal("nowhere", 80, [], NONE) is not None


def test_breakage_is_announced_once_and_again_after_recovery() -> None:
    broken = Outcome("broken", status=404)
    assert should_announce(None, False, broken)
    assert should_announce("ok", False, broken)
    assert not should_announce("broken", True, broken)
    assert not should_announce("broken", True, Outcome("refused", error="x"))
    assert not should_announce("broken", False, Outcome("ok", status=200))
    assert should_announce("broken", False, broken)  # recorded but never announced (e.g. a crash before it)
