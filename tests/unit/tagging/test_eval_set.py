"""The benchmark's labelled set stays valid against the catalogue and reproducible from its generator."""

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from services.tagging.domain import Catalogue

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "bench" / "data" / "tagging_eval.jsonl"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_tagging_eval", ROOT / "bench" / "make_tagging_eval.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def docs() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


def test_eval_set_has_at_least_200_documents_of_2_to_20_kb(docs: list[dict[str, Any]]) -> None:
    assert len(docs) >= 200
    sizes = [len(d["body"].encode()) for d in docs]
    assert min(sizes) >= 2 * 1024 and max(sizes) <= 22 * 1024


def test_eval_labels_are_catalogue_codes_closed_under_parents(docs: list[dict[str, Any]], catalogue: Catalogue) -> None:
    for doc in docs:
        for dimension, codes in doc["labels"].items():
            for code in codes:
                tag = catalogue.get(code)
                assert tag is not None and tag.dimension == dimension, (doc["id"], code)
                assert set(catalogue.ancestors(code)) <= set(codes), (doc["id"], code)
        assert len(doc["labels"]["doc_type"]) == 1 and len(doc["labels"]["stage"]) == 1, doc["id"]


def test_eval_set_is_reproduced_by_its_seeded_generator(docs: list[dict[str, Any]]) -> None:
    splits = Counter(d["split"] for d in docs)
    assert splits["dev"] >= 200 and splits["holdout"] > 0 and splits["holdout2"] > 0
    regenerated = _generator().generate(20240501, splits["dev"], splits["holdout"], splits["holdout2"])
    assert regenerated == docs
