"""Intake's throughput through the real service (issue #3): validate + normalize + store + emit.

Generated documents (2–20 KB bodies) are submitted over HTTP as fast as intake accepts them, with
review and everything after it stopped so only intake works; timed until every document's
``intake.document-received.v1`` event is published from the outbox.

    python -m bench.intake_throughput [--documents 1000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from rich.console import Console

from bench import corpus
from bench.pipeline import submit_all
from bench.scale_out import DOWNSTREAM, OUT, wait_published
from govpub.stack import Stack, StackConfig
from services.intake.identity import document_id_for

console = Console()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    docs = corpus.documents(args.documents, run=f"intake-{int(time.time())}")
    megabytes = sum(len(json.dumps(d, ensure_ascii=False).encode()) for d in docs) / 1e6
    with tempfile.TemporaryDirectory(prefix="govpub-bench-intake-") as tmp:
        stack = Stack(StackConfig.ephemeral(Path(tmp)))
        console.print("starting the embedded stack…")
        stack.up(receiver=False)
        client: MongoClient[dict[str, Any]]
        try:
            for name in DOWNSTREAM:
                stack.services[name].stop()
            with MongoClient(stack.config.mongo) as client:
                started = time.monotonic()
                asyncio.run(submit_all(stack.config.url("intake"), docs, args.concurrency, None))
                accepted_s = time.monotonic() - started
                ids = [document_id_for(d["source_system"], d["source_id"]) for d in docs]
                wait_published(client, "intake", ids)
                emitted_s = time.monotonic() - started
        finally:
            stack.down()
    result = {
        "documents": len(docs), "megabytes": round(megabytes, 1), "concurrency": args.concurrency,
        "accepted_per_s": round(len(docs) / accepted_s, 1), "emitted_per_s": round(len(docs) / emitted_s, 1),
        "seconds": round(emitted_s, 1),
    }
    console.print(f"intake: {len(docs)} documents ({megabytes:.1f} MB) accepted at {result['accepted_per_s']}/s "
                  f"(HTTP 202), all events published at {result['emitted_per_s']}/s "
                  f"(validate + normalize + store + emit), {emitted_s:.1f} s")
    OUT.mkdir(exist_ok=True)
    (OUT / "intake_throughput.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
