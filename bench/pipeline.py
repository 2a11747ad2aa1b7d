"""End-to-end benchmark: generated documents through all five services to three local channel endpoints,
measured against the bare-relay ceiling in the same run (issue #9).

    python -m bench.pipeline [--documents 2000] [--low-load-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench import corpus, relay
from govpub.stack import Stack, StackConfig
from services.intake.identity import document_id_for

OUT = Path(__file__).resolve().parent / "out"
console = Console()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def rss_mb(stack: Stack) -> dict[str, float]:
    result = {}
    procs = {**stack.services, "broker": stack.broker, "database": stack.database}
    for name, proc in procs.items():
        if proc is None or proc.popen is None:
            continue
        try:
            for line in Path(f"/proc/{proc.popen.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    result[name] = round(int(line.split()[1]) / 1024, 1)
        except FileNotFoundError:
            pass
    return result


def expectations(docs: list[dict[str, Any]]) -> dict[str, int]:
    """document_id → how many channels it must reach: public ones two, targeted (园区) ones one."""
    return {document_id_for(d["source_system"], d["source_id"]): 1 if d.get("audience") else 2 for d in docs}


async def submit_all(intake: str, docs: list[dict[str, Any]], concurrency: int, progress: Progress | None) -> dict[str, float]:
    """Submit as fast as intake accepts; returns document_id → submission time (epoch seconds)."""
    submitted: dict[str, float] = {}
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for d in docs:
        queue.put_nowait(d)
    task = progress.add_task("submitting", total=len(docs)) if progress else None

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            doc = queue.get_nowait()
            at = time.time()
            response = await client.post(f"{intake}/v1/documents", json=doc)
            response.raise_for_status()
            submitted[response.json()["document_id"]] = at
            if progress and task is not None:
                progress.advance(task)

    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency)) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return submitted


async def submit_paced(intake: str, docs: list[dict[str, Any]], rate: float) -> dict[str, float]:
    submitted: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=60) as client:
        start = time.monotonic()
        for i, doc in enumerate(docs):
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            at = time.time()
            response = await client.post(f"{intake}/v1/documents", json=doc)
            response.raise_for_status()
            submitted[response.json()["document_id"]] = at
    return submitted


def wait_delivered(stack: Stack, submitted: dict[str, float], expected: dict[str, int], timeout: float,
                   progress: Progress | None) -> dict[str, float]:
    """document_id → time of its last delivery, once every document reached all its channels."""
    deliveries = MongoClient(stack.config.mongo, tz_aware=True)["govpub_distribution"].deliveries
    task = progress.add_task("delivering", total=len(submitted)) if progress else None
    deadline = time.monotonic() + timeout
    done: dict[str, float] = {}
    last_progress = time.monotonic()
    while time.monotonic() < deadline:
        before = len(done)
        pipeline = [
            {"$match": {"document_id": {"$in": list(set(submitted) - set(done))}, "status": "delivered",
                        "action": "release"}},
            {"$group": {"_id": "$document_id", "n": {"$sum": 1}, "last": {"$max": "$delivered_at"}}},
        ]
        for row in deliveries.aggregate(pipeline):
            if row["n"] >= expected[row["_id"]]:
                done[row["_id"]] = row["last"].timestamp()
        if progress and task is not None:
            progress.update(task, completed=len(done))
        if len(done) == len(submitted):
            break
        if len(done) > before:
            last_progress = time.monotonic()
        elif time.monotonic() - last_progress > 60:
            missing = sorted(set(submitted) - set(done))
            console.print(f"[yellow]{len(missing)} document(s) not delivered after 60 s without progress; "
                          f"first: {missing[:3]}[/]")
            break
        time.sleep(0.5)
    return done


def run(documents: int, low_load_seconds: int, low_load_rate: float = 10.0) -> dict[str, Any]:
    results: dict[str, Any] = {"documents": documents}
    with tempfile.TemporaryDirectory() as tmp:
        config = StackConfig.ephemeral(Path(tmp))
        config.extra_env = {"GOVPUB_LOG_LEVEL": "WARNING", "GOVPUB_DISTRIBUTION_DISPATCH_INTERVAL_S": "0.1"}
        stack = Stack(config, say=lambda m: console.print(f"[dim]{m}[/]"))
        stack.up()
        try:
            intake = config.url("intake")
            warm = corpus.documents(20, seed=1, run="warm")
            with Progress(console=console) as progress:
                sub = asyncio.run(submit_all(intake, warm, 8, None))
                wait_delivered(stack, sub, expectations(warm), 120, None)
                results["memory_mb_before"] = rss_mb(stack)

                docs = corpus.documents(documents, seed=7, run=f"burst{int(time.time())}")
                ids = asyncio.run(submit_all(intake, docs, 16, progress))
                accepted_at = time.time()
                delivered = wait_delivered(stack, ids, expectations(docs), 1800, progress)
            first = min(ids.values())
            last = max(delivered.values()) if delivered else time.time()
            latencies = [delivered[d] - ids[d] for d in delivered]
            results["end_to_end"] = {
                "delivered": len(delivered),
                "submitted": len(ids),
                "intake_documents_per_s": round(len(ids) / (accepted_at - first), 1),
                "documents_per_s": round(len(delivered) / (last - first), 1),
                "latency_p50_s": round(percentile(latencies, 50), 3),
                "latency_p95_s": round(percentile(latencies, 95), 3),
                "latency_p99_s": round(percentile(latencies, 99), 3),
            }
            results["memory_mb_after"] = rss_mb(stack)

            low = corpus.documents(int(low_load_seconds * low_load_rate), seed=11, run=f"low{int(time.time())}")
            low = [{k: v for k, v in d.items() if k != "audience"} for d in low]
            low_ids = asyncio.run(submit_paced(intake, low, low_load_rate))
            low_done = wait_delivered(stack, low_ids, {d: 2 for d in low_ids}, 300, None)
            low_lat = [low_done[d] - low_ids[d] for d in low_done]
            results["low_load"] = {
                "rate_per_s": low_load_rate,
                "documents": len(low_ids),
                "delivered": len(low_done),
                "latency_p50_s": round(percentile(low_lat, 50), 3),
                "latency_p99_s": round(percentile(low_lat, 99), 3),
                "latency_mean_s": round(statistics.fmean(low_lat), 3) if low_lat else None,
            }

            payloads = [json.dumps(d, ensure_ascii=False).encode() for d in docs]
            results["ceiling"] = relay.ceiling(config.bootstrap, config.mongo, payloads)
            results["percent_of_ceiling"] = round(
                100 * results["end_to_end"]["documents_per_s"] / results["ceiling"]["documents_per_s"], 1
            )
        finally:
            stack.down()
    return results


def report(results: dict[str, Any]) -> None:
    table = Table(title=f"govpub end-to-end ({results['documents']} documents, embedded stack)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    e2e, low, ceil = results["end_to_end"], results["low_load"], results["ceiling"]
    rows = [
        ("intake accepted (documents/s)", e2e["intake_documents_per_s"]),
        ("end-to-end sustained (documents/s)", e2e["documents_per_s"]),
        ("bare-relay ceiling (documents/s)", ceil["documents_per_s"]),
        ("pipeline as % of ceiling", f"{results['percent_of_ceiling']}%"),
        ("latency submit→last delivery p50 (s)", e2e["latency_p50_s"]),
        ("latency p95 (s)", e2e["latency_p95_s"]),
        ("latency p99 (s)", e2e["latency_p99_s"]),
        (f"low load {low['rate_per_s']:g}/s p50 (s)", low["latency_p50_s"]),
        (f"low load {low['rate_per_s']:g}/s p99 (s)", low["latency_p99_s"]),
        ("delivered / submitted", f"{e2e['delivered']}/{e2e['submitted']}"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    memory = Table(title="resident memory (MB) before → after the burst")
    memory.add_column("process")
    memory.add_column("before", justify="right")
    memory.add_column("after", justify="right")
    for name, after in results["memory_mb_after"].items():
        memory.add_row(name, str(results["memory_mb_before"].get(name, "")), str(after))
    console.print(memory)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--low-load-seconds", type=int, default=20)
    args = parser.parse_args()
    results = run(args.documents, args.low_load_seconds)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pipeline.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    report(results)


if __name__ == "__main__":
    main()
