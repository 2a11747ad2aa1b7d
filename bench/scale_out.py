"""Scale-out (issue #9): the slowest service with one instance, then two in the same consumer group.

Each service is measured on a backlog: its input topic is filled while it is stopped, then it is
started, and timed from its first output published to its last (start-up and joining the group,
~5 s on the embedded broker, are left out: they are paid once per process, not per document). Review and tagging are
measured one after the other (tagging on review's output); the slower one is then measured again
with a second instance in the same consumer group, on a fresh backlog, and the partitions each
instance was assigned are printed.

    python -m bench.scale_out [--documents 400]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient
from rich.console import Console
from rich.table import Table

from bench import corpus
from bench.pipeline import submit_all
from govpub.stack import Proc, Stack, StackConfig, free_port
from services.intake.identity import document_id_for

OUT = Path(__file__).resolve().parent / "out"
console = Console()
OUTPUT = {"intake": "intake.document-received.v1", "review": "review.decision-made.v1",
          "tagging": "tagging.document-tagged.v1"}
DOWNSTREAM = ["review", "tagging", "publication", "distribution"]


def published(db: Any, topic: str, ids: list[str]) -> int:
    return int(db.outbox.count_documents({"topic": topic, "subject": {"$in": ids}, "published_at": {"$exists": True}}))


def wait_published(client: MongoClient[dict[str, Any]], service: str, ids: list[str], timeout: float = 1800) -> float:
    """Seconds until ``service`` has published its output for every id."""
    db = client[f"govpub_{service}"]
    started = time.monotonic()
    while published(db, OUTPUT[service], ids) < len(ids):
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"{service} published {published(db, OUTPUT[service], ids)}/{len(ids)} in {timeout}s")
        time.sleep(0.25)
    return time.monotonic() - started


def drain_seconds(client: MongoClient[dict[str, Any]], service: str, ids: list[str]) -> float:
    """From the first output published to the last: the drain itself, without the start-up and the join."""
    times = [r["published_at"] for r in client[f"govpub_{service}"].outbox.find(
        {"topic": OUTPUT[service], "subject": {"$in": ids}, "published_at": {"$exists": True}}, {"published_at": 1})]
    return max((max(times) - min(times)).total_seconds(), 1e-3)


def backlog(stack: Stack, client: MongoClient[dict[str, Any]], run: str, n: int) -> list[str]:
    """Submit ``n`` fresh documents while review and everything after it is stopped."""
    docs = corpus.documents(n, seed=sum(map(ord, run)), run=run)
    asyncio.run(submit_all(stack.config.url("intake"), docs, 16, None))
    ids = [document_id_for(d["source_system"], d["source_id"]) for d in docs]
    wait_published(client, "intake", ids)
    return ids


def second_instance(stack: Stack, service: str) -> tuple[Proc, str]:
    port = free_port()
    env = {**stack.config.service_env(), f"GOVPUB_{service.upper()}_PORT": str(port)}
    proc = Proc(f"{service}-2", [sys.executable, "-m", f"services.{service}"],
                stack.config.data_dir / "logs" / f"{service}-2.log", env, port)
    proc.start()
    return proc, f"http://127.0.0.1:{port}"


def assignments(urls: list[str]) -> list[dict[str, list[int]]]:
    with httpx.Client(timeout=5) as http:
        return [http.get(f"{url}/ready").json().get("consumers", {}) for url in urls]


def wait_split(urls: list[str], timeout: float = 120) -> list[dict[str, list[int]]]:
    """Wait until every instance has partitions of every group (the rebalance is over)."""
    deadline = time.monotonic() + timeout
    seen: list[dict[str, list[int]]] = []
    while True:
        try:
            seen = assignments(urls)
            if all(groups and all(groups.values()) for groups in seen):
                return seen
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the instances did not split the partitions: {seen}")
        time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=400)
    args = parser.parse_args()
    n = args.documents
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="govpub-bench-scale-") as tmp:
        config = StackConfig.ephemeral(Path(tmp))
        config.extra_env = {"GOVPUB_INTAKE_STUCK_AFTER_S": "3600"}  # a held-back backlog is not stuck
        stack = Stack(config, say=lambda m: None)
        console.print("starting the embedded stack…")
        stack.up(receiver=False)
        client: MongoClient[dict[str, Any]]
        with MongoClient(stack.config.mongo) as client:
            try:
                for name in DOWNSTREAM:
                    stack.services[name].stop()
                ids = backlog(stack, client, "scale-a", n)
                single: dict[str, float] = {}
                for service in ("review", "tagging"):
                    stack.services[service].start()
                    stack.wait_ready([service])
                    wait_published(client, service, ids)
                    seconds = drain_seconds(client, service, ids)
                    single[service] = n / seconds
                    rows.append({"service": service, "instances": 1, "documents": n, "seconds": round(seconds, 1),
                                 "documents_per_s": round(n / seconds, 1),
                                 "partitions": assignments([stack.config.url(service)])})
                slowest = min(single, key=lambda s: single[s])
                console.print(f"slowest: {slowest} ({single[slowest]:.1f} docs/s); now with two instances…")

                stack.services["tagging"].stop()
                stack.services["review"].stop()
                ids = backlog(stack, client, "scale-b", n)
                if slowest == "tagging":  # its input is review's output: build that backlog first
                    stack.services["review"].start()
                    stack.wait_ready(["review"])
                    wait_published(client, "review", ids)
                extra, extra_url = second_instance(stack, slowest)  # both start together and join at once
                try:
                    stack.services[slowest].start()
                    split = wait_split([stack.config.url(slowest), extra_url])
                    wait_published(client, slowest, ids)
                    seconds = drain_seconds(client, slowest, ids)
                    rows.append({"service": slowest, "instances": 2, "documents": n, "seconds": round(seconds, 1),
                                 "documents_per_s": round(n / seconds, 1), "partitions": split})
                finally:
                    extra.stop()
            finally:
                stack.down()

    table = Table(title=f"scale-out on the embedded stack ({n} documents per run, backlog drained)")
    for column in ("service", "instances", "docs/s", "seconds", "partitions per instance"):
        table.add_column(column)
    for row in rows:
        parts = row["partitions"] if isinstance(row["partitions"], list) else [row["partitions"]]
        table.add_row(row["service"], str(row["instances"]), f"{row['documents_per_s']:.1f}", f"{row['seconds']:.1f}",
                      " | ".join(json.dumps(p) for p in parts))
    console.print(table)
    one = next(r for r in rows if r["service"] == rows[-1]["service"] and r["instances"] == 1)
    speedup = rows[-1]["documents_per_s"] / one["documents_per_s"]
    console.print(f"{rows[-1]['service']}: two instances drain {speedup:.2f}× as fast as one")
    OUT.mkdir(exist_ok=True)
    (OUT / "scale_out.json").write_text(json.dumps({"runs": rows, "speedup": round(speedup, 2)}, indent=2))


if __name__ == "__main__":
    main()
