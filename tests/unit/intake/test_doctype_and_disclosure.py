import pytest

from services.intake.domain.disclosure import markings
from services.intake.domain.doctype import infer_doc_type


@pytest.mark.parametrize(
    ("title", "doc_type"),
    [
        ("关于印发《上海市知识产权保护办法》的通知", "通知"),
        ("关于印发《关于加强知识产权保护的意见》的通知", "通知"),
        ("上海市知识产权保护办法（试行）", "办法"),
        ("上海市知识产权局关于2023年度专利资助的公告", "公告"),
        ("《上海市知识产权保护办法》政策解读", "解读"),
        ("关于《上海市知识产权保护办法》的解读", "解读"),
        ("2023年上海市政务公开工作要点", "要点"),
        ("关于同意设立知识产权保护中心的批复", "批复"),
        ("关于征求意见的函", "函"),
        ("关于商请协助调查的复函", "函"),
        ("上海市专利代理机构名录", "名录"),
        ("市知识产权局权责清单", "清单"),
        ("关于开展专项行动的通知（2023年修订）", "通知"),
        ("《上海市知识产权保护条例实施办法》", "办法"),
        ("關於印發專利資助辦法的通知", "通知"),
        ("上海市知识产权发展规划", "规划"),
        ("关于某事项的请示。", "请示"),
    ],
)
def test_infers_the_outer_doc_type_from_the_title(title: str, doc_type: str) -> None:
    assert infer_doc_type(title) == doc_type


@pytest.mark.parametrize("title", ["知识产权宣传周活动", "《知识产权》", ""])
def test_titles_without_a_doc_type_give_none(title: str) -> None:
    assert infer_doc_type(title) is None


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("（此件主动公开）", ["主动公开"]),
        ("(此件依申请公开)", ["依申请公开"]),
        ("（此件不予公开）", ["不予公开"]),
        ("此件公开发布", ["主动公开"]),
        ("（此件主動公開）", ["主动公开"]),
        ("联系人：张三（此件 主动公开）", ["主动公开"]),
        ("无标注", []),
    ],
)
def test_reads_disclosure_markings(text: str, found: list[str]) -> None:
    assert markings(text) == found
