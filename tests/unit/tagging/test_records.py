"""What tagging stores and publishes: rows that round-trip, overrides that keep who decided what."""

from __future__ import annotations

from datetime import UTC, datetime

from services.tagging import records
from services.tagging.domain import Catalogue, Tagger
from services.tagging.domain.editing import Override, effective

AT = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2024, 7, 2, 9, 30, tzinfo=UTC)


def test_a_tagging_row_round_trips_the_rules_result_and_publishes_the_tags_in_effect(
    catalogue: Catalogue, tagger: Tagger
) -> None:
    result = tagger.tag("关于开展知识产权保险保费补贴申报工作的通知", "对投保知识产权保险的企业给予保费补贴。", "通知")
    override = Override(removed=frozenset({"stage.final"}))
    in_effect = effective(catalogue, result.assigned, result.suggestions, override)
    row = records.tagging_row(
        document_id="doc-1", version=2, content_hash="sha256:x", catalogue_version=1,
        rule_tags=result.assigned, rule_suggestions=result.suggestions, model_suggestions=[],
        effective=in_effect, tagged_at=AT, title="t", doc_type="通知",
    )
    rule_tags, rule_suggestions, model = records.rule_of(row)
    assert tuple(rule_tags) == result.assigned and tuple(rule_suggestions) == result.suggestions and model == []

    event = records.tagged_event(row, AT)
    assert event.version == 2 and event.content_hash == "sha256:x"
    assert {t.code for t in event.tags} == in_effect.codes() and "stage.final" not in in_effect.codes()
    inherited = [e for t in row["tags"] for e in t["evidence"] if "inherited_from" in e]
    assert inherited and all(e["inherited_from"] == "topic.finance.insurance" for e in inherited)


def test_rows_from_before_editing_count_all_their_tags_as_the_rules(catalogue: Catalogue) -> None:
    legacy = {"tags": [{"code": "topic.patent", "dimension": "topic", "name_zh": "专利", "name_en": "Patents",
                        "confidence": 0.9, "source": "rule", "evidence": []}],
              "suggestions": []}
    rule_tags, suggestions, model = records.rule_of(legacy)
    assert [t.code for t in rule_tags] == ["topic.patent"] and suggestions == [] and model == []


def test_override_keeps_who_decided_each_code_first() -> None:
    head = records.new_head("doc-1")
    head["override"] = records.override_entries(head, Override(removed=frozenset({"audience.government"})),
                                                by="ed", at=AT, reason="主送机关不是对象")
    both = Override(added=frozenset({"topic.finance.insurance"}), removed=frozenset({"audience.government"}))
    stored = records.override_entries(head, both, by="li", at=LATER, reason="补充")
    assert stored["removed"] == [{"code": "audience.government", "by": "ed", "at": AT, "reason": "主送机关不是对象"}]
    assert stored["added"] == [{"code": "topic.finance.insurance", "by": "li", "at": LATER, "reason": "补充"}]
    assert records.override_of({"override": stored}) == both
