"""The link checker's fetching, against an in-process HTTP transport and resolver: no network at all."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

import httpx

from services.publication.links import Fetcher

PUBLIC = ipaddress.ip_address("93.184.216.34")


def resolver(table: dict[str, str]) -> Callable[[str, int], object]:
    async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        try:
            return [ipaddress.ip_address(host)]
        except ValueError:
            return [ipaddress.ip_address(table.get(host, str(PUBLIC)))]

    return resolve


def fetcher(handler: Callable[[httpx.Request], httpx.Response], table: dict[str, str] | None = None,
            allow: frozenset[str] = frozenset()) -> tuple[Fetcher, httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=False)
    return Fetcher(client, allow=allow, concurrency=4, host_delay_s=0, max_redirects=3,
                   resolver=resolver(table or {})), client  # type: ignore[arg-type]


async def test_request_goes_to_the_checked_ip_with_the_original_host_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    f, client = fetcher(handler)
    async with client:
        result = await f.check("https://files.example.cn/a.pdf")
    assert result.outcome.state == "ok" and result.outcome.status == 200
    assert seen[0].url.host == str(PUBLIC) and seen[0].headers["host"] == "files.example.cn"
    assert seen[0].extensions["sni_hostname"] == "files.example.cn"


async def test_redirect_to_a_private_address_is_refused_and_the_hops_are_recorded() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://intranet.example.cn/secret"})

    f, client = fetcher(handler, {"intranet.example.cn": "10.0.0.5"})
    async with client:
        result = await f.check("https://files.example.cn/a.pdf")
    assert result.outcome.state == "refused" and "10.0.0.5" in (result.outcome.error or "")
    assert result.redirects == ["302 https://files.example.cn/a.pdf"]
    assert result.final_url == "http://intranet.example.cn/secret"


async def test_not_found_is_broken_and_head_refused_falls_back_to_get() -> None:
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        if request.method == "HEAD":
            return httpx.Response(405)
        return httpx.Response(404 if request.url.path == "/gone" else 200)

    f, client = fetcher(handler)
    async with client:
        assert (await f.check("http://files.example.cn/ok")).outcome.state == "ok"
        gone = await f.check("http://files.example.cn/gone")
    assert gone.outcome.state == "broken" and gone.outcome.status == 404
    assert methods == ["HEAD", "GET", "HEAD", "GET"]


async def test_endless_redirects_are_broken() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"location": "/again"})

    f, client = fetcher(handler)
    async with client:
        result = await f.check("http://files.example.cn/start")
    assert result.outcome.state == "broken" and "redirects" in (result.outcome.error or "")
    assert len(result.redirects) == 4


async def test_metadata_address_is_refused_without_any_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request may be made")

    f, client = fetcher(handler, allow=frozenset({"169.254.169.254:80"}))
    async with client:
        result = await f.check("http://169.254.169.254/latest/meta-data/")
    assert result.outcome.state == "refused"
