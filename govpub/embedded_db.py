"""Run the embedded database (SecantusDB) with a short transaction lifetime.

A process killed in the middle of a transaction leaves it open on the server: closing the
connection does not abort it (mongod behaves the same), so every later writer of the same
documents gets a write conflict until the server reaps it after ``transactionLifetimeLimitSeconds``
(60 s by default). Our transactions are a handful of statements that never wait on anything outside
the database, so a lifetime of seconds is plenty; it bounds how long a consumer that takes over the
partitions of a killed instance keeps failing on that instance's half-written batch.

``secantusd-py`` has no flag for the lifetime, so this module starts the server through its Python
API instead. Production MongoDB gets the same effect from ``--setParameter
transactionLifetimeLimitSeconds=10`` (see docker-compose.yml and deploy/RUNBOOK.md).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from types import FrameType


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govpub.embedded_db", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--storage-path", required=True)
    parser.add_argument("--transaction-lifetime-s", type=float, default=10.0,
                        help="abort transactions idle for this long (default 10)")
    parser.add_argument("--sync-on-commit", action="store_true", help="fsync the log on every commit")
    parser.add_argument("--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    args = parser.parse_args(argv)
    if args.transaction_lifetime_s <= 0:
        parser.error("--transaction-lifetime-s must be positive, e.g. 10")

    from secantus.server import SecantusDBServer

    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = SecantusDBServer(
        host=args.host,
        port=args.port,
        storage_path=args.storage_path,
        replica_set_name="secantus",  # change streams and transactions need a replica-set primary
        sync_on_commit=args.sync_on_commit,
        transaction_lifetime_seconds=args.transaction_lifetime_s,
        enable_test_commands=False,  # the class defaults it on (for driver test suites); the daemon keeps it off
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    server.start()
    server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
