"""The embedded database as govpub runs it: a killed writer's open transaction stops blocking soon.

A consumer killed with -9 in the middle of a transaction leaves it open on the server (closing the
connection does not abort it). Whoever takes over its partitions writes the same inbox and delivery
documents and gets write conflicts until the server reaps the transaction, so the stack runs the
database with a short transaction lifetime (govpub/embedded_db.py).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from govpub.stack import embedded_db_command, free_port, wait_for_port

LIFETIME_S = 1.5

WRITER = """
import sys, time
from pymongo import MongoClient
client = MongoClient(sys.argv[1])
session = client.start_session()
session.start_transaction()
client.t.inbox.insert_one({"_id": "consumer:event-1", "by": "killed"}, session=session)
print("open", flush=True)
time.sleep(600)
"""


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [*embedded_db_command(), "--port", str(port), "--storage-path", str(tmp_path / "db"),
         "--transaction-lifetime-s", str(LIFETIME_S)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for_port(port, 60, proc), "the embedded database did not start"
        yield f"mongodb://127.0.0.1:{port}/?directConnection=true"
    finally:
        proc.terminate()
        proc.wait(10)


def insert_in_transaction(client: MongoClient[dict[str, Any]], document: dict[str, str]) -> None:
    with client.start_session() as session, session.start_transaction():
        client.t.inbox.insert_one(document, session=session)


def test_a_killed_writers_transaction_is_reaped_and_the_next_writer_gets_through(database: str) -> None:
    writer = subprocess.Popen([sys.executable, "-c", WRITER, database], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
    writer.kill()
    writer.wait(10)
    killed_at = time.monotonic()

    client: MongoClient[dict[str, Any]]
    with MongoClient(database) as client:
        document = {"_id": "consumer:event-1", "by": "successor"}
        with pytest.raises(OperationFailure) as conflict:
            insert_in_transaction(client, document)
        assert conflict.value.has_error_label("TransientTransactionError")  # the zombie still holds it

        while True:
            try:
                insert_in_transaction(client, document)
                break
            except OperationFailure as exc:
                assert exc.has_error_label("TransientTransactionError"), exc
                assert time.monotonic() - killed_at < LIFETIME_S + 10, "the open transaction was never reaped"
                time.sleep(0.2)
        waited = time.monotonic() - killed_at
        assert list(client.t.inbox.find()) == [document]  # the killed writer's insert was rolled back
    assert waited >= LIFETIME_S * 0.5, f"got through after {waited:.1f}s: the conflict was not the zombie's"
