"""Tagging benchmark: precision/recall/F1 per dimension and documents per second on one core.

    .venv/bin/python bench/tagging_eval.py [--data bench/data/tagging_eval.jsonl] [--repeat 3]
                                           [--errors 10] [--per-tag] [--check]

Gold labels and predictions are both closed under the tag tree (a child implies its parent).
Micro scores pool every (document, tag) decision of a dimension; macro scores average the
per-tag F1 over the tags that occur in the gold labels or the predictions.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.tagging.domain import Tagger, load_catalogue  # noqa: E402

DIMENSIONS = ("topic", "audience", "doc_type", "stage")
TARGETS = {"topic": 0.90, "audience": 0.90, "doc_type": 0.98}
MIN_DOCS_PER_SECOND = 500.0


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main() -> int:
    parser = argparse.ArgumentParser(description="Tagging benchmark")
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "tagging_eval.jsonl")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes; the fastest is reported")
    parser.add_argument("--errors", type=int, default=0, help="print up to N documents with mistakes")
    parser.add_argument("--per-tag", action="store_true", help="print precision/recall/F1 per tag")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    docs: list[dict[str, Any]] = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line]
    started = time.perf_counter()
    catalogue = load_catalogue()
    tagger = Tagger(catalogue)
    init_seconds = time.perf_counter() - started

    results = [tagger.tag(d["title"], d["body"], d.get("doc_type")) for d in docs]  # also warms caches
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for d in docs:
            tagger.tag(d["title"], d["body"], d.get("doc_type"))
        best = min(best, time.perf_counter() - t0)
    docs_per_second = len(docs) / best
    body_kb = sum(len(d["body"].encode()) for d in docs) / len(docs) / 1024

    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    failures: list[str] = []
    for doc, result in zip(docs, results, strict=True):
        predicted = result.codes()
        lines = []
        for dim in DIMENSIONS:
            gold = set(doc["labels"].get(dim, []))
            pred = {c for c in predicted if c.split(".", 1)[0] == dim}
            for code in gold & pred:
                tp[code] += 1
            for code in pred - gold:
                fp[code] += 1
            for code in gold - pred:
                fn[code] += 1
            if gold != pred:
                lines.append(f"    {dim}: missed {sorted(gold - pred)} extra {sorted(pred - gold)}")
        if lines:
            failures.append(f"  {doc['id']} {doc['title']} (doc_type={doc.get('doc_type')})\n" + "\n".join(lines))

    print(f"tagging eval: {len(docs)} documents, mean body {body_kb:.1f} KB, catalogue v{catalogue.version} "
          f"({len(catalogue.tags)} tags), tagger init {init_seconds:.2f} s")
    print(f"{'dimension':<10} {'micro P':>8} {'micro R':>8} {'micro F1':>9} {'macro P':>8} {'macro R':>8} {'macro F1':>9} {'tags':>5}")
    missed: list[str] = []
    for dim in DIMENSIONS:
        codes = sorted(c for c in set(tp) | set(fp) | set(fn) if c.split(".", 1)[0] == dim)
        micro = prf(sum(tp[c] for c in codes), sum(fp[c] for c in codes), sum(fn[c] for c in codes))
        per_tag = [prf(tp[c], fp[c], fn[c]) for c in codes]
        macro = tuple(sum(x[i] for x in per_tag) / len(per_tag) if per_tag else 1.0 for i in range(3))
        print(f"{dim:<10} {micro[0]:>8.3f} {micro[1]:>8.3f} {micro[2]:>9.3f} "
              f"{macro[0]:>8.3f} {macro[1]:>8.3f} {macro[2]:>9.3f} {len(codes):>5}")
        if dim in TARGETS and micro[2] < TARGETS[dim]:
            missed.append(f"{dim} micro-F1 {micro[2]:.3f} < {TARGETS[dim]}")
        if args.per_tag:
            for c, (p, r, f) in zip(codes, per_tag, strict=True):
                print(f"    {c:<40} P {p:.3f} R {r:.3f} F1 {f:.3f}  (tp {tp[c]}, fp {fp[c]}, fn {fn[c]})")
    print(f"throughput: {docs_per_second:.0f} documents/s on one core "
          f"({best / len(docs) * 1000:.2f} ms/document, best of {args.repeat})")
    if docs_per_second < MIN_DOCS_PER_SECOND:
        missed.append(f"throughput {docs_per_second:.0f} < {MIN_DOCS_PER_SECOND:.0f} documents/s")
    if args.errors:
        print(f"documents with mistakes: {len(failures)}")
        print("\n".join(failures[: args.errors]))
    if missed:
        print("targets missed: " + "; ".join(missed))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
