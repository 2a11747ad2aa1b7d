from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from services.review.domain import (
    ReviewInput,
    RulesFileError,
    build_allowlist,
    build_ruleset,
    load_allowlist,
    load_rules,
    scan,
)
from services.review.domain.rules import DEFAULT_RULES_PATH


def test_shipped_rules_load_with_a_version(tmp_path: Path) -> None:
    rules = load_rules()
    assert rules.version.startswith(str(yaml.safe_load(DEFAULT_RULES_PATH.read_text(encoding="utf-8"))["version"]))
    assert len({r.id for r in rules.rules}) == len(rules.rules)
    assert load_allowlist().hotlines[:3] == ("12345", "12315", "12330")


def _rule(**overrides: object) -> dict[str, object]:
    rule: dict[str, object] = {"id": "R1", "kind": "mobile", "pattern": "1[3-9][0-9]{9}", "base": 0.8, "action": "mask"}
    rule.update(overrides)
    return rule


EMPTY_ALLOW = build_allowlist({"version": "t"})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "phone"}, "rule 'R1': kind 'phone' is not one of"),
        ({"action": "drop"}, "rule 'R1': action 'drop'"),
        ({"pattern": "(unclosed"}, "rule 'R1': pattern does not compile"),
        ({"validator": "crc32"}, "rule 'R1': unknown validator 'crc32'"),
        ({"base": 1.5}, "rule 'R1': base confidence must be within 0..1"),
        ({"pattern": "{{nope}}"}, "unknown lexicon '{{nope}}'"),
        ({"context": [{"words": [], "delta": 0.1}]}, "'words' is empty"),
        ({"gate": "letters"}, "gate must be one of"),
    ],
)
def test_malformed_rule_names_the_rule_and_the_fix(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(RulesFileError, match=message.replace("(", r"\(").replace("{", r"\{").replace("}", r"\}")):
        build_ruleset({"version": "t", "rules": [_rule(**overrides)]}, EMPTY_ALLOW)


def test_missing_file_and_missing_keys_are_clear(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="cannot read"):
        load_rules(tmp_path / "absent.yaml")
    path = tmp_path / "rules.yaml"
    path.write_text("rules: []\n", encoding="utf-8")
    with pytest.raises(RulesFileError, match="missing 'version'"):
        load_rules(path)


def test_thresholds_and_context_come_from_the_rules_file() -> None:
    data = {
        "version": "t",
        "defaults": {"mask_threshold": 0.9, "human_threshold": 0.5},
        "rules": [_rule(base=0.6, context=[{"words": ["手机"], "delta": 0.35, "side": "before"}])],
    }
    rules = build_ruleset(data, EMPTY_ALLOW)
    doc = ReviewInput(title="", body="号码13812345678；手机13912345678", disclosure="主动公开")
    assert [(f.text, f.action) for f in scan(doc, rules)] == [("13812345678", "human"), ("13912345678", "mask")]


def test_allowlist_public_contact_lowers_listed_kinds() -> None:
    allow = build_allowlist({"version": "t", "public_contact": {"kinds": ["mobile"], "words": ["热线"], "delta": -0.5}})
    rules = build_ruleset({"version": "t", "rules": [_rule()]}, allow)
    doc = ReviewInput(title="", body="热线13812345678", disclosure="主动公开")
    assert scan(doc, rules) == []
    with pytest.raises(RulesFileError, match="delta must be negative"):
        build_allowlist({"version": "t", "public_contact": {"kinds": ["mobile"], "words": ["热线"], "delta": 0.5}})
