"""Library search latency at 1k / 10k / 100k entries, against a naive ``$regex`` scan.

Starts its own embedded database (or uses ``--mongo``), loads generated library entries of the shape
handlers._release writes (tokens from ``search.tokens``) in bulk, and loads the publication service's
search index from them exactly as the service does at start-up — first with no snapshot (a full scan
of the library, then the snapshot is saved), then as a restart does (from that snapshot). It then
times ``Library.search`` on the restarted index — the code behind ``GET /v1/library`` and ``/search``:
reading changes, matching, ranking, facet counts, the result cards and, for a quoted phrase, reading
the text of the candidates the page needs. Prints a table and writes ``bench/out/search_latency.json``.

    .venv/bin/python bench/search_latency.py                  # 1k, 10k, 100k (loading 100k dominates)
    .venv/bin/python bench/search_latency.py --sizes 1000,10000 --mongo mongodb://127.0.0.1:27017
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pymongo import ASCENDING, DESCENDING, AsyncMongoClient  # noqa: E402
from pymongo.errors import BulkWriteError  # noqa: E402

from services.publication import search  # noqa: E402
from services.publication.library import Library  # noqa: E402
from services.publication.repository import SNAPSHOTS, PublicationRepository  # noqa: E402
from services.publication.settings import PublicationSettings  # noqa: E402

DATABASE = "govpub_bench_search"
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("专利", {}),
    ("知识产权 保护", {}),
    ("专利质押融资", {}),
    ("商标品牌建设", {}),
    ("地理标志 产品", {"doc_type": "通知"}),
    ("海外纠纷应对指导", {}),
    ("沪知局[2023]12号", {}),
    ("", {"tag": "topic.patent", "year": 2023}),
    ("专利 资助", {"validity": "有效"}),
    ('"质押融资"', {}),
]
ORGANS = ["上海市知识产权局", "上海市市场监督管理局", "浦东新区知识产权局", "上海市人民政府办公厅", "徐汇区市场监督管理局"]
TYPES = ["通知", "意见", "办法", "方案", "公告", "规定", "要点", "解读"]
SUBJECTS = ["专利", "商标", "地理标志", "集成电路布图设计", "知识产权", "专利导航", "知识产权保护", "商标品牌",
            "专利开放许可", "知识产权质押融资", "海外纠纷应对", "知识产权人才", "数据知识产权", "专利转化运用"]
ACTIONS = ["关于开展{s}工作的", "关于印发《{s}管理办法》的", "关于做好{s}试点的", "关于推进{s}高质量发展的",
           "关于进一步加强{s}的", "关于组织申报{s}项目的", "关于公布{s}名单的", "关于{s}专项行动的"]
SENTENCES = [
    "为深入贯彻落实知识产权强国建设纲要，进一步提升知识产权创造、运用、保护、管理和服务水平。",
    "各区知识产权局、各有关单位应当高度重视，认真组织实施，确保各项任务落到实处。",
    "本市企业、高校院所和个人均可申请发明专利资助，资助标准按照有关规定执行。",
    "鼓励金融机构开展知识产权质押融资业务，扩大专利质押融资规模，降低中小企业融资成本。",
    "加强商标品牌建设，培育一批具有国际影响力的自主品牌，推动老字号传承创新。",
    "完善地理标志产品保护制度，规范地理标志专用标志使用，促进特色产业发展。",
    "建立海外知识产权纠纷应对指导机制，为企业走出去提供预警、咨询和维权援助。",
    "严厉打击侵犯知识产权违法行为，加大行政执法力度，营造良好营商环境。",
    "推进专利开放许可试点，促进专利技术转化运用，提高高校院所专利实施率。",
    "申报材料通过一网通办平台在线提交，咨询电话12345，逾期不予受理。",
    "加强知识产权公共服务体系建设，完善公共服务网点布局，提升信息服务能力。",
    "开展知识产权人才培训，组织职称评审，壮大知识产权专业人才队伍。",
    "规范专利代理行业秩序，开展蓝天专项整治行动，加强信用监管。",
    "本办法自印发之日起施行，有效期五年。",
    "集成电路布图设计专有权保护工作纳入年度考核。",
    "数据知识产权登记试点工作按照统一部署有序推进。",
]
TAGS = [("topic.patent", "topic", "专利"), ("topic.trademark", "topic", "商标"), ("topic.gi", "topic", "地理标志"),
        ("topic.finance", "topic", "金融/质押融资"), ("topic.protection", "topic", "知识产权保护/执法"),
        ("topic.overseas", "topic", "海外纠纷应对"), ("audience.enterprise", "audience", "企业"),
        ("audience.university", "audience", "高校院所"), ("topic.talent", "topic", "人才培养")]


@cache
def tokens_of(text: str) -> frozenset[str]:
    return frozenset(search.tokens(text))


def generate(start: int, count: int, rnd: random.Random, t0: datetime) -> list[dict[str, Any]]:
    """Library entries as handlers._release writes them; bodies from a sentence pool (tokens cached per sentence)."""
    rows = []
    for n in range(start, start + count):
        subject = rnd.choice(SUBJECTS)
        doc_type = rnd.choice(TYPES)
        title = rnd.choice(ACTIONS).format(s=subject) + doc_type + f"（第{n}号）"
        sentences = rnd.sample(SENTENCES, rnd.randint(3, 7))
        body = "\n".join(sentences)
        organ = rnd.choice(ORGANS)
        year = 2015 + n % 10
        doc_number = f"沪知局〔{year}〕{n % 997 + 1}号"
        released_at = t0 + timedelta(seconds=n)
        tags = [TAGS[0] if "专利" in subject else rnd.choice(TAGS), rnd.choice(TAGS)]
        tags = list(dict.fromkeys(tags))
        title_tokens = search.tokens(title)
        body_tokens: set[str] = set()
        for sentence in sentences:
            body_tokens |= tokens_of(sentence)
        document_id = f"bench-{n:07d}"
        rows.append({
            "_id": document_id, "release_id": f"{document_id}:v1", "version": 1, "supersedes_version": None,
            "url": f"http://127.0.0.1:8004/documents/{document_id}", "doc_number": doc_number, "title": title,
            "issuing_organ": organ, "doc_type": doc_type, "written_date": f"{year}-05-16", "released_at": released_at,
            "summary": body[:119], "body": body, "attachments": [],
            "tags": [{"code": c, "dimension": d, "name_zh": z} for c, d, z in tags], "audience": [],
            "interpretation": None, "interprets": None, "validity": "有效" if n % 17 else "失效",
            "content_hash": f"sha256:{n:064d}", "public": True, "status": "released", "year": year,
            "tag_codes": [c for c, _, _ in tags], "tag_dimensions": sorted({d for _, d, _ in tags}),
            "history": [{"version": 1, "released_at": released_at, "content_hash": f"sha256:{n:064d}"}],
            "first_released_at": released_at, "requires_interpretation": False,
            "title_tokens": sorted(title_tokens),
            "tokens": sorted(title_tokens | body_tokens | tokens_of(organ)),
            "seq": n + 1,
        })
    return rows


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def regex_filter(q: str, filters: dict[str, Any]) -> dict[str, Any]:
    """The naive baseline: every word (or the document number) as a $regex over title and body."""
    clauses: list[dict[str, Any]] = [{"public": True}, {"status": "released"}]
    number = search.normalize_doc_number(q) if q else None
    if number:
        clauses.append({"doc_number": number})
    else:
        for word in re.findall(r'"([^"]+)"|(\S+)', q):
            text = word[0] or word[1]
            pattern = re.escape(text)
            clauses.append({"$or": [{"title": {"$regex": pattern}}, {"body": {"$regex": pattern}}]})
    names = {"tag": "tag_codes", "year": "year", "organ": "issuing_organ", "doc_type": "doc_type", "validity": "validity"}
    clauses += [{names[k]: v} for k, v in filters.items()]
    return {"$and": clauses}


async def measure(url: str, sizes: list[int], runs: int, baseline_budget_s: float, *, cleanup: bool) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    await client.drop_database(DATABASE)
    db = client[DATABASE]
    repo = PublicationRepository(db)
    rnd = random.Random(20240716)
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    loaded = 0
    report: dict[str, Any] = {"runs_per_query": runs, "sizes": []}
    settings = PublicationSettings()

    def fresh_library() -> Library:
        return Library(lambda: repo, max_candidates=settings.max_candidates,
                       refresh_interval_s=settings.search_refresh_interval_s)

    for size in sizes:
        # Bulk-load practice: secondary indexes are built after the load, not maintained row by row.
        await db.library.drop_indexes()
        started = time.perf_counter()
        while loaded < size:
            batch = generate(loaded, min(2000, size - loaded), rnd, t0)
            try:
                await db.library.insert_many(batch, ordered=False)
            except BulkWriteError as exc:
                # A retried batch (the server was slow to answer under load) finds its own rows: fine.
                if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
                    raise
            loaded += len(batch)
        await db.counters.update_one({"_id": "library"}, {"$set": {"seq": loaded}}, upsert=True)
        load_s = time.perf_counter() - started
        started = time.perf_counter()
        # Only the indexes a search touches (tests/e2e/test_portal.py explains these queries): the service's
        # other indexes (doc numbers, stats, versions, links) cost minutes to build at 100k and no search uses them.
        await db.library.create_index([("seq", ASCENDING)])
        await db.library.create_index([("public", ASCENDING), ("status", ASCENDING), ("released_at", DESCENDING)])
        indexes_s = time.perf_counter() - started
        # Start-up without a snapshot: a full scan of the library, then the service saves a snapshot.
        await db[f"{SNAPSHOTS}.files"].drop()
        await db[f"{SNAPSHOTS}.chunks"].drop()
        scanned = fresh_library()
        started = time.perf_counter()
        assert await scanned.load() == "rebuild"
        scan_s = time.perf_counter() - started
        scanned.snapshot_seq = None  # to time writing one on its own
        started = time.perf_counter()
        await scanned.save_snapshot()
        save_s = time.perf_counter() - started
        snapshot_row = await db[f"{SNAPSHOTS}.files"].find_one(sort=[("uploadDate", DESCENDING)])
        snapshot_bytes = int(snapshot_row["length"]) if snapshot_row else 0
        del scanned
        # A restart: the snapshot and the changes after it.
        library = fresh_library()
        started = time.perf_counter()
        assert await library.load() == "snapshot"
        load_s_snapshot = time.perf_counter() - started
        cards_mb = sum(len(c) for c in library.index.cards.values()) / 1e6
        rows = []
        budget_left = baseline_budget_s
        for q, raw in QUERIES:
            filters = search.Filters(**raw)
            for _ in range(2):
                await library.search(q, filters)
            times = []
            index_times = []
            parsed = search.parse_query(q)
            for _ in range(runs):
                started = time.perf_counter()
                page = await library.search(q, filters)
                times.append((time.perf_counter() - started) * 1000)
                # The in-memory share of it: match, rank the first page, count the facets.
                started = time.perf_counter()
                result = library.index.match(parsed, filters)
                library.index.ranked(parsed, result, 0, 20)
                library.index.facet_counts(result)
                index_times.append((time.perf_counter() - started) * 1000)
            base_times: list[float] = []
            base_total = None
            baseline_runs = 3 if size <= 10_000 else 1
            for _ in range(baseline_runs):
                if budget_left <= 0:
                    break
                started = time.perf_counter()
                flt = regex_filter(q, raw)
                await db.library.find(flt, {"tokens": 0, "title_tokens": 0}).sort("released_at", -1).limit(20).to_list()
                base_total = await db.library.count_documents(flt)
                elapsed = time.perf_counter() - started
                budget_left -= elapsed
                base_times.append(elapsed * 1000)
            rows.append({
                "query": q, "filters": raw, "total": page.total, "total_exact": page.total_exact,
                "p50_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 95), 2),
                "index_p50_ms": round(statistics.median(index_times), 3),
                "baseline_total": base_total,
                "baseline_p50_ms": round(statistics.median(base_times), 1) if base_times else None,
                "baseline_runs": len(base_times),
            })
        all_p95 = max(r["p95_ms"] for r in rows)
        report["sizes"].append({
            "entries": size, "load_s": round(load_s, 1), "db_indexes_s": round(indexes_s, 1),
            "startup_full_scan_s": round(scan_s, 2), "snapshot_save_s": round(save_s, 2),
            "snapshot_bytes": snapshot_bytes, "startup_from_snapshot_s": round(load_s_snapshot, 2),
            "cards_mb": round(cards_mb, 1), "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "worst_p95_ms": all_p95, "queries": rows,
        })
        print_size(report["sizes"][-1])
    if cleanup:  # an external database keeps nothing of the bench (dropping 100k rows takes minutes here)
        await client.drop_database(DATABASE)
    await client.close()
    return report


def print_size(row: dict[str, Any]) -> None:
    print(f"\n== {row['entries']:,} entries  (bulk load {row['load_s']} s, database indexes {row['db_indexes_s']} s)")
    print(f"index start-up: full scan (and saving a snapshot) {row['startup_full_scan_s']} s | from snapshot {row['startup_from_snapshot_s']} s "
          f"(snapshot {row['snapshot_bytes'] / 1e6:.1f} MB, saved in {row['snapshot_save_s']} s) | "
          f"cards in memory {row['cards_mb']} MB, bench process peak RSS {row['peak_rss_mb']} MB")
    print(f"{'query':<22}{'filters':<30}{'hits':>8}{'p50 ms':>9}{'p95 ms':>9}{'index ms':>10}"
          f"{'regex p50 ms':>14}{'regex hits':>11}")
    for q in row["queries"]:
        filters = ",".join(f"{k}={v}" for k, v in q["filters"].items())
        base = "-" if q["baseline_p50_ms"] is None else f"{q['baseline_p50_ms']:.0f}"
        base_hits = "-" if q["baseline_total"] is None else str(q["baseline_total"])
        hits = f"{'' if q['total_exact'] else '≤'}{q['total']}"
        print(f"{q['query'] or '(none)':<22}{filters:<30}{hits:>8}{q['p50_ms']:>9.1f}{q['p95_ms']:>9.1f}"
              f"{q['index_p50_ms']:>10.2f}{base:>14}{base_hits:>11}")
    print(f"worst p95: {row['worst_p95_ms']:.1f} ms (target ≤ 50 ms at 100k); "
          "≤: a quoted phrase's total counts candidates not checked yet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mongo", help="Use this MongoDB instead of starting the embedded database.")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=20, help="Timed runs per query and size.")
    parser.add_argument("--baseline-budget-s", type=float, default=60.0,
                        help="Most time the $regex baseline may take per size; the rest is skipped.")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "search_latency.json")
    args = parser.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    stack = None
    url = args.mongo
    if not url:
        from govpub.stack import Stack, StackConfig

        stack = Stack(StackConfig.ephemeral(Path(tempfile.mkdtemp(prefix="govpub-bench-"))))
        stack.start_database()
        url = stack.config.mongo
    started = time.perf_counter()
    try:
        report = asyncio.run(measure(url, sizes, args.runs, args.baseline_budget_s, cleanup=stack is None))
    finally:
        if stack is not None:
            stack.down()
            shutil.rmtree(stack.config.data_dir, ignore_errors=True)
    report["database"] = "embedded SecantusDB" if stack else "external"
    report["wall_s"] = round(time.perf_counter() - started, 1)
    report["measured_at"] = datetime.now(UTC).isoformat()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwrote {args.out} ({report['wall_s']} s)")


if __name__ == "__main__":
    main()
