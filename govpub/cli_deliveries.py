"""``govpub deliveries``: list deliveries and retry failed ones through distribution's HTTP API.

Mounted by ``govpub/cli.py`` as ``app.add_typer(cli_deliveries.app, name="deliveries")``. Operator
actions need an API key with the operator role (``govpub keys create --role operator``), given with
``--api-key`` or ``GOVPUB_API_KEY``.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import httpx
import typer
from rich.console import Console
from rich.table import Table

from shared.settings import CommonSettings

app = typer.Typer(help="Deliveries to the channels: list them, retry failed ones.", no_args_is_help=True)
console = Console()
err = Console(stderr=True, soft_wrap=True)
STATUSES = ("pending", "retrying", "sending", "delivered", "failed", "cancelled", "skipped")
ApiKey = Annotated[str | None, typer.Option("--api-key", envvar="GOVPUB_API_KEY", help="An operator's API key.")]


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _base() -> str:
    return CommonSettings().distribution_url.rstrip("/")


def _request(method: str, path: str, *, api_key: str | None = None, params: dict[str, Any] | None = None) -> Any:
    headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
    url = f"{_base()}{path}"
    try:
        with httpx.Client(timeout=15) as client:
            response = client.request(method, url, params=params, headers=headers)
    except httpx.HTTPError as exc:
        fail(f"distribution is not reachable at {_base()} ({exc}); start it with `govpub up` or set GOVPUB_DISTRIBUTION_URL")
    if response.status_code >= 400:
        try:
            body = response.json()
            detail = body.get("detail") or body
        except ValueError:
            detail = response.text[:300]
        if isinstance(detail, list):  # FastAPI's validation errors
            detail = "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail)
        fail(f"{method} {path} answered {response.status_code}: {detail}")
    return response.json()


def _last_error(row: dict[str, Any]) -> str:
    errors = row.get("errors") or []
    return str(errors[-1]["error"])[:80] if errors else ""


@app.command("list")
def list_deliveries(
    status: Annotated[str | None, typer.Option(help=f"One of {', '.join(STATUSES)}.")] = None,
    channel: Annotated[str | None, typer.Option(help="A channel id (see GET /v1/channels).")] = None,
    document: Annotated[str | None, typer.Option(help="A document id.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 200,
    api_key: ApiKey = None,
) -> None:
    """List deliveries, oldest first (an operator key is needed where GOVPUB_AUTH_REQUIRED=true)."""
    if status is not None and status not in STATUSES:
        fail(f"--status {status!r} is not one of {', '.join(STATUSES)}")
    params = {k: v for k, v in {"status": status, "channel": channel, "document_id": document, "limit": limit}.items()
              if v is not None}
    body = _request("GET", "/v1/deliveries", api_key=api_key, params=params)
    table = Table("delivery", "channel", "action", "status", "attempts", "last error")
    for row in body["deliveries"]:
        table.add_row(row["delivery_id"], row["channel_id"], row["action"], row["status"], str(row.get("attempts", 0)),
                      _last_error(row))
    console.print(table)
    console.print(f"{body['count']} deliveries")


@app.command()
def retry(
    delivery_id: Annotated[str, typer.Argument(help="The delivery id, e.g. partner-webhook:<document>:v1:release.")],
    api_key: ApiKey = None,
) -> None:
    """Give one failed delivery a fresh set of attempts."""
    if not api_key:
        fail("retrying needs an operator's API key: pass --api-key or set GOVPUB_API_KEY")
    body = _request("POST", f"/v1/deliveries/{delivery_id}/retry", api_key=api_key)
    console.print(f"requeued {body['delivery']['delivery_id']} (status {body['delivery']['status']})")


@app.command()
def replay(
    channel: Annotated[str | None, typer.Option(help="Only this channel; default every enabled channel.")] = None,
    api_key: ApiKey = None,
) -> None:
    """Give every failed delivery (of one channel) a fresh set of attempts, e.g. after fixing the endpoint."""
    if not api_key:
        fail("replaying needs an operator's API key: pass --api-key or set GOVPUB_API_KEY")
    params = {"status": "failed", **({"channel": channel} if channel else {})}
    body = _request("POST", "/v1/deliveries/replay", api_key=api_key, params=params)
    console.print(f"requeued {body['requeued']} failed deliveries" + (f" of {channel}" if channel else ""))
