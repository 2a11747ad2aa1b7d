"""``govpub audit``: the review audit log (审查留痕) as CSV, for inspections and the annual report.

Mounted by govpub/cli.py; talks to the review service at GOVPUB_REVIEW_URL with the API key in
GOVPUB_API_KEY (a reviewer or admin key).
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, NoReturn

import httpx
import typer
from pydantic_settings import BaseSettings, SettingsConfigDict
from rich.console import Console

from services.review.audit import COLUMNS
from shared.settings import CommonSettings

app = typer.Typer(help="The review audit log: who decided what, when and why.", no_args_is_help=True)
err = Console(stderr=True, soft_wrap=True)


class ClientSettings(BaseSettings):
    """What a CLI user brings: their API key."""

    model_config = SettingsConfigDict(env_prefix="GOVPUB_", extra="ignore")
    api_key: str | None = None


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-05-16")


_COLUMN_HELP = "; ".join(f"{name}: {meaning}" for name, meaning in COLUMNS)


@app.command(help=f"Write the audit rows of a period as CSV (UTF-8 with BOM), oldest first. Columns: {_COLUMN_HELP}.")
def export(
    from_: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD (the office's time zone)")],
    to: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD, inclusive")],
    out: Annotated[Path | None, typer.Option("--out", help="CSV file to write; standard output if left out")] = None,
    document_id: Annotated[str | None, typer.Option(help="only this document")] = None,
    reviewer: Annotated[str | None, typer.Option(help="only this reviewer ('auto': the rule engine)")] = None,
) -> None:
    start, end = _day("--from", from_), _day("--to", to)
    if start > end:
        fail(f"--from {start} is after --to {end}; swap them")
    key = ClientSettings().api_key
    if not key:
        fail("GOVPUB_API_KEY is not set; export a reviewer or admin key "
             "(create one with `govpub keys create --role reviewer --name <you>`)")
    url = f"{CommonSettings().review_url.rstrip('/')}/v1/audit"
    params = {"from": start.isoformat(), "to": end.isoformat(), "format": "csv"}
    if document_id:
        params["document_id"] = document_id
    if reviewer:
        params["reviewer"] = reviewer
    part = None if out is None else out.with_name(out.name + ".part")
    try:
        with httpx.stream("GET", url, params=params, headers={"authorization": f"Bearer {key}"},
                          timeout=httpx.Timeout(30.0, read=300.0)) as response:
            if response.status_code != 200:
                response.read()
                fail(_explain(response))
            if part is None:
                for chunk in response.iter_bytes():
                    sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
                return
            try:
                with part.open("wb") as handle:
                    for chunk in response.iter_bytes():
                        handle.write(chunk)
            except OSError as exc:
                part.unlink(missing_ok=True)
                fail(f"cannot write {out} ({exc.strerror}); pass --out with a writable path")
    except httpx.HTTPError as exc:
        if part is not None:
            part.unlink(missing_ok=True)
        fail(f"the review service is not reachable at {url} ({exc}); start govpub or set GOVPUB_REVIEW_URL")
    assert out is not None and part is not None
    part.replace(out)  # a failed export never leaves a half-written file under the real name
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    err.print(f"wrote {rows} audit row(s) from {start} to {end} to {out}", highlight=False)


def _explain(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"the review service answered {response.status_code}"
    detail = body.get("detail") or body.get("title") or response.reason_phrase
    problems = "; ".join(f"{e['field']}: {e['problem']} ({e['hint']})" for e in body.get("errors", []))
    if response.status_code in (401, 403):
        return f"{detail} Set GOVPUB_API_KEY to a reviewer or admin key."
    return f"{detail}{': ' + problems if problems else ''}"
