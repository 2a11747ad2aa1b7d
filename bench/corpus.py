"""Generated documents of realistic size for benchmarks: 2–20 KB bodies, mixed types, some with
personal data, some policies with interpretations. Seeded, so runs are comparable."""

from __future__ import annotations

import random
from typing import Any

TYPES = ["通知", "意见", "办法", "方案", "公告", "规划", "解读"]
TOPICS = ["专利质押融资", "商标品牌建设", "地理标志保护", "知识产权保护", "专利转化运用", "海外纠纷应对",
          "知识产权公共服务", "营商环境优化", "代理行业监管", "人才培养"]
AUDIENCE = ["园区", "企业"]
PARAGRAPH = (
    "为深入贯彻落实知识产权强国建设纲要和“十四五”国家知识产权保护和运用规划，进一步提升{topic}工作水平，"
    "服务本市创新主体和市场主体高质量发展，结合本市实际，现就有关事项{action}如下。各区知识产权局要加强组织领导，"
    "完善工作机制，强化政策协同，推动{topic}各项任务落地见效。"
)


def _id_number(rng: random.Random) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    base = f"3101{rng.randint(10, 99)}19{rng.randint(60, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    return base + "10X98765432"[sum(int(c) * w for c, w in zip(base, weights, strict=True)) % 11]


def documents(n: int, *, seed: int = 7, run: str = "bench") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []
    for i in range(n):
        topic = rng.choice(TOPICS)
        doc_type = rng.choice(TYPES)
        size = rng.randint(2_000, 20_000)
        paragraphs = []
        while sum(len(p.encode()) for p in paragraphs) < size:
            paragraphs.append(PARAGRAPH.format(topic=topic, action=rng.choice(["通知", "提出意见", "明确"])))
        if i % 5 == 0:
            paragraphs.append(f"联系人：王芳，身份证号{_id_number(rng)}，联系电话13{rng.randint(100000000, 999999999)}。")
        doc: dict[str, Any] = {
            "source_system": "bench",
            "source_id": f"{run}-{i}",
            "doc_number": f"沪知局〔2024〕{i + 1}号",
            "title": f"上海市知识产权局关于{topic}的{doc_type}（{run}-{i}）",
            "issuing_organ": "上海市知识产权局",
            "doc_type": doc_type,
            "written_date": f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "disclosure": "主动公开",
            "body": "\n".join(paragraphs),
        }
        if i % 10 == 3:
            doc["audience"] = AUDIENCE
        previous = docs[-1] if docs else {}
        if doc_type == "解读" and "doc_number" in previous and not previous.get("audience"):
            # An interpretation of the public policy just before it (an interpretation of an interpretation,
            # or of a document no library shows, would wait for its policy for ever).
            doc["interprets"] = previous["doc_number"]
            doc.pop("doc_number")
        docs.append(doc)
    return docs
