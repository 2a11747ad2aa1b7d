"""Distribution throughput per channel type and release→delivered latency, against local endpoints.

    python bench/distribution_throughput.py [--burst 200] [--paced 30] [--rate 4] [--subscribers 5]

Starts the embedded broker and database, local fakes of every platform (webhook receiver, WeChat,
Weibo, WebSub hub, an aiosmtpd server) and one real distribution service with a channel of each
type, then publishes DocumentReleased events as publication would:

* burst: ``--burst`` releases at once → deliveries/s per channel (first release → last delivery);
* paced: ``--paced`` releases at ``--rate``/s → release→delivered latency p50/p99 per channel.

Prints a table and writes bench/out/distribution.json. Takes 1–3 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pymongo import MongoClient  # noqa: E402

from govpub.stack import Stack, StackConfig  # noqa: E402
from services.distribution.domain.subscriptions import subscription_id  # noqa: E402
from tests.unit.distribution.fakes import (  # noqa: E402
    HubState,
    Inbox,
    WebhookState,
    WeChatState,
    WeiboState,
    hub_app,
    serve,
    smtp_server,
    webhook_app,
    wechat_app,
    weibo_app,
)
from tests.unit.distribution.harness import Deployment, produce, release  # noqa: E402

OUT = ROOT / "bench" / "out" / "distribution.json"
CHANNELS = ("b-webhook", "b-feed", "b-wechat", "b-weibo", "b-email")
TYPES = {"b-webhook": "webhook", "b-feed": "feed", "b-wechat": "wechat_oa", "b-weibo": "weibo", "b-email": "email"}


def registry(urls: dict[str, str], smtp: tuple[str, int]) -> list[dict[str, Any]]:
    takes = {"public": True, "tags": ["bench"]}
    retry = {"max_attempts": 20, "base_delay_s": 0.2, "max_delay_s": 2.0}
    return [
        {"id": "b-webhook", "type": "webhook", "name": "webhook", "endpoint": f"{urls['hook']}/hooks/bench",
         "secret_env": "GOVPUB_DISTRIBUTION_WEBHOOK_SECRET", "takes": takes, "retry": retry},
        {"id": "b-feed", "type": "feed", "name": "feed", "takes": takes, "feed": {"websub_hub": f"{urls['hub']}/hub"}},
        {"id": "b-wechat", "type": "wechat_oa", "name": "wechat", "endpoint": urls["wechat"], "takes": takes,
         "retry": retry, "wechat": {"app_id": "wx-test", "app_secret_env": "B_WECHAT_SECRET", "thumb_media_id": "T",
                                    "poll_interval_s": 0.05, "poll_timeout_s": 10}},
        {"id": "b-weibo", "type": "weibo", "name": "weibo", "endpoint": urls["weibo"], "takes": takes, "retry": retry,
         "weibo": {"access_token_env": "B_WEIBO_TOKEN"}},
        {"id": "b-email", "type": "email", "name": "email", "takes": takes, "retry": retry,
         "email": {"smtp_host": smtp[0], "smtp_port": smtp[1], "sender": "bench@ipa.example.gov.cn"}},
    ]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_delivered(db: Any, documents: list[str], timeout: float) -> list[dict[str, Any]]:
    want = len(documents) * len(CHANNELS)
    deadline = time.monotonic() + timeout
    while True:
        rows = list(db.deliveries.find({"document_id": {"$in": documents}, "status": "delivered"},
                                       {"channel_id": 1, "document_id": 1, "delivered_at": 1, "created_at": 1}))
        if len(rows) >= want or time.monotonic() > deadline:
            return rows
        time.sleep(0.25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--paced", type=int, default=30)
    parser.add_argument("--rate", type=float, default=4.0, help="paced releases per second")
    parser.add_argument("--subscribers", type=int, default=5, help="immediate e-mail subscribers")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="govpub-bench-distribution-"))
    stack = Stack(StackConfig.ephemeral(data_dir), say=lambda m: print(f"  {m}", file=sys.stderr))
    hook, wechat, weibo, hub = WebhookState("govpub-demo-secret"), WeChatState(publish_polls=1), WeiboState(), HubState()
    apps = {"hook": webhook_app(hook), "wechat": wechat_app(wechat), "weibo": weibo_app(weibo), "hub": hub_app(hub)}
    inbox = Inbox()
    started = time.monotonic()
    print("starting broker, database, fakes and distribution…", file=sys.stderr)
    stack.start_broker()
    stack.start_database()
    stack.provision()
    deployment: Deployment | None = None
    try:
        with smtp_server(inbox) as smtp, contextlib.ExitStack() as servers:
            urls = {name: servers.enter_context(serve(app)) for name, app in apps.items()}
            deployment = Deployment(registry(urls, smtp), stack.config.service_env(), data_dir / "logs")
            deployment.env = {"B_WECHAT_SECRET": "wx-secret", "B_WEIBO_TOKEN": "weibo-token",
                              "GOVPUB_DISTRIBUTION_DISPATCH_INTERVAL_S": "0.5", "GOVPUB_LOG_LEVEL": "WARNING"}
            deployment.start(["distribution-bench"])
            mongo: MongoClient[dict[str, Any]] = MongoClient(stack.config.mongo, tz_aware=True)
            db = mongo[deployment.database]
            for i in range(args.subscribers):
                email = f"s{i}@park.example"
                sid = subscription_id("b-email", email)
                db.subscriptions.insert_one({"_id": sid, "channel_id": "b-email", "email": email, "audiences": [],
                                             "tags": ["bench"], "mode": "immediate", "status": "active"})
            print(f"ready after {time.monotonic() - started:.0f}s; burst of {args.burst}…", file=sys.stderr)

            burst = [release(["bench"]) for _ in range(args.burst)]
            t0 = time.time()
            asyncio.run(produce(stack.config.bootstrap, burst))
            rows = wait_delivered(db, [d.document_id for d in burst], timeout=120)
            throughput: dict[str, dict[str, float]] = {}
            for channel in CHANNELS:
                done = [r["delivered_at"].timestamp() for r in rows if r["channel_id"] == channel]
                span = (max(done) - t0) if done else float("nan")
                throughput[channel] = {"delivered": len(done), "seconds": span,
                                       "per_second": len(done) / span if done and span > 0 else 0.0}

            print(f"paced: {args.paced} at {args.rate}/s…", file=sys.stderr)
            paced = []
            for _ in range(args.paced):
                doc = release(["bench"])
                paced.append(doc)
                asyncio.run(produce(stack.config.bootstrap, [doc]))
                time.sleep(1 / args.rate)
            rows = wait_delivered(db, [d.document_id for d in paced], timeout=60)
            released: dict[str, datetime] = {d.document_id: d.released_at for d in paced}
            latency: dict[str, dict[str, float]] = {}
            for channel in CHANNELS:
                mine = [r for r in rows if r["channel_id"] == channel]
                values = [(r["delivered_at"] - released[r["document_id"]]).total_seconds() for r in mine]
                recorded = [(r["created_at"] - released[r["document_id"]]).total_seconds() for r in mine]
                latency[channel] = {"n": len(values), "p50_s": percentile(values, 0.5), "p99_s": percentile(values, 0.99),
                                    "mean_s": statistics.fmean(values) if values else float("nan"),
                                    "p50_recorded_s": percentile(recorded, 0.5)}
            refs = [r.get("reference") for r in db.deliveries.find({"channel_id": "b-weibo", "status": "delivered"},
                                                                   {"reference": 1})]
            posted = {text.split("/documents/")[1].split()[0] for text in weibo.posts.values()}
            all_docs = {d.document_id for d in burst + paced}
            duplicates = {
                "weibo_distinct_references": len(set(refs)),
                "weibo_documents_without_post": sorted(all_docs - posted),
                "webhook_posts_over_once": sum(n - 1 for n in hook.posts.values()),
                "wechat_publishes": len(wechat.publishes),
                "weibo_posts": weibo.shares,
                "mails": len(inbox.messages),
                "websub_pings": len(hub.pings),
            }
            mongo.close()
    finally:
        if deployment is not None:
            deployment.stop()
        stack.down()

    result = {"burst": args.burst, "paced": args.paced, "rate_per_s": args.rate, "subscribers": args.subscribers,
              "throughput": throughput, "latency": latency, "counts": duplicates,
              "wall_s": round(time.monotonic() - started, 1)}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")

    print(f"\n{'channel':<11} {'type':<10} {'burst deliv/s':>13} {'delivered':>10} {'p50 s':>7} {'p99 s':>7}"
          f" {'(consumed p50)':>15}")
    for channel in CHANNELS:
        t, lat = throughput[channel], latency[channel]
        print(f"{channel:<11} {TYPES[channel]:<10} {t['per_second']:>13.1f} {int(t['delivered']):>6}/{args.burst:<3} "
              f"{lat['p50_s']:>7.2f} {lat['p99_s']:>7.2f} {lat['p50_recorded_s']:>15.2f}")
    expected = args.burst + args.paced
    print(f"\nexactly once: webhook repeats {duplicates['webhook_posts_over_once']}, WeChat publishes "
          f"{duplicates['wechat_publishes']}/{expected}, Weibo posts {duplicates['weibo_posts']}/{expected}, "
          f"mails {duplicates['mails']}/{expected * args.subscribers}, WebSub pings {duplicates['websub_pings']}")
    print(f"wrote {OUT.relative_to(ROOT)} ({result['wall_s']}s)")


if __name__ == "__main__":
    main()
