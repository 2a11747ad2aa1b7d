import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
import yaml

from services.tagging.domain import Catalogue, CatalogueError, load_catalogue
from services.tagging.domain.catalogue import DEFAULT_CATALOGUE_PATH


def _names(catalogue: Catalogue, dimension: str) -> set[str]:
    return {t.name_zh for t in catalogue.tags if t.dimension == dimension}


def test_default_catalogue_is_versioned_and_has_at_least_sixty_tags(catalogue: Catalogue) -> None:
    assert catalogue.version == 1
    assert len(catalogue.tags) >= 60
    assert [d.code for d in catalogue.dimensions][:4] == ["audience", "topic", "doc_type", "stage"]


def test_catalogue_covers_the_required_demand_side_audiences(catalogue: Catalogue) -> None:
    assert {
        "企业",
        "中小企业",
        "外资企业",
        "高校院所",
        "园区",
        "知识产权服务/代理机构",
        "个人/市民",
        "政府部门",
    } <= _names(catalogue, "audience")


def test_catalogue_covers_the_required_topics_with_finer_patent_children(catalogue: Catalogue) -> None:
    required = {
        "专利",
        "商标",
        "地理标志",
        "集成电路布图设计",
        "知识产权保护/执法",
        "转化运用",
        "金融/质押融资",
        "海外纠纷应对",
        "人才培养",
        "公共服务",
        "营商环境",
        "代理行业监管",
        "政务公开",
    }
    assert required <= _names(catalogue, "topic")
    patent_children = {t.name_zh for t in catalogue.children("topic.patent")}
    assert {"专利申请", "专利资助", "专利导航", "专利开放许可", "专利质押"} <= patent_children


def test_catalogue_covers_document_types_and_stages(catalogue: Catalogue) -> None:
    required_types = {
        "通知",
        "意见",
        "办法",
        "规定",
        "规划",
        "方案",
        "要点",
        "解读",
        "公告",
        "通告",
        "决定",
        "名录/清单",
        "年报",
        "报告",
        "函",
        "批复",
    }
    assert required_types <= _names(catalogue, "doc_type")
    assert {"征求意见稿", "正式", "废止/失效"} <= _names(catalogue, "stage")


def test_codes_are_stable_ascii_and_start_with_their_dimension(catalogue: Catalogue) -> None:
    for tag in catalogue.tags:
        assert re.fullmatch(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+", tag.code), tag.code
        assert catalogue.dimension(tag.dimension) is not None


def test_parents_live_in_the_same_dimension_and_ancestors_end_at_a_root(catalogue: Catalogue) -> None:
    assert catalogue.ancestors("topic.patent.pledge") == ("topic.patent",)
    assert catalogue.ancestors("audience.enterprise.sme") == ("audience.enterprise",)
    for tag in catalogue.tags:
        for ancestor in catalogue.ancestors(tag.code):
            parent = catalogue.get(ancestor)
            assert parent is not None and parent.dimension == tag.dimension


def test_get_returns_none_for_an_unknown_code(catalogue: Catalogue) -> None:
    assert catalogue.get("topic.nope") is None
    tag = catalogue.get("topic.patent.pledge")
    assert tag is not None and tag.name_zh == "专利质押"


def test_to_dict_is_json_ready_with_tree_and_without_rules_by_default(catalogue: Catalogue) -> None:
    data = catalogue.to_dict()
    json.dumps(data, ensure_ascii=False)
    patent = next(t for t in data["tags"] if t["code"] == "topic.patent")
    assert patent["dimension"] == "topic" and patent["parent"] is None
    assert "topic.patent.pledge" in patent["children"]
    assert "rules" not in patent
    assert "rules" in catalogue.to_dict(include_rules=True)["tags"][0]


def test_catalogue_round_trips_through_its_rules_dump(catalogue: Catalogue, tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_CATALOGUE_PATH.read_text(encoding="utf-8"))
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert load_catalogue(path) == catalogue


def _write(tmp_path: Path, tags: Sequence[Mapping[str, object]]) -> Path:
    data = {
        "version": 1,
        "dimensions": [{"code": "topic", "name_zh": "主题", "name_en": "Topic"}],
        "tags": tags,
    }
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            [
                {"code": "topic.a", "name_zh": "甲", "name_en": "A"},
                {"code": "topic.a", "name_zh": "乙", "name_en": "B"},
            ],
            "defined twice",
        ),
        ([{"code": "topic.a", "name_zh": "甲", "name_en": "A", "parent": "topic.zz"}], "parent 'topic.zz'"),
        ([{"code": "region.a", "name_zh": "甲", "name_en": "A"}], "must name a dimension"),
        ([{"code": "topic.Patent", "name_zh": "甲", "name_en": "A"}], "dotted lowercase ASCII"),
        ([{"code": "topic.a", "name_zh": "甲", "name_en": "A", "rules": {"regex": ["("]}}], "rules.regex.0.pattern"),
        ([{"code": "topic.a", "name_zh": "甲", "name_en": "A", "rules": {"anny": ["x"]}}], "rules.anny"),
    ],
)
def test_invalid_catalogue_is_rejected_naming_the_field(
    tmp_path: Path, tags: Sequence[Mapping[str, object]], message: str
) -> None:
    with pytest.raises(CatalogueError, match=re.escape(message)):
        load_catalogue(_write(tmp_path, tags))


def test_missing_catalogue_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot read the catalogue"):
        load_catalogue(tmp_path / "absent.yaml")


def test_parent_cycle_is_rejected(tmp_path: Path) -> None:
    tags = [
        {"code": "topic.a", "name_zh": "甲", "name_en": "A", "parent": "topic.b"},
        {"code": "topic.b", "name_zh": "乙", "name_en": "B", "parent": "topic.a"},
    ]
    with pytest.raises(CatalogueError, match="loops back"):
        load_catalogue(_write(tmp_path, tags))
