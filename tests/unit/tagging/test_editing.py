"""Editors stay in control: their override over the rules' tags, through re-tagging and new catalogues."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.tagging.domain import Catalogue, TagAssignment, Tagger, TaggingResult
from services.tagging.domain.editing import (
    Edit,
    EffectiveTags,
    Override,
    apply_edit,
    close_codes,
    effective,
    validate_edit,
)

TITLE = "上海市知识产权局关于开展2024年园区中小企业专利质押融资入园惠企活动的通知"
BODY = (
    "各区知识产权局，各有关园区：\n为贯彻落实知识产权强国建设纲要，进一步拓宽中小企业融资渠道，"
    "市知识产权局决定在全市重点园区开展2024年专利质押融资入园惠企活动。\n"
    "组织银行、保险、评估机构走进园区，为中小企业提供专利质押融资政策解读、融资对接和评估服务。"
)


def in_effect(catalogue: Catalogue, result: TaggingResult, override: Override) -> EffectiveTags:
    return effective(catalogue, result.assigned, result.suggestions, override)


def edited(catalogue: Catalogue, *edits: Edit) -> Override:
    override = Override()
    for edit in edits:
        assert validate_edit(catalogue, edit) == []
        override = apply_edit(override, edit, catalogue)
    return override


def assignment(catalogue: Catalogue, code: str, confidence: float = 0.6) -> TagAssignment:
    tag = catalogue.get(code)
    assert tag is not None
    return TagAssignment(code, tag.dimension, tag.name_zh, tag.name_en, confidence, ())


def test_without_an_override_the_rules_tags_are_in_effect(catalogue: Catalogue, tagger: Tagger) -> None:
    result = tagger.tag(TITLE, BODY, "通知")
    tags = in_effect(catalogue, result, Override())
    assert tags.codes() == result.codes()
    assert {t.source for t in tags.tags} == {"rule"}


def test_removed_rule_tag_stays_removed_when_the_document_is_tagged_again(
    catalogue: Catalogue, tagger: Tagger
) -> None:
    first = tagger.tag(TITLE, BODY, "通知")
    assert "topic.finance.pledge" in first.codes()
    override = edited(catalogue, Edit(remove=("topic.finance.pledge",)))
    assert "topic.finance.pledge" not in in_effect(catalogue, first, override).codes()

    # A new catalogue version whose rules find the tag even more strongly: the removal still holds.
    stronger = catalogue.model_copy(update={"version": catalogue.version + 1})
    again = tagger.tag(TITLE, BODY + "\n专利质押融资是重点。", "通知")
    assert "topic.finance.pledge" in again.codes()
    tags = in_effect(stronger, again, override)
    assert "topic.finance.pledge" not in tags.codes()
    assert "topic.finance.pledge" not in tags.suggestion_codes()
    assert "topic.finance" in tags.codes()  # the parent was not removed


def test_added_tag_survives_re_tagging_that_does_not_find_it(catalogue: Catalogue, tagger: Tagger) -> None:
    override = edited(catalogue, Edit(add=("topic.talent.training",)))
    for body in (BODY, "另行通知。"):
        tags = in_effect(catalogue, tagger.tag(TITLE, body, "通知"), override)
        sources = {t.code: t.source for t in tags.tags}
        assert sources["topic.talent.training"] == "editor"
        assert sources["topic.talent"] == "editor"  # a child implies its parent


def test_removing_a_parent_takes_its_children_along(catalogue: Catalogue, tagger: Tagger) -> None:
    result = tagger.tag(TITLE, BODY, "通知")
    assert {"topic.patent", "topic.patent.pledge"} <= result.codes()
    tags = in_effect(catalogue, result, edited(catalogue, Edit(remove=("topic.patent",))))
    assert not {c for c in tags.codes() if c.startswith("topic.patent")}


def test_accepted_suggestion_becomes_an_editor_tag_with_the_rules_evidence(catalogue: Catalogue) -> None:
    hint = assignment(catalogue, "topic.talent.training", 0.3)
    before = effective(catalogue, [], [hint], Override())
    assert before.suggestion_codes() == {"topic.talent.training"}

    after = effective(catalogue, [], [hint], edited(catalogue, Edit(add=("topic.talent.training",))))
    accepted = {t.code: t for t in after.tags}["topic.talent.training"]
    assert accepted.source == "editor" and accepted.assignment.confidence == 1.0
    assert after.suggestion_codes() == frozenset()


def test_dismissed_suggestion_is_hidden_and_can_still_be_added_later(catalogue: Catalogue) -> None:
    hint = assignment(catalogue, "topic.talent.training", 0.3)
    override = edited(catalogue, Edit(dismiss=("topic.talent.training",)))
    assert effective(catalogue, [], [hint], override).suggestion_codes() == frozenset()

    override = apply_edit(override, Edit(add=("topic.talent.training",)), catalogue)
    assert "topic.talent.training" not in override.dismissed
    assert "topic.talent.training" in effective(catalogue, [], [hint], override).codes()


def test_editor_choice_in_an_exclusive_dimension_replaces_the_rules_choice(
    catalogue: Catalogue, tagger: Tagger
) -> None:
    result = tagger.tag(TITLE, BODY, "通知")
    assert "doc_type.notice" in result.codes()
    tags = in_effect(catalogue, result, edited(catalogue, Edit(add=("doc_type.announcement",))))
    assert [c for c in tags.codes() if c.startswith("doc_type.")] == ["doc_type.announcement"]


def test_adding_withdraws_an_earlier_removal_and_removing_an_earlier_addition(catalogue: Catalogue) -> None:
    override = edited(catalogue, Edit(remove=("topic.patent",)), Edit(add=("topic.patent.pledge",)))
    assert override.removed == frozenset() and override.added == {"topic.patent.pledge"}

    override = apply_edit(override, Edit(remove=("topic.patent",)), catalogue)
    assert override.added == frozenset() and override.removed == {"topic.patent"}


def test_a_second_editor_choice_in_an_exclusive_dimension_replaces_the_first(catalogue: Catalogue) -> None:
    override = edited(catalogue, Edit(add=("stage.draft",)), Edit(add=("stage.repealed",)))
    assert override.added == {"stage.repealed"}


def test_unknown_code_is_refused_naming_it_with_close_matches(catalogue: Catalogue) -> None:
    problems = validate_edit(catalogue, Edit(remove=("topic.patent.pledg",), add=("topic.finance",)))
    assert len(problems) == 1
    assert problems[0].field == "remove[0]" and problems[0].code == "topic.patent.pledg"
    assert "topic.patent.pledge" in problems[0].close_matches
    assert "专利质押" in {catalogue.get(c).name_zh for c in close_codes(catalogue, "专利质押")}  # type: ignore[union-attr]


def test_contradictory_or_empty_edits_are_refused(catalogue: Catalogue) -> None:
    assert validate_edit(catalogue, Edit())[0].problem == "nothing to change"
    both = validate_edit(catalogue, Edit(add=("topic.patent",), remove=("topic.patent",)))
    assert [p.code for p in both] == ["topic.patent"]
    two = validate_edit(catalogue, Edit(add=("stage.draft", "stage.final")))
    assert "holds one tag" in two[0].problem


def test_model_suggestions_never_become_tags_and_yield_to_rule_suggestions(catalogue: Catalogue) -> None:
    rule_hint = assignment(catalogue, "topic.talent", 0.3)
    model = [assignment(catalogue, "topic.talent", 0.9), assignment(catalogue, "topic.gi", 0.9)]
    tags = effective(catalogue, [], [rule_hint], Override(), model)
    assert tags.codes() == frozenset()
    assert [(t.code, t.source) for t in tags.suggestions] == [("topic.talent", "rule"), ("topic.gi", "model")]


def test_codes_gone_from_a_new_catalogue_drop_out_but_stay_in_the_override(catalogue: Catalogue) -> None:
    override = edited(catalogue, Edit(add=("topic.gi.special_mark",)))
    kept = tuple(t for t in catalogue.tags if t.code != "topic.gi.special_mark")
    smaller = Catalogue.model_validate(
        {**catalogue.model_dump(by_alias=True), "version": catalogue.version + 1,
         "tags": [t.model_dump(by_alias=True) for t in kept]}
    )
    assert effective(smaller, [], [], override).codes() == frozenset()
    assert "topic.gi.special_mark" in override.added


CODES = st.sampled_from(
    ["topic.patent", "topic.patent.pledge", "topic.finance", "topic.finance.pledge", "audience.park",
     "doc_type.notice", "doc_type.opinion", "stage.final", "stage.draft", "topic.talent.training"]
)


@settings(max_examples=150, deadline=None)
@given(
    rule=st.sets(CODES),
    edits=st.lists(st.tuples(st.sets(CODES, max_size=2), st.sets(CODES, max_size=2)), max_size=5),
)
def test_effective_tags_always_honour_the_latest_editor_decisions(
    catalogue: Catalogue, rule: set[str], edits: list[tuple[set[str], set[str]]]
) -> None:
    override = Override()
    for add, remove in edits:
        edit = Edit(add=tuple(sorted(add - remove)), remove=tuple(sorted(remove - add)))
        if edit.add or edit.remove:
            if validate_edit(catalogue, edit):
                continue
            override = apply_edit(override, edit, catalogue)
    tags = effective(catalogue, [assignment(catalogue, c) for c in sorted(rule)], [], override)
    codes = tags.codes()
    assert not codes & override.removed
    assert override.added <= codes
    for tag in tags.tags:
        if tag.source == "editor":
            assert set(catalogue.ancestors(tag.code)) <= codes
    for dimension in ("doc_type", "stage"):
        chosen = {c for c in override.added if c.startswith(dimension + ".")}
        if chosen:
            assert {c for c in codes if c.startswith(dimension + ".")} == chosen
