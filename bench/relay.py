"""The infrastructure ceiling: a bare relay with the pipeline's shape and no domain logic.

Five stages in five processes, like the five services: each consumes its input topic in batches,
writes to its own database with one bulk write per batch, and produces the message to the next
topic, with the same partitions, consumer settings and message sizes as the pipeline. The pipeline
measures how many database writes it makes per document and passes that number here, so the relay
makes as many (spread over the stages), each a document of its own.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import time
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from pymongo import AsyncMongoClient, ReplaceOne

from bench import procstat

STAGES = 5
PARTITIONS = 4


def topic(run: str, i: int) -> str:
    return f"relay.{run}-stage-{i}.v1"


async def _stage(bootstrap: str, mongo: str, run: str, index: int, writes: int) -> None:
    consumer = AIOKafkaConsumer(
        topic(run, index), bootstrap_servers=bootstrap, group_id=f"relay-{run}-{index}",
        auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=6000,
        heartbeat_interval_ms=1500, fetch_max_wait_ms=20, max_poll_records=200,
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, enable_idempotence=False)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo)
    db = client[f"relay_{run}_{index}"]
    await consumer.start()
    await producer.start()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=200)
            records = [r for rs in batches.values() for r in rs]
            if not records:
                continue
            await db.state.bulk_write(
                [
                    ReplaceOne({"_id": f"{r.key.decode()}/{w}"}, {"size": len(r.value), "at": time.time()}, upsert=True)
                    for r in records
                    for w in range(writes)
                ],
                ordered=False,
            )
            if index < STAGES:
                futures = [await producer.send(topic(run, index + 1), r.value, key=r.key) for r in records]
                await asyncio.gather(*futures)
            await consumer.commit()
    finally:
        await consumer.stop()
        await producer.stop()
        await client.close()


def _run_stage(bootstrap: str, mongo: str, run: str, index: int, writes: int) -> None:
    asyncio.run(_stage(bootstrap, mongo, run, index, writes))


async def _provision(bootstrap: str, run: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic(run, i), PARTITIONS, 1) for i in range(1, STAGES + 1)])
    finally:
        await admin.close()


async def _feed_and_wait(
    bootstrap: str, mongo: str, run: str, payloads: list[bytes], last_writes: int, limit_s: float
) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, enable_idempotence=False)
    await producer.start()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo)
    last = client[f"relay_{run}_{STAGES}"].state
    started = time.monotonic()
    futures = [await producer.send(topic(run, 1), p, key=f"doc-{i}".encode()) for i, p in enumerate(payloads)]
    await asyncio.gather(*futures)
    await producer.stop()
    while time.monotonic() - started < limit_s:
        if await last.count_documents({}) >= len(payloads) * last_writes:
            break
        await asyncio.sleep(0.1)
    elapsed = time.monotonic() - started
    await client.close()
    return elapsed


def spread(writes_per_document: int) -> list[int]:
    """How many writes each stage makes per message, adding up to ``writes_per_document`` (at least one each)."""
    total = max(writes_per_document, STAGES)
    return [total // STAGES + (1 if i < total % STAGES else 0) for i in range(STAGES)]


def _cpu_s(procs: list[Any]) -> float:
    return sum(procstat.cpu_seconds(p.pid) or 0.0 for p in procs if p.pid)


def ceiling(
    bootstrap: str, mongo: str, payloads: list[bytes], writes_per_document: int = STAGES, timeout: float = 600
) -> dict[str, Any]:
    """Documents/s through the bare relay for ``payloads``, with ``writes_per_document`` database writes each."""
    run = uuid.uuid4().hex[:8]
    asyncio.run(_provision(bootstrap, run))
    writes = spread(writes_per_document)
    ctx = mp.get_context("spawn")
    procs = [
        ctx.Process(target=_run_stage, args=(bootstrap, mongo, run, i, writes[i - 1]), daemon=True)
        for i in range(1, STAGES + 1)
    ]
    for p in procs:
        p.start()
    time.sleep(8)  # let every stage join its group (the embedded broker holds JoinGroup ~3 s)
    try:
        before = _cpu_s(procs)
        elapsed = asyncio.run(_feed_and_wait(bootstrap, mongo, run, payloads, writes[-1], timeout))
        stages_cpu = _cpu_s(procs) - before
    finally:
        for p in procs:
            p.terminate()
            p.join(5)
    return {
        "documents": len(payloads),
        "writes_per_document": sum(writes),
        "seconds": round(elapsed, 2),
        "documents_per_s": round(len(payloads) / elapsed, 1),
        "stages_cpu_ms_per_document": round(1000 * stages_cpu / len(payloads), 1),
    }
