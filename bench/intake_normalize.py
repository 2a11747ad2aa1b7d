"""Throughput of intake's validate + normalize on generated official documents.

    python bench/intake_normalize.py               # 2,000 documents, bodies of 2-20 KB
    python bench/intake_normalize.py --docs 5000

The documents are synthetic and seeded: notice-style prose, with the mess real
upstream systems send mixed in at realistic rates (wrong brackets, full-width
digits, Chinese-numeral dates, leftover HTML, traditional characters, pinyin
glosses, disclosure markings only in the note).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.intake.domain import content_hash, normalize, validate  # noqa: E402

SEED = 20240611
ORGANS = [("上海市知识产权局", "沪知局"), ("上海市市场监督管理局", "沪市监"), ("浦东新区知识产权局", "浦知局")]
TOPICS = ["知识产权质押融资", "专利转化运用", "商标品牌建设", "地理标志保护", "知识产权公共服务", "高价值专利培育"]
TYPES = ["通知", "办法", "意见", "方案", "公告", "要点"]
PROSE = [
    "为深入贯彻落实党中央、国务院关于全面加强知识产权保护工作的决策部署，进一步优化营商环境，结合本市实际，制定本方案。",
    "各区、各有关部门要高度重视，切实加强组织领导，明确责任分工，确保各项任务落到实处。",
    "到2025年，全市知识产权创造质量明显提升，运用效益充分显现，保护体系更加完善，服务能力显著增强。",
    "支持金融机构创新知识产权质押融资产品，扩大质押融资规模，降低中小企业融资成本。",
    "建立健全知识产权纠纷多元化解机制，加强行政裁决、人民调解、仲裁与诉讼的衔接。",
    "本办法自2023年6月1日起施行，有效期至2028年5月31日。咨询电话：12345。",
]
TRADITIONAL = ["關於進一步加強知識產權保護工作的實施意見，請認真貫徹執行。", "各區、各有關部門要高度重視。"]
CN_DIGITS = "〇一二三四五六七八九"


def chinese_date(year: int, month: int, day: int) -> str:
    def small(n: int) -> str:
        tens, ones = divmod(n, 10)
        return ("" if tens < 2 else CN_DIGITS[tens]) + ("十" if tens else "") + (CN_DIGITS[ones] if ones else "")

    return "".join(CN_DIGITS[int(d)] for d in str(year)) + f"年{small(month)}月{small(day)}日"


def body_of(rng: random.Random, size: int, html: bool, traditional: bool, gloss: bool) -> str:
    paragraphs: list[str] = []
    while sum(len(p.encode()) for p in paragraphs) < size:
        sentences = [rng.choice(TRADITIONAL if traditional and rng.random() < 0.3 else PROSE) for _ in range(4)]
        paragraph = "　　" + "".join(sentences)
        if gloss and rng.random() < 0.05:
            paragraph = paragraph.replace("知识产权", "知识产权（zhī shí chǎn quán）", 1)
        paragraphs.append(f"<p>{paragraph}</p>" if html else paragraph)
    return ("" if html else "\n").join(paragraphs)


def document(rng: random.Random, index: int) -> dict[str, Any]:
    organ, code = rng.choice(ORGANS)
    year, month, day = rng.randint(2015, 2024), rng.randint(1, 12), rng.randint(1, 28)
    serial = rng.randint(1, 300)
    messy = rng.random() < 0.4
    brackets = rng.choice(["[]", "()", "（）", "【】", "［］"]) if messy else "〔〕"
    topic, doc_type = rng.choice(TOPICS), rng.choice(TYPES)
    raw: dict[str, Any] = {
        "source_system": "oa-collab",
        "source_id": f"OA-{index:06d}",
        "doc_number": f"{code}{brackets[0]}{year}{brackets[1]}{serial}" + ("" if messy else "号"),
        "title": f"关于印发《{topic}工作{doc_type}》的通知",
        "issuing_organ": organ,
        "written_date": chinese_date(year, month, day) if messy else f"{year}-{month:02d}-{day:02d}",
        "body": body_of(rng, rng.randint(2_000, 20_000), html=messy, traditional=rng.random() < 0.1, gloss=messy),
        "addressees": ["各区知识产权局", "市知识产权局各处室"],
        "attachments": [
            {"name": f"附件{i + 1}.pdf", "url": f"https://oa.example.gov.cn/f/{index}/{i}.pdf"} for i in range(2)
        ],
    }
    if rng.random() < 0.5:
        raw["note"] = "（此件主动公开）"
    else:
        raw["disclosure"] = rng.choice(["主动公开", "依申请公开"])
    return raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    documents = [document(rng, i) for i in range(args.docs)]
    megabytes = sum(len(d["body"].encode()) for d in documents) / 1e6

    normalize(validate(documents[0])[0])  # type: ignore[arg-type]  # warm-up: loads OpenCC's dictionaries
    refused = changes = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for raw in documents:
        upstream, _problems = validate(raw)
        if upstream is None:
            refused += 1
            continue
        normalized = normalize(upstream)
        content_hash(normalized)
        changes += len(normalized.changes)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started

    print(f"intake validate+normalize+hash: {args.docs:,} documents, {megabytes:.1f} MB of body")
    print(f"  {args.docs / elapsed:,.0f} documents/s, {megabytes / elapsed:.1f} MB/s ({elapsed:.2f} s wall clock)")
    # On a shared machine the wall clock includes waiting for a core; CPU time does not.
    print(f"  {args.docs / cpu:,.0f} documents/s per CPU second ({cpu:.2f} s CPU, one core)")
    print(f"  refused {refused}, changes recorded {changes:,}")


if __name__ == "__main__":
    main()
