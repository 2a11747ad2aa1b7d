"""``govpub links check``: check the links and attachments of published documents now (杜绝错链、断链).

Mounted by ``govpub/cli.py`` as ``app.add_typer(cli_links.app, name="links")``. It runs the publication
service's own checker (``services/publication/links.py``) against the publication database
(``GOVPUB_MONGO_URL``), records the results where ``GET /v1/links/broken`` reads them, and leaves
``LinkBroken`` events in the service's outbox for its relay to publish. Exit code 0: every checked
link works; 1: some are broken or refused; 2: the check could not run.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, NoReturn

import typer
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Links and attachments of published documents (杜绝错链、断链).", no_args_is_help=True)
console = Console()
err = Console(stderr=True, soft_wrap=True)


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


@app.command("check")
def check(
    document_id: Annotated[
        list[str] | None,
        typer.Option("--document-id", "-d", metavar="ID", help="Check only this document's links, however recently checked "
                     "(repeat for several). Default: every released document's links not checked within "
                     "GOVPUB_PUBLICATION_LINKS_RECHECK_AFTER_S, and every broken or refused one."),
    ] = None,
    allow: Annotated[
        list[str] | None,
        typer.Option("--allow", metavar="HOST:PORT", help="host:port that may be checked although it resolves to a private or "
                     "loopback address, e.g. an intranet file server (repeat for several; added to "
                     "GOVPUB_PUBLICATION_LINKS_ALLOW). Link-local addresses are refused regardless."),
    ] = None,
) -> None:
    """Check links now and print what is broken, refused or redirected; exits 1 when any link does not work."""
    from services.publication.links import check_links_standalone
    from services.publication.settings import PublicationSettings

    settings = PublicationSettings()
    for entry in allow or []:
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit():
            fail(f"--allow {entry!r} is not host:port; write it like files.intranet:443 or 127.0.0.1:8080")
    settings.links_allow = [*settings.links_allow, *(allow or [])]
    try:
        report = asyncio.run(check_links_standalone(settings, document_ids=document_id or None))
    except PyMongoError as exc:
        fail(f"cannot use the publication database at {settings.common.mongo_url} ({type(exc).__name__}: {exc}); "
             "start it with `govpub up` or set GOVPUB_MONGO_URL")
    if document_id and report.documents < len(set(document_id)):
        err.print(f"[yellow]note:[/] {len(set(document_id)) - report.documents} of the given documents are not "
                  "released; their links were not checked", highlight=False)
    console.print(
        f"checked {report.checked} of {report.links} link(s) in {report.documents} document(s): "
        f"[green]{report.ok} ok[/], [red]{report.broken} broken[/], [yellow]{report.refused} refused[/]"
        + (f"; {report.announced} newly broken announced" if report.announced else ""),
        highlight=False,
    )
    bad = [r for r in report.findings if r["state"] != "ok"]
    if bad:
        console.print(_table("broken and refused links", bad, problem=True))
    redirected = [r for r in report.findings if r["redirects"]]
    if redirected:
        console.print(_table("redirected links (working, but the address should be updated)", redirected))
    if bad:
        raise typer.Exit(1)


def _table(title: str, rows: list[dict[str, Any]], *, problem: bool = False) -> Table:
    table = Table(title=title, show_lines=False)
    table.add_column("document", overflow="fold")
    table.add_column("link", overflow="fold")
    if problem:
        table.add_column("state")
        table.add_column("status / error", overflow="fold")
    table.add_column("redirects", overflow="fold")
    for row in rows:
        where = f"{row.get('title') or ''} [dim]{row['document_id']}[/]"
        link = f"{row['url']}" + (f" [dim]({row['name']})[/]" if row.get("name") else f" [dim]({row['field']})[/]")
        hops = " → ".join([*(h.split(" ", 1)[0] for h in row["redirects"]), str(row.get("final_url") or "")])
        cells = [where, link]
        if problem:
            colour = "red" if row["state"] == "broken" else "yellow"
            cells += [f"[{colour}]{row['state']}[/]", str(row["status"] or row["error"] or "")]
        cells.append(hops if row["redirects"] else "")
        table.add_row(*cells)
    return table
