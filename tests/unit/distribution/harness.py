"""Run extra distribution instances with a channel registry of their own, and feed them released events.

Used by the distribution e2e tests and ``bench/distribution_throughput.py``. An instance is the real
service (``python -m services.distribution``) in its own process, against the embedded broker and
database, with its own database name and channels file; several instances may share a database,
which is how two dispatchers competing for the same deliveries are tested.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from aiokafka import AIOKafkaProducer

from govpub.stack import Proc, free_port
from shared import events
from shared.envelope import Envelope, encode, new_event_id

EXAMPLE = Path(__file__).resolve().parents[3] / "contracts" / "examples" / "events" / "DocumentReleased.json"


@dataclass
class Instance:
    """One distribution process."""

    name: str
    port: int
    proc: Proc

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        self.proc.start()
        wait_ready(self, timeout)

    def kill(self) -> None:
        import signal

        self.proc.signal(signal.SIGKILL)
        if self.proc.popen is not None:
            self.proc.popen.wait(10)

    def stop(self) -> None:
        self.proc.stop()


def wait_ready(instance: Instance, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2) as client:
        while time.monotonic() < deadline:
            if not instance.proc.alive:
                tail = instance.proc.log.read_text(errors="replace")[-2000:] if instance.proc.log.exists() else ""
                raise RuntimeError(f"{instance.name} exited during start-up:\n{tail}")
            try:
                if client.get(f"{instance.url}/ready").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise RuntimeError(f"{instance.name} was not ready within {timeout}s; see {instance.proc.log}")


@dataclass
class Deployment:
    """Instances sharing one database and one channel registry."""

    channels: list[dict[str, Any]]
    base_env: dict[str, str]
    logs: Path
    database: str = field(default_factory=lambda: f"govpub_distribution_t{uuid.uuid4().hex[:8]}")
    env: dict[str, str] = field(default_factory=dict)
    instances: list[Instance] = field(default_factory=list)

    def write_registry(self) -> Path:
        path = self.logs.parent / f"channels-{self.database}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump({"version": 1, "channels": self.channels}, allow_unicode=True), encoding="utf-8")
        return path

    def add(self, name: str) -> Instance:
        port = free_port()
        env = {
            **self.base_env,
            "GOVPUB_DISTRIBUTION_PORT": str(port),
            "GOVPUB_DISTRIBUTION_DATABASE": self.database,
            "GOVPUB_DISTRIBUTION_CHANNELS_PATH": str(self.write_registry()),
            "GOVPUB_DISTRIBUTION_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "GOVPUB_DISTRIBUTION_DISPATCH_INTERVAL_S": "0.1",
            "GOVPUB_DISTRIBUTION_ENABLED_CHANNELS": "",
            **self.env,
        }
        proc = Proc(name, [sys.executable, "-m", "services.distribution"], self.logs / f"{name}.log", env, port)
        instance = Instance(name, port, proc)
        self.instances.append(instance)
        return instance

    def start(self, names: Iterable[str]) -> list[Instance]:
        started = [self.add(n) for n in names]
        for instance in started:
            instance.proc.start()
        for instance in started:
            wait_ready(instance, 90)
        return started

    def stop(self) -> None:
        for instance in self.instances:
            instance.stop()


def release(tags: Iterable[str] = (), audience: Iterable[str] = (), **changes: Any) -> events.DocumentReleased:
    """A DocumentReleased like the contract's example, for a new document unless ``document_id`` is given."""
    payload = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    document_id = changes.pop("document_id", None) or str(uuid.uuid4())
    payload.update(
        document_id=document_id, release_id=f"{document_id}:v1", url=f"https://portal.example/documents/{document_id}",
        released_at=datetime.now(UTC).isoformat(), audience=list(audience),
        tags=[{"code": t, "dimension": "topic", "name_zh": t} for t in tags],
    )
    payload.update(changes)
    return events.DocumentReleased.model_validate(payload)


def withdrawal(released: events.DocumentReleased, reason: str = "政策调整") -> events.DocumentWithdrawn:
    return events.DocumentWithdrawn(
        document_id=released.document_id, release_id=released.release_id, version=released.version, reason=reason,
        withdrawn_at=datetime.now(UTC), url=released.url, audience=released.audience,
    )


async def produce(bootstrap: str, items: Iterable[events.EventPayload], *, event_id: str | None = None) -> list[str]:
    """Publish events as publication would (CloudEvents, keyed by document id); returns their event ids."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, linger_ms=2)
    await producer.start()
    ids = []
    try:
        for event in items:
            eid = event_id or new_event_id()
            envelope = Envelope(eid, event.TYPE, "/govpub/publication", event.document_id, datetime.now(UTC), eid)
            headers, value = encode(envelope, event.model_dump(mode="json"))
            await producer.send(event.TOPIC, value, key=event.document_id.encode(), headers=list(headers.items()))
            ids.append(eid)
        await producer.flush()
    finally:
        await producer.stop()
    return ids
