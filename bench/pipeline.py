"""End-to-end benchmark: generated documents through all five services to three local channel endpoints,
measured against the bare-relay ceiling in the same run (issue #9).

    python -m bench.pipeline [--documents 2000] [--low-load-seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bench import corpus, procstat, relay
from govpub.stack import Stack, StackConfig
from services.intake.identity import document_id_for

OUT = Path(__file__).resolve().parent / "out"
console = Console()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def _pids(stack: Stack) -> dict[str, int]:
    procs = {**stack.services, "broker": stack.broker, "database": stack.database}
    return {name: proc.popen.pid for name, proc in procs.items() if proc is not None and proc.popen is not None}


def rss_mb(stack: Stack) -> dict[str, float]:
    found = {name: procstat.rss_mb(pid) for name, pid in _pids(stack).items()}
    return {name: mb for name, mb in found.items() if mb is not None}


def rate_by_library_size(done_at: list[float], step: int = 1000) -> dict[int, float]:
    """Documents/s over each successive ``step`` deliveries, keyed by the library size at its end."""
    rates = {}
    for end in range(step, len(done_at) + 1, step):
        span = done_at[end - 1] - done_at[end - step]
        if span > 0:
            rates[end] = round((step - 1) / span, 1)
    return rates


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """User + system CPU time each process has used so far."""
    found = {name: procstat.cpu_seconds(pid) for name, pid in _pids(stack).items()}
    return {name: s for name, s in found.items() if s is not None}


def cpu_budget(before: dict[str, float], after: dict[str, float], documents: int) -> dict[str, Any]:
    """CPU milliseconds per document, per process, and the rate the machine's cores could sustain at that cost.

    On the embedded stack every process shares this machine's cores, so no tuning of waits or batching can
    take the pipeline above cores / (CPU seconds per document): that is the bound this reports.
    """
    per_doc = {name: round(1000 * (after[name] - before.get(name, 0.0)) / documents, 1) for name in after}
    total_s = sum(per_doc.values()) / 1000
    cores = os.cpu_count() or 1
    return {
        "cores": cores,
        "cpu_ms_per_document": per_doc,
        "cpu_ms_per_document_total": round(1000 * total_s, 1),
        "cpu_bound_documents_per_s": round(cores / total_s, 1) if total_s else None,
    }


def db_ops(mongo: str) -> dict[str, int]:
    status = MongoClient(mongo).admin.command("serverStatus")
    return {k: int(v) for k, v in status.get("opcounters", {}).items()}


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


class DeliveryWatch:
    """Release deliveries as they are marked delivered, read from the deliveries collection's change stream.

    Polling the collection for every undelivered document would make the benchmark itself the database's
    heaviest client (each poll reads every delivery of every document still in flight); the change stream
    costs one oplog entry per change, and release ids are mapped to documents once each.
    """

    def __init__(self, mongo: str) -> None:
        self._client: MongoClient[dict[str, Any]] = MongoClient(mongo, tz_aware=True)
        self._versions = self._client["govpub_publication"].versions
        self._stream = self._client["govpub_distribution"].deliveries.watch(
            [{"$match": {"operationType": "update", "updateDescription.updatedFields.status": "delivered"}}],
            max_await_time_ms=200,
        )
        self._lock = threading.Lock()
        self._delivered: list[tuple[str, float]] = []  # (release id, delivered at), release deliveries only
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="delivery-watch", daemon=True)
        self._thread.start()
        self._document_of: dict[str, str] = {}

    def _follow(self) -> None:
        while not self._stop.is_set():
            change = self._stream.try_next()
            if change is None:
                continue
            # channel:release:action, and a release id has a colon of its own (document:version)
            release_id, action = str(change["documentKey"]["_id"]).split(":", 1)[1].rsplit(":", 1)
            if action != "release":
                continue
            at = change["updateDescription"]["updatedFields"]["delivered_at"]
            with self._lock:
                self._delivered.append((release_id, at.timestamp()))

    def by_document(self) -> dict[str, list[float]]:
        """document_id → when each of its release deliveries was made, so far."""
        with self._lock:
            delivered = self._delivered[:]
        unknown = list({r for r, _ in delivered if r not in self._document_of})
        for i in range(0, len(unknown), 500):
            for row in self._versions.find({"_id": {"$in": unknown[i:i + 500]}}, {"document_id": 1}):
                self._document_of[row["_id"]] = row["document_id"]
        result: dict[str, list[float]] = {}
        for release_id, at in delivered:
            if release_id in self._document_of:
                result.setdefault(self._document_of[release_id], []).append(at)
        return result

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._stream.close()
        self._client.close()


def wait_delivered(watch: DeliveryWatch, submitted: dict[str, float], expected: dict[str, int], timeout: float,
                   progress: Progress | None) -> dict[str, float]:
    """document_id → time of its last delivery, once every document reached all its channels."""
    task = progress.add_task("delivering", total=len(submitted)) if progress else None
    deadline = time.monotonic() + timeout
    done: dict[str, float] = {}
    last_progress = time.monotonic()
    while time.monotonic() < deadline:
        before = len(done)
        for document_id, times in watch.by_document().items():
            if document_id in submitted and len(times) >= expected[document_id]:
                done[document_id] = max(times)
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
        config.extra_env = {"GOVPUB_LOG_LEVEL": "WARNING"}
        stack = Stack(config, say=lambda m: console.print(f"[dim]{m}[/]"))
        stack.up()
        watch = DeliveryWatch(config.mongo)
        try:
            intake = config.url("intake")
            warm = corpus.documents(20, seed=1, run="warm")
            with Progress(console=console) as progress:
                sub = asyncio.run(submit_all(intake, warm, 8, None))
                wait_delivered(watch, sub, expectations(warm), 120, None)
                results["memory_mb_before"] = rss_mb(stack)

                docs = corpus.documents(documents, seed=7, run=f"burst{int(time.time())}")
                cpu_before, ops_before = cpu_seconds(stack), db_ops(config.mongo)
                ids = asyncio.run(submit_all(intake, docs, 16, progress))
                accepted_at = time.time()
                delivered = wait_delivered(watch, ids, expectations(docs), 1800, progress)
                cpu_after, ops_after = cpu_seconds(stack), db_ops(config.mongo)
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
            results["documents_per_s_as_the_library_grows"] = rate_by_library_size(sorted(delivered.values()))
            results["memory_mb_after"] = rss_mb(stack)
            results["cpu"] = cpu_budget(cpu_before, cpu_after, len(ids))
            results["database_ops_per_document"] = {
                k: round((ops_after.get(k, 0) - v) / len(ids), 1) for k, v in ops_before.items()
            }

            low = corpus.documents(int(low_load_seconds * low_load_rate), seed=11, run=f"low{int(time.time())}")
            low = [{k: v for k, v in d.items() if k != "audience"} for d in low]
            low_ids = asyncio.run(submit_paced(intake, low, low_load_rate))
            low_done = wait_delivered(watch, low_ids, {d: 2 for d in low_ids}, 300, None)
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
            ops = results["database_ops_per_document"]
            writes = round(sum(ops.get(k, 0) for k in ("insert", "update", "delete")))
            infra_before = cpu_seconds(stack)
            results["ceiling"] = relay.ceiling(config.bootstrap, config.mongo, payloads, writes)
            infra_after = cpu_seconds(stack)
            results["ceiling"]["cpu_ms_per_document"] = {
                name: round(1000 * (infra_after[name] - infra_before[name]) / len(payloads), 1)
                for name in ("broker", "database")
            }
            results["percent_of_ceiling"] = round(
                100 * results["end_to_end"]["documents_per_s"] / results["ceiling"]["documents_per_s"], 1
            )
        finally:
            watch.close()
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
        ("CPU per document, all processes (ms)", results["cpu"]["cpu_ms_per_document_total"]),
        (f"CPU bound on {results['cpu']['cores']} cores (documents/s)", results["cpu"]["cpu_bound_documents_per_s"]),
        ("database writes per document (pipeline = relay)", ceil["writes_per_document"]),
        ("database queries per document", results["database_ops_per_document"].get("query")),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    growth = results.get("documents_per_s_as_the_library_grows") or {}
    if growth:
        console.print("documents/s as the library grows: " + ", ".join(f"{k}: {v}" for k, v in growth.items()))
    memory = Table(title="per process: resident memory (MB) before → after the burst, CPU ms per document")
    memory.add_column("process")
    memory.add_column("before", justify="right")
    memory.add_column("after", justify="right")
    memory.add_column("CPU ms/doc", justify="right")
    memory.add_column("relay CPU ms/doc", justify="right")
    relay_cpu = {**ceil.get("cpu_ms_per_document", {}), "relay stages": ceil.get("stages_cpu_ms_per_document")}
    cpu = results["cpu"]["cpu_ms_per_document"]
    for name, after in results["memory_mb_after"].items():
        memory.add_row(name, str(results["memory_mb_before"].get(name, "")), str(after), str(cpu.get(name, "")),
                       str(relay_cpu.get(name, "")))
    memory.add_row("relay stages", "", "", "", str(relay_cpu["relay stages"]))
    console.print(memory)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--low-load-seconds", type=int, default=20)
    parser.add_argument("--low-load-rate", type=float, default=10.0, help="documents/s of the paced run")
    args = parser.parse_args()
    results = run(args.documents, args.low_load_seconds, args.low_load_rate)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "pipeline.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    report(results)


if __name__ == "__main__":
    main()
