"""Operator commands over the console's JSON API: consumer lag, dead letters, a document's trace, stuck documents.

Mounted at the top level of ``govpub`` (``govpub lag``, ``govpub dlq list`` …). Every value that
comes from a message is printed as plain text, never as rich markup.
"""

from __future__ import annotations

from typing import Annotated, Any, NoReturn
from urllib.parse import quote

import httpx
import typer
from pydantic_settings import BaseSettings, SettingsConfigDict
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from govpub import cli_deliveries


class OpsSettings(BaseSettings):
    """Where the console is and the key to act with (``dlq replay``, and ``dlq show`` where keys are required)."""

    model_config = SettingsConfigDict(env_prefix="GOVPUB_", extra="ignore")

    console_url: str = "http://127.0.0.1:8000"
    api_key: str | None = None


app = typer.Typer(help="Operator commands: consumer lag, dead letters, traces, stuck documents.")
dlq_app = typer.Typer(help="Dead letters: records a service could not read, kept with their original bytes.",
                      no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")
console = Console()
err = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def plain(value: Any) -> Text:
    return Text("" if value is None else str(value))


def when(value: Any) -> str:
    text = str(value or "")
    return text[:19].replace("T", " ") if len(text) >= 19 else text


def _call(method: str, path: str, *, key: str | None = None, params: dict[str, str] | None = None) -> Any:
    base = OpsSettings().console_url.rstrip("/")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    try:
        with httpx.Client(timeout=20) as client:
            response = client.request(method, f"{base}{path}", headers=headers, params=params)
    except httpx.HTTPError as exc:
        fail(f"the console is not reachable at {base} ({type(exc).__name__}); start it or set GOVPUB_CONSOLE_URL")
    try:
        body = response.json()
    except ValueError:
        fail(f"the console answered {response.status_code} without JSON at {base}{path}; is GOVPUB_CONSOLE_URL right?")
    if response.status_code >= 400:
        detail = body.get("detail") if isinstance(body, dict) else None
        fail(f"{response.status_code} {body.get('title', '') if isinstance(body, dict) else ''}: {detail or body}")
    return body


@app.command()
def lag(
    partitions: Annotated[bool, typer.Option("--partitions", help="One row per partition, not per group.")] = False,
    min_lag: Annotated[int, typer.Option("--min", help="Show only rows with at least this lag.")] = 0,
) -> None:
    """Consumer lag of every group (per partition with --partitions), as each service measures it."""
    body = _call("GET", "/v1/groups")
    for service in body["services"]:
        if not service["reachable"]:
            err.print(Text(f"{service['service']}: metrics unreachable at {service['url']} ({service['error']})",
                           style="yellow"))
    rows = body["partitions"] if partitions else body["groups"]
    columns = ("service", "group", "topic", "partition") if partitions else ("service", "group")
    table = Table(title="consumer lag" + (" per partition" if partitions else " per group"))
    for column in columns:
        table.add_column(column)
    table.add_column("lag", justify="right")
    for row in rows:
        if row["lag"] >= min_lag:
            table.add_row(*(plain(row[c]) for c in columns), Text(str(row["lag"]), style="red" if row["lag"] else "green"))
    console.print(table)
    console.print(f"total lag: {sum(g['lag'] for g in body['groups'])}", highlight=False)


@dlq_app.command("list")
def dlq_list(
    service: Annotated[str | None, typer.Option(help="Only this service's dead letters.")] = None,
) -> None:
    """Dead letters, newest first, with their errors."""
    body = _call("GET", "/v1/dead-letters", params={"service": service} if service else None)
    table = Table(title=f"dead letters ({body['count']})")
    for column in ("id", "time (UTC)", "service", "source", "error", "replays"):
        table.add_column(column, overflow="fold")
    for d in body["dead_letters"]:
        source = f"{d['source_topic']} / {d['source_partition']} @ {d['source_offset']}"
        table.add_row(plain(d["id"]), when(d["time"]), plain(d["service"]), plain(source),
                      plain(str(d["error"])[:200]), plain(d["replayed"]))
    console.print(table)


@dlq_app.command("show")
def dlq_show(dead_letter_id: Annotated[str, typer.Argument(help="The id from `govpub dlq list`.")]) -> None:
    """One dead letter: where it came from, the error, the headers and the original bytes."""
    d = _call("GET", f"/v1/dead-letters/{quote(dead_letter_id, safe='')}", key=OpsSettings().api_key)
    table = Table(show_header=False, title=f"dead letter {dead_letter_id}")
    table.add_column("field", style="dim")
    table.add_column("value", overflow="fold")
    for label, value in (
        ("service / group", f"{d['service']} / {d['group']}"),
        ("source", f"{d['source_topic']} / {d['source_partition']} @ {d['source_offset']}"),
        ("time (UTC)", when(d["time"])),
        ("key", d["key_text"]),
        ("error", d["error"]),
        ("bytes", d["size"]),
        ("replays", ", ".join(f"{when(r['at'])} by {r['by']}" for r in d["replays"]) or "none"),
    ):
        table.add_row(label, plain(value))
    for header in d["headers"]:
        table.add_row(Text(f"header {header['name']}"), plain(header["value"]))
    console.print(table)
    console.print(Text("original bytes (as text):", style="bold"))
    console.print(plain(d["value_text"]), highlight=False)


@dlq_app.command("replay")
def dlq_replay(
    dead_letter_id: Annotated[str | None, typer.Argument(help="The id from `govpub dlq list`.")] = None,
    channel: Annotated[str | None, typer.Option(
        help="Instead of one dead letter: every failed delivery of this channel (see `govpub deliveries list`)."
    )] = None,
) -> None:
    """Republish a dead letter to its source topic, or with --channel give a channel's failed deliveries a
    fresh set of attempts (both need an operator key)."""
    if (dead_letter_id is None) == (channel is None):
        fail("give either a DEAD_LETTER_ID or --channel CHANNEL_ID")
    key = OpsSettings().api_key
    if not key:
        fail("set GOVPUB_API_KEY to an operator key (create one with `govpub keys create --role operator --name …`)")
    if channel is not None:
        cli_deliveries.replay(channel=channel, api_key=key)
        return
    assert dead_letter_id is not None
    result = _call("POST", f"/v1/dead-letters/{quote(dead_letter_id, safe='')}/replay", key=key)
    console.print(Text(f"replayed {dead_letter_id} to {result['topic']} ({result['bytes']} bytes) "
                       f"as {result['replayed_by']}"), highlight=False)


@app.command()
def trace(document_id: Annotated[str, typer.Argument(help="The document_id intake returned.")]) -> None:
    """Every event of one document in order, and why it is (not) on each channel."""
    body = _call("GET", f"/v1/documents/{quote(document_id, safe='')}/trace")
    if body.get("title"):
        console.print(plain(body["title"]), highlight=False)
    table = Table(title=f"trace of {document_id}")
    for column in ("time (UTC)", "event", "outcome", "partition@offset"):
        table.add_column(column, overflow="fold")
    for e in body["events"]:
        table.add_row(when(e["time"]), plain(e["topic"]), plain(e["outcome"]), plain(f"{e['partition']}@{e['offset']}"))
    console.print(table)
    channels = Table(title="channels")
    for column in ("channel", "state", "why"):
        channels.add_column(column, overflow="fold")
    for c in body["channels"]:
        style = {"delivered": "green", "failed": "red", "stopped": "red", "not for this channel": "dim"}.get(
            c["state"], "yellow")
        channels.add_row(plain(c["channel_id"]), Text(c["state"], style=style), plain(c["line"]))
    console.print(channels)


@app.command()
def stuck() -> None:
    """Documents that have not reached a terminal state within their time limit (from intake)."""
    body = _call("GET", "/v1/stuck")
    if not body["available"]:
        err.print(Text(f"intake cannot tell now: {body['reason']}", style="yellow"))
        return
    table = Table(title=f"stuck documents ({len(body['documents'])})")
    for column in ("document", "version", "stage", "since (UTC)", "age", "redriven"):
        table.add_column(column, overflow="fold")
    for d in body["documents"]:
        age = d.get("age_s")
        table.add_row(plain(d.get("document_id")), plain(d.get("version")), plain(d.get("stage")), when(d.get("since")),
                      f"{age / 60:.1f} min" if isinstance(age, int | float) else plain(age), plain(d.get("redriven")))
    console.print(table)
