"""An example third-party channel adapter, written against govpub's raw topics with confluent-kafka.

It shows everything an outside adapter needs to get right (see README.md beside it):

* consume ``publication.document-released.v1`` and ``publication.document-withdrawn.v1`` in a consumer
  group of its own, from the earliest offset, committing only after a message was handled
  (at-least-once);
* read the CloudEvents attributes from the ``ce_*`` headers and the JSON payload from the value;
* validate every payload against the checked-in JSON Schema (``contracts/schemas/``) and set aside
  what does not validate instead of stopping;
* be idempotent: a release is identified by ``release_id`` (one per document version) and may be
  delivered more than once, so handled ids are remembered (here in SQLite);
* keep per-document order: messages are keyed by ``document_id``, so one document's events arrive
  in order on one partition, and a withdrawal always comes after the release it withdraws.

Run it against a running stack::

    python contracts/examples/third_party_adapter.py --bootstrap 127.0.0.1:9092 --group my-portal

It depends only on confluent-kafka and jsonschema, not on govpub.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message
from jsonschema import Draft202012Validator

RELEASED = "publication.document-released.v1"
WITHDRAWN = "publication.document-withdrawn.v1"
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
SCHEMA_OF = {RELEASED: "DocumentReleased.json", WITHDRAWN: "DocumentWithdrawn.json"}


class Invalid(ValueError):
    """A message that is not a valid event of its topic."""


@dataclass(frozen=True)
class Event:
    topic: str
    type: str
    id: str
    subject: str
    data: dict[str, Any]


def load_validators(schemas: Path = SCHEMAS) -> dict[str, Draft202012Validator]:
    validators = {}
    for topic, name in SCHEMA_OF.items():
        schema = json.loads((schemas / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        validators[topic] = Draft202012Validator(schema)
    return validators


def parse(topic: str, headers: list[tuple[str, bytes]] | None, value: bytes | None,
          validators: dict[str, Draft202012Validator]) -> Event:
    """The event in one record, or Invalid naming every problem."""
    attributes = {k: v.decode("utf-8", "replace") for k, v in (headers or [])}
    missing = [h for h in ("ce_id", "ce_type", "ce_specversion", "ce_source") if h not in attributes]
    if missing:
        raise Invalid(f"not a CloudEvent: missing header(s) {', '.join(missing)}")
    try:
        data = json.loads(value or b"")
    except json.JSONDecodeError as exc:
        raise Invalid(f"value is not JSON: {exc}") from exc
    errors = sorted(validators[topic].iter_errors(data), key=lambda e: list(e.path))
    if errors:
        raise Invalid("; ".join(f"{'.'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors))
    return Event(topic, attributes["ce_type"], attributes["ce_id"], attributes.get("ce_subject", ""), data)


class SeenStore:
    """Which (release_id, action) pairs were handled: redeliveries are recognised and skipped."""

    def __init__(self, path: str = ":memory:") -> None:
        self.db = sqlite3.connect(path, check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS seen (release_id TEXT, action TEXT, PRIMARY KEY (release_id, action))")

    def first_time(self, release_id: str, action: str) -> bool:
        cursor = self.db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (release_id, action))
        self.db.commit()
        return cursor.rowcount == 1


@dataclass
class ThirdPartyAdapter:
    bootstrap: str
    group: str
    on_release: Callable[[dict[str, Any]], None]
    on_withdrawal: Callable[[dict[str, Any]], None]
    seen: SeenStore = field(default_factory=SeenStore)
    validators: dict[str, Draft202012Validator] = field(default_factory=load_validators)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0

    def consumer(self) -> Consumer:
        return Consumer({
            "bootstrap.servers": self.bootstrap,
            "group.id": self.group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            # Short timings for govpub's embedded broker; the librdkafka defaults suit real Kafka.
            "session.timeout.ms": 6000,
            "fetch.wait.max.ms": 20,
        })

    def handle(self, message: Message) -> None:
        topic = message.topic() or ""
        try:
            event = parse(topic, message.headers(), message.value(), self.validators)
        except Invalid as exc:
            # A real adapter would park it somewhere for a person; it must not stop the partition.
            self.rejected.append((f"{topic}/{message.partition()}/{message.offset()}", str(exc)))
            return
        action = "release" if topic == RELEASED else "withdraw"
        if not self.seen.first_time(event.data["release_id"], action):
            self.skipped += 1
            return
        (self.on_release if action == "release" else self.on_withdrawal)(event.data)

    def run(self, stop: threading.Event) -> None:
        consumer = self.consumer()
        consumer.subscribe([RELEASED, WITHDRAWN])
        try:
            while not stop.is_set():
                message = consumer.poll(0.2)
                if message is None:
                    continue
                error = message.error()
                if error is not None:
                    if error.code() != KafkaError._PARTITION_EOF:
                        print(f"kafka error: {error}", file=sys.stderr)
                    continue
                self.handle(message)
                consumer.commit(message=message, asynchronous=False)  # only after it was handled
        finally:
            consumer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--group", default="example-third-party")
    parser.add_argument("--seen", default="third-party-seen.sqlite", help="where handled release ids are kept")
    args = parser.parse_args()

    def released(doc: dict[str, Any]) -> None:
        link = f" (解读: {doc['interpretation']['url']})" if doc.get("interpretation") else ""
        print(f"publish {doc['release_id']}: {doc['title']} → {doc['url']}{link}")

    def withdrawn(doc: dict[str, Any]) -> None:
        print(f"retract {doc['document_id']} (version {doc['version']}): {doc['reason']}")

    adapter = ThirdPartyAdapter(args.bootstrap, args.group, released, withdrawn, SeenStore(args.seen))
    stop = threading.Event()
    try:
        adapter.run(stop)
    except KeyboardInterrupt:
        stop.set()


if __name__ == "__main__":
    main()
