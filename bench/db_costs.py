"""What one database operation costs the embedded database, in its own CPU time (issue #9).

    python -m bench.db_costs [--n 2000]

Starts the embedded database alone, as the stack does (with --sync-on-commit), and runs each kind of
operation the services make, one client, one at a time, on documents of about 700 bytes (and once with an 11 KB body, the corpus's average). The
database is one Python process, so its CPU per operation bounds the whole pipeline: multiply by the
operations per document that `python -m bench.pipeline` reports and divide one core by the result.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pymongo import MongoClient, UpdateOne
from pymongo.collection import Collection

from bench import procstat
from govpub.stack import Stack, StackConfig

OUT = Path(__file__).resolve().parent / "out"
BODY = "为深入贯彻落实知识产权强国建设纲要，进一步提升工作水平。" * 8  # ~700 bytes of UTF-8
LARGE = BODY * 16  # ~11 KB, the benchmark corpus's average body


def _cpu_s(pid: int) -> float:
    seconds = procstat.cpu_seconds(pid)
    if seconds is None:
        raise RuntimeError(f"the database process {pid} has gone; see its log")
    return seconds


def measure(pid: int, n: int, op: Callable[[int], Any]) -> dict[str, float]:
    """Database CPU and wall time per call of ``op`` over ``n`` calls."""
    cpu, wall = _cpu_s(pid), time.perf_counter()
    for i in range(n):
        op(i)
    cpu, wall = _cpu_s(pid) - cpu, time.perf_counter() - wall
    return {"db_cpu_us": round(1e6 * cpu / n), "wall_us": round(1e6 * wall / n)}


def run(n: int) -> dict[str, dict[str, float]]:
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(StackConfig.ephemeral(Path(tmp)), say=lambda m: None)
        stack.start_database()
        try:
            assert stack.database is not None and stack.database.popen is not None
            pid = stack.database.popen.pid
            client: MongoClient[dict[str, Any]] = MongoClient(stack.config.mongo)
            rows: Collection[dict[str, Any]] = client.bench.rows
            rows.insert_many([{"_id": f"seed-{i}", "body": BODY, "status": "pending"} for i in range(n)])

            def transaction(i: int) -> None:
                # A consumer's unit of work: inbox check, read its state, write state, inbox and outbox.
                with client.start_session() as session, session.start_transaction():
                    client.bench.inbox.find_one({"_id": f"evt-{i}"}, session=session)
                    rows.find_one({"_id": f"seed-{i}"}, session=session)
                    rows.update_one({"_id": f"seed-{i}"}, {"$set": {"status": "done"}}, session=session)
                    client.bench.inbox.insert_one({"_id": f"evt-{i}"}, session=session)
                    client.bench.outbox.insert_one({"_id": f"out-{i}", "body": BODY, "pending": True},
                                                   session=session)

            def bulk(i: int) -> None:
                if i % 200 == 0:
                    rows.bulk_write([UpdateOne({"_id": f"seed-{j}"}, {"$set": {"bulk": True}})
                                     for j in range(i, min(i + 200, n))], ordered=False)

            results = {
                "find_one by _id": measure(pid, n, lambda i: rows.find_one({"_id": f"seed-{i}"})),
                "update_one by _id": measure(pid, n, lambda i: rows.update_one({"_id": f"seed-{i}"},
                                                                                {"$set": {"n": i}})),
                "insert_one": measure(pid, n, lambda i: client.bench.other.insert_one({"_id": i, "body": BODY})),
                "insert_one, 11 KB body": measure(pid, n, lambda i: client.bench.large.insert_one({"_id": i, "body": LARGE})),
                "transaction (2 finds, 1 update, 2 inserts)": measure(pid, n // 4, transaction),
                "bulk update, per document (batches of 200)": measure(pid, n, bulk),
            }
            client.close()
        finally:
            stack.down()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()
    results = run(args.n)
    print(f"embedded database, one client, {args.n} operations each (CPU of the database process):")
    for name, figures in results.items():
        print(f"  {name:46s} {figures['db_cpu_us']:7d} µs CPU   {figures['wall_us']:7d} µs wall")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "db_costs.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
