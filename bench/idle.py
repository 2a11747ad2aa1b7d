"""What the embedded stack costs with nothing to do: each process's CPU, as % of one core.

    python -m bench.idle                                   # defaults
    python -m bench.idle --env GOVPUB_FETCH_MAX_WAIT_MS=100  # the same with a setting changed

Idle cost is what a developer's laptop pays for `make run`, and what every document competes with
under load: consumers polling the broker, relays and dispatchers polling the database.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.pipeline import cpu_seconds
from govpub.stack import Stack, StackConfig

OUT = Path(__file__).resolve().parent / "out" / "idle.json"
console = Console()


def measure(settle_s: float, seconds: float, env: dict[str, str]) -> dict[str, float]:
    """% of one core each process used over ``seconds``, after ``settle_s`` for start-up to finish."""
    with tempfile.TemporaryDirectory() as tmp:
        config = StackConfig.ephemeral(Path(tmp))
        config.extra_env = {"GOVPUB_LOG_LEVEL": "WARNING", **env}
        stack = Stack(config, say=lambda m: console.print(f"[dim]{m}[/]"))
        stack.up()
        try:
            time.sleep(settle_s)
            before, started = cpu_seconds(stack), time.monotonic()
            time.sleep(seconds)
            after, elapsed = cpu_seconds(stack), time.monotonic() - started
        finally:
            stack.down()
    return {name: round((after[name] - before[name]) / elapsed * 100, 1) for name in after if name in before}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds after start-up before measuring")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long to measure")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="a setting for every process")
    args = parser.parse_args()
    bad = [e for e in args.env if "=" not in e]
    if bad:
        parser.error(f"--env takes KEY=VALUE, got {bad[0]!r}")
    env = dict(e.split("=", 1) for e in args.env)
    percent = measure(args.settle, args.seconds, env)
    table = Table(
        title=f"idle stack, % of one core over {args.seconds:.0f} s" + (f" ({', '.join(args.env)})" if env else "")
    )
    table.add_column("process")
    table.add_column("% of a core", justify="right")
    for name, value in percent.items():
        table.add_row(name, f"{value:.1f}")
    table.add_row("all", f"{sum(percent.values()):.1f}")
    console.print(table)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"env": env, "percent_of_a_core": percent}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
