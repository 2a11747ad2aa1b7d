"""`make bench`: every benchmark, one after another; each prints its own table.

The end-to-end run writes bench/out/pipeline.json; this script gathers every bench/out/*.json into
bench/results.json and draws bench/out/pipeline.svg (throughput against the ceiling, latency
percentiles). GOVPUB_BENCH_DOCUMENTS sets the end-to-end size (default 2000; the issue's target
is stated over 10000).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"

BENCHES: list[tuple[str, list[str]]] = [
    ("intake: validate + normalize", ["bench/intake_normalize.py"]),
    ("intake: through the service (validate + normalize + store + emit)",
     ["-m", "bench.intake_throughput", "--documents", "1000"]),
    ("review: accuracy and speed vs jionlp", ["bench/review_accuracy.py"]),
    ("tagging: accuracy and speed", ["bench/tagging_eval.py"]),
    ("publication: search latency by library size", ["bench/search_latency.py"]),
    ("distribution: deliveries/s per channel", ["bench/distribution_throughput.py"]),
    ("scale-out: the slowest service with one and two instances",
     ["-m", "bench.scale_out", "--documents", os.environ.get("GOVPUB_BENCH_SCALE_DOCUMENTS", "400")]),
    ("database: CPU per operation of the embedded database", ["-m", "bench.db_costs"]),
    ("idle: what the stack costs with nothing to do", ["-m", "bench.idle"]),
    ("end-to-end pipeline vs bare-relay ceiling",
     ["-m", "bench.pipeline", "--documents", os.environ.get("GOVPUB_BENCH_DOCUMENTS", "2000")]),
]


def svg_chart(results: dict) -> str:  # type: ignore[type-arg]
    """A small bar chart, drawn by hand so the benchmark needs no plotting library."""
    e2e, ceiling, low = results["end_to_end"], results["ceiling"], results["low_load"]
    bars = [
        ("pipeline docs/s", e2e["documents_per_s"], max(ceiling["documents_per_s"], e2e["documents_per_s"])),
        ("ceiling docs/s", ceiling["documents_per_s"], max(ceiling["documents_per_s"], e2e["documents_per_s"])),
        ("burst p50 s", e2e["latency_p50_s"], e2e["latency_p99_s"]),
        ("burst p95 s", e2e["latency_p95_s"], e2e["latency_p99_s"]),
        ("burst p99 s", e2e["latency_p99_s"], e2e["latency_p99_s"]),
        ("10/s p50 s", low["latency_p50_s"], max(low["latency_p99_s"], 1.0)),
        ("10/s p99 s", low["latency_p99_s"], max(low["latency_p99_s"], 1.0)),
    ]
    rows = []
    for i, (label, value, scale) in enumerate(bars):
        width = 0 if not scale else 360 * value / scale
        y = 30 + i * 34
        rows.append(
            f'<text x="10" y="{y + 16}" font-size="13">{label}</text>'
            f'<rect x="150" y="{y}" width="{width:.1f}" height="22" fill="#2b6cb0"/>'
            f'<text x="{156 + width:.1f}" y="{y + 16}" font-size="13">{value}</text>'
        )
    height = 40 + len(bars) * 34
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="{height}" font-family="sans-serif">'
        f'<text x="10" y="18" font-size="14" font-weight="bold">govpub end-to-end, {results["documents"]} documents</text>'
        + "".join(rows) + "</svg>\n"
    )


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    failures = []
    for title, args in BENCHES:
        script = HERE.parent / args[0] if args[0].endswith(".py") else None
        if script is not None and not script.exists():
            print(f"\n== {title}: not present, skipped")
            continue
        print(f"\n== {title}", flush=True)
        started = time.monotonic()
        code = subprocess.call([sys.executable, *args], cwd=HERE.parent)
        print(f"   ({time.monotonic() - started:.0f} s, exit {code})", flush=True)
        if code:
            failures.append(title)
    gathered = {p.stem: json.loads(p.read_text()) for p in sorted(OUT.glob("*.json"))}
    (HERE / "results.json").write_text(json.dumps(gathered, indent=2, ensure_ascii=False) + "\n")
    if "pipeline" in gathered:
        (OUT / "pipeline.svg").write_text(svg_chart(gathered["pipeline"]))
    print(f"\nwrote bench/results.json ({', '.join(gathered) or 'nothing'})")
    if failures:
        print(f"failed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
