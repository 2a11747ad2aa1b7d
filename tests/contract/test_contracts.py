"""contracts/ is generated from the code, stays backward compatible, and its examples are valid."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from govpub.contracts import breaking_changes, write_contracts
from shared.topics import CATALOGUE

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"


def load(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_checked_in_contracts_match_the_code() -> None:
    stale = write_contracts(CONTRACTS, check=True)
    assert stale == [], f"run `make contracts` and commit: {stale}"


@pytest.mark.parametrize("released", sorted((CONTRACTS / "released" / "v1").glob("*.json")), ids=lambda p: p.stem)
def test_current_schema_is_backward_compatible_with_the_released_one(released: Path) -> None:
    current = CONTRACTS / "schemas" / released.name
    assert current.exists(), f"{released.name} was removed: a breaking change needs a new topic version"
    assert breaking_changes(load(released), load(current)) == []


def test_breaking_change_detector_catches_removed_and_newly_required_fields() -> None:
    old = {"properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "required": ["a"]}
    new = {"properties": {"a": {"type": "integer"}, "c": {"type": "string"}}, "required": ["a", "c"]}
    problems = breaking_changes(old, new)
    assert "b: removed" in problems
    assert "a: type string -> integer" in problems
    assert "c: new required field" in problems


@pytest.mark.parametrize("example", sorted((CONTRACTS / "examples" / "documents").glob("*.json")), ids=lambda p: p.stem)
def test_sample_documents_follow_the_upstream_schema(example: Path) -> None:
    jsonschema.validate(load(example), load(CONTRACTS / "schemas" / "UpstreamDocument.json"))


@pytest.mark.parametrize("example", sorted((CONTRACTS / "examples" / "events").glob("*.json")), ids=lambda p: p.stem)
def test_event_examples_follow_their_schema(example: Path) -> None:
    jsonschema.validate(load(example), load(CONTRACTS / "schemas" / example.name))


def test_topic_catalogue_file_lists_every_topic_with_an_existing_schema() -> None:
    topics = yaml.safe_load((CONTRACTS / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    assert [t["name"] for t in topics] == [t.name for t in CATALOGUE]
    for topic in topics:
        assert (CONTRACTS / topic["payload"]).exists()
        name = topic["name"]
        _producer, event, version = name.split(".")
        assert version.startswith("v") and event == event.lower(), f"{name} breaks <producer>.<event>.v<N>"
