"""The ``govpub`` command: run the embedded stack, submit documents, follow them."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path
from typing import Annotated, Any, NoReturn

import httpx
import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from govpub.importing import SUFFIXES, Item, files_in, json_item, read_items
from govpub.stack import DEFAULT_PORTS, PIPELINE, SERVICES, Stack, StackConfig, StackError
from govpub.status import STAGES, is_settled, pipeline_status
from shared.settings import CommonSettings

app = typer.Typer(help="govpub: official documents from office systems to every public channel.", no_args_is_help=True)
console = Console()
err = Console(stderr=True, soft_wrap=True)
REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "contracts" / "examples" / "documents"


def fail(message: str) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(2)


def _urls() -> dict[str, str]:
    s = CommonSettings()
    return {name: getattr(s, f"{name}_url") for name in PIPELINE}


def _config(data_dir: Path, external: bool) -> StackConfig:
    import os

    def port(name: str, default: int) -> int:
        raw = os.environ.get(name, str(default))
        if not raw.isdigit():
            fail(f"{name}={raw!r} is not a port number; set it to a free TCP port")
        return int(raw)

    common = CommonSettings()
    config = StackConfig(
        data_dir=data_dir,
        kafka_port=port("GOVPUB_KAFKA_PORT", 9092),
        mongo_port=port("GOVPUB_MONGO_PORT", 27017),
        ports={n: port(f"GOVPUB_{n.upper()}_PORT", DEFAULT_PORTS[n]) for n in SERVICES},
        receiver_port=port("GOVPUB_RECEIVER_PORT", 8090),
        external=external,
    )
    if external:
        config.kafka_bootstrap = common.kafka_bootstrap
        config.mongo_url = common.mongo_url
    return config


def _post_document(client: httpx.Client, intake: str, path: Path) -> dict[str, Any]:
    return _post_item(client, intake, json_item(path, str(path)))


def _post_item(client: httpx.Client, intake: str, item: Item) -> dict[str, Any]:
    """Submit an item read from a file, or report why it could not be read."""
    if item.document is None:
        return {"error": f"{item.where}: {item.error}"}
    return _post_json(client, intake, item.where, item.document)


def _post_json(client: httpx.Client, intake: str, where: str, payload: Any) -> dict[str, Any]:
    """Submit one document; its refusal names ``where`` it came from and every field's problem."""
    try:
        response = client.post(f"{intake}/v1/documents", json=payload)
    except httpx.HTTPError as exc:
        fail(f"intake is not reachable at {intake} ({exc}); start it with `govpub up` or set GOVPUB_INTAKE_URL")
    body = response.json()
    if response.status_code != 202:
        problems = "; ".join(f"{e['field']}: {e['problem']}" for e in body.get("errors", [])) or body.get("detail")
        return {"error": f"{where}: {problems}"}
    return body


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Submit the sample documents and show them moving through.")] = False,
    external: Annotated[bool, typer.Option(help="Use GOVPUB_KAFKA_BOOTSTRAP and GOVPUB_MONGO_URL.")] = False,
    data_dir: Annotated[Path, typer.Option(help="Where the embedded database and the logs live.")] = Path(".govpub"),
) -> None:
    """Start the embedded broker and database, provision topics, start and supervise the five services."""
    config = _config(data_dir.resolve(), external)
    stack = Stack(config, say=lambda m: console.print(f"[dim]•[/] {m}"))
    started = time.monotonic()

    def stop(*_: Any) -> NoReturn:
        console.print("stopping…")
        stack.down()
        console.print("stopped; no process left behind.")
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        stack.up()
    except StackError as exc:
        fail(str(exc))
    console.print(f"[bold green]govpub is up[/] in {time.monotonic() - started:.1f}s")
    for name in SERVICES:
        console.print(f"  {name:<13} {config.url(name)}")
    console.print(f"  {'receiver':<13} {config.receiver_url}/received  (demo webhook endpoint)")
    console.print(f"  logs          {config.data_dir / 'logs'}")
    try:
        if demo:
            _demo(stack, started)
        console.print("[dim]supervising; Ctrl-C stops everything[/]")
        while True:
            for restarted in stack.supervise_once():
                console.print(f"[yellow]restarted[/] {restarted}")
            time.sleep(0.5)
    except KeyboardInterrupt:
        stop()
    except StackError as exc:
        stack.down()
        fail(str(exc))


_SHORT = {
    "approved_with_redactions": "masked", "needs_human": "reviewer", "waiting_for_interpretation": "held",
    "waiting_for_policy": "held", "released (targeted)": "targeted", "not_proactive": "not public",
    "not_approved": "stopped", "waiting_for_tags": "tagging…", "waiting_for_review": "review…",
}


def _short(status: str) -> str:
    status = status.replace(" delivered", "").replace(" received", "").replace(" unchanged", "")
    return _SHORT.get(status, status)


def _demo(stack: Stack, started: float) -> None:
    urls = {n: stack.config.url(n) for n in PIPELINE}
    samples = sorted(SAMPLES.glob("*.json"))
    docs: list[tuple[str, str]] = []
    with httpx.Client(timeout=10) as client:
        for path in samples:
            result = _post_document(client, urls["intake"], path)
            if "error" in result:
                console.print(f"[red]refused[/] {result['error']}")
                continue
            title = json.loads(path.read_text(encoding="utf-8"))["title"]
            docs.append((result["document_id"], title))
        first_delivered: float | None = None
        deadline = time.monotonic() + 90
        with Live(console=console, refresh_per_second=4) as live:
            while True:
                table = Table(title="documents moving through govpub")
                table.add_column("document", no_wrap=True, max_width=28)
                for stage in STAGES:
                    table.add_column(stage, no_wrap=True)
                settled = 0
                for document_id, title in docs:
                    status = pipeline_status(client, urls, document_id)
                    settled += is_settled(status)
                    if first_delivered is None and status["distribution"].startswith(("1/", "2/", "3/")):
                        first_delivered = time.monotonic() - started
                    table.add_row(f"{title[:12]}… [dim]{document_id[:8]}[/]", *(_short(status[s]) for s in STAGES))
                live.update(table)
                if settled == len(docs) or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
    if first_delivered is not None:
        console.print(f"first document delivered {first_delivered:.1f}s after `govpub up` started")
    console.print(f"try: curl '{urls['publication']}/v1/library?q=知识产权'")


@app.command()
def submit(paths: Annotated[list[Path], typer.Argument(help="JSON files in the upstream document contract.")]) -> None:
    """Post documents to intake and print each document_id."""
    intake = _urls()["intake"]
    refused = 0
    with httpx.Client(timeout=30) as client:
        for path in paths:
            result = _post_document(client, intake, path)
            if "error" in result:
                refused += 1
                err.print(f"[red]refused[/] {result['error']}", highlight=False)
            else:
                console.print(f"{result['document_id']}  v{result['version']} {result['status']}  {path}")
    if refused:
        raise typer.Exit(2)


@app.command("import")
def import_documents(
    path: Annotated[
        Path,
        typer.Argument(
            help="A folder of documents, or one file: *.json (one document in the upstream contract), "
            "*.jsonl (one per line) or *.csv (one per row, a header row naming the fields; "
            "UTF-8 or GB18030; addressees and audience split by ; or 、)."
        ),
    ],
    workers: Annotated[int, typer.Option(min=1, max=32, help="Parallel requests.")] = 8,
) -> None:
    """Send documents to intake, with a progress bar and a summary of what was refused and why."""
    from concurrent.futures import ThreadPoolExecutor
    from itertools import islice

    from rich.progress import Progress

    if not path.exists():
        fail(f"{path} does not exist; pass a folder of documents or one .json, .jsonl or .csv file")
    if path.is_file() and path.suffix.lower() not in SUFFIXES:
        fail(f"{path} is not a .json, .jsonl or .csv file; pass one of those or a folder holding them")
    files = files_in(path)
    if not files:
        fail(f"no .json, .jsonl or .csv files in {path}")
    # Counted first for the progress bar, then read again as sent: a backfill of an archive must not
    # hold every document in memory at once.
    total = sum(1 for file in files for _ in read_items(file, path))
    intake = _urls()["intake"]
    # duplicate: the same document already came from another system; it is linked, not published twice.
    outcomes: dict[str, int] = {"received": 0, "unchanged": 0, "duplicate": 0, "refused": 0}
    refusals: list[str] = []
    with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=workers)) as client, Progress(
        console=console
    ) as progress:
        task = progress.add_task("importing", total=total)

        def one(item: Item) -> dict[str, Any]:
            return _post_item(client, intake, item)

        items = (item for file in files for item in read_items(file, path))
        with ThreadPoolExecutor(workers) as pool:
            while chunk := list(islice(items, workers * 16)):
                for result in pool.map(one, chunk):
                    if "error" in result:
                        outcomes["refused"] += 1
                        refusals.append(result["error"])
                    else:
                        outcomes[result["status"]] = outcomes.get(result["status"], 0) + 1
                    progress.advance(task)
    console.print(f"imported {total} document(s) from {len(files)} file(s)")
    table = Table()
    table.add_column("outcome")
    table.add_column("documents", justify="right")
    for outcome, count in outcomes.items():
        table.add_row(outcome, str(count))
    console.print(table)
    for refusal in refusals:
        err.print(f"[red]refused[/] {refusal}", highlight=False)
    if refusals:
        raise typer.Exit(2)


@app.command()
def status(document_id: str) -> None:
    """Where one document is in the pipeline."""
    with httpx.Client(timeout=5) as client:
        result = pipeline_status(client, _urls(), document_id)
    if all(v == "unreachable" for v in result.values()):
        fail("no service is reachable; start govpub with `govpub up` or set GOVPUB_<SERVICE>_URL")
    table = Table(title=document_id)
    table.add_column("stage")
    table.add_column("status")
    for stage in STAGES:
        table.add_row(stage, result[stage])
    console.print(table)


keys_app = typer.Typer(help="API keys for submitters, reviewers, editors, operators and admins.")
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="submitter, reviewer, editor, operator or admin")],
    name: Annotated[str, typer.Option(help="Who holds the key (a person or an upstream system).")],
) -> None:
    """Create an API key; it is printed once and only its hash is kept."""
    from shared.auth import ROLES, KeyStore

    if role not in ROLES:
        fail(f"--role {role!r} is not a role; use one of {', '.join(ROLES)}")
    path = CommonSettings().api_keys_file
    key = KeyStore(path).create(name, role)
    console.print(key, highlight=False)
    err.print(f"[dim]stored the hash in {path}; the key is not shown again[/]")


@app.command()
def topics(
    provision: Annotated[bool, typer.Option(help="Create the missing topics on GOVPUB_KAFKA_BOOTSTRAP.")] = False,
) -> None:
    """The topic catalogue; with --provision, create what is missing (for real clusters)."""
    import asyncio

    from shared.messaging import provision_topics
    from shared.topics import CATALOGUE

    if provision:
        settings = CommonSettings()
        bootstrap = settings.kafka_bootstrap
        try:
            created = asyncio.run(provision_topics(bootstrap, settings=settings))
        except Exception as exc:
            fail(f"cannot reach Kafka at {bootstrap} ({exc}); set GOVPUB_KAFKA_BOOTSTRAP")
        console.print(f"created {len(created)} topic(s): {', '.join(created) or '-'}")
    table = Table(title="topics")
    for column in ("name", "partitions", "key", "payload", "producer"):
        table.add_column(column)
    for t in CATALOGUE:
        table.add_row(t.name, str(t.partitions), t.key, t.payload, t.producer)
    console.print(table)


@app.command()
def contracts(check: Annotated[bool, typer.Option(help="Fail if the checked-in contracts are stale.")] = False) -> None:
    """Generate contracts/ (topic catalogue, JSON Schemas, AsyncAPI) from the code."""
    from govpub.contracts import write_contracts

    stale = write_contracts(REPO / "contracts", check=check)
    if check and stale:
        fail(f"contracts are stale: {', '.join(stale)}; run `make contracts` and commit the result")
    console.print("contracts up to date" if check else f"wrote {len(stale)} changed file(s)")


def _mount() -> None:
    """Commands that live beside the services they talk to."""
    from govpub import cli_deliveries, cli_links, cli_ops, cli_review

    app.add_typer(cli_review.app, name="audit", help="The review audit log (who decided what, when).")
    app.add_typer(cli_deliveries.app, name="deliveries", help="Deliveries to channels: list, retry, replay.")
    app.add_typer(cli_links.app, name="links", help="Check the links and attachments of published documents.")
    for command in cli_ops.app.registered_commands:
        app.registered_commands.append(command)
    for group in cli_ops.app.registered_groups:
        app.registered_groups.append(group)


_mount()


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
