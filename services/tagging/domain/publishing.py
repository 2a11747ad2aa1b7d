"""Publishing a new catalogue version: parse and validate what an editor sent, and compare versions.

Pure: the text comes in, a ``Catalogue`` or every problem (each naming its field) comes out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import ValidationError

from .catalogue import Catalogue


@dataclass(frozen=True)
class CatalogueProblem:
    field: str
    problem: str
    hint: str


class CatalogueRejected(ValueError):
    """The catalogue sent cannot be published; ``problems`` names every offending field."""

    def __init__(self, problems: list[CatalogueProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.problem}" for p in problems))
        self.problems = problems


def parse_catalogue(text: str, media_type: str = "application/yaml") -> Catalogue:
    """A catalogue from YAML or JSON text, validated exactly as ``load_catalogue`` validates the file."""
    is_json = media_type.split(";", 1)[0].strip().lower().endswith("json")
    try:
        data: Any = json.loads(text) if is_json else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as err:
        kind = "JSON" if is_json else "YAML"
        raise CatalogueRejected(
            [CatalogueProblem("catalogue", f"not valid {kind} ({err})", f"send the catalogue as {kind}")]
        ) from err
    if not isinstance(data, dict):
        raise CatalogueRejected(
            [CatalogueProblem("catalogue", "expected a mapping", "send version, defaults, dimensions and tags")]
        )
    try:
        return Catalogue.model_validate(data)
    except ValidationError as err:
        raise CatalogueRejected(_problems(err, data)) from err


def check_successor(current: Catalogue, new: Catalogue) -> list[CatalogueProblem]:
    """A published catalogue must carry a higher version, so every tagging names the rules it used."""
    if new.version <= current.version:
        return [
            CatalogueProblem(
                "version",
                f"version {new.version} is not newer than the catalogue in force ({current.version})",
                f"set version to {current.version + 1}",
            )
        ]
    return []


def same_rules(a: Catalogue, b: Catalogue) -> bool:
    return a.model_dump(exclude={"version"}) == b.model_dump(exclude={"version"})


def code_changes(old: Catalogue, new: Catalogue) -> dict[str, list[str]]:
    before, after = {t.code for t in old.tags}, {t.code for t in new.tags}
    return {"added": sorted(after - before), "removed": sorted(before - after)}


def _problems(err: ValidationError, data: dict[str, Any]) -> list[CatalogueProblem]:
    problems: list[CatalogueProblem] = []
    for e in err.errors():
        loc = e["loc"]
        if not loc:
            # The catalogue-wide checks report several problems in one message, each naming its tag.
            message = str(e["msg"]).removeprefix("Value error, ")
            problems += [
                CatalogueProblem("catalogue", part, "fix the tag or dimension it names")
                for part in message.split("; ")
            ]
            continue
        problems.append(CatalogueProblem(_field(loc, data), str(e["msg"]), _hint(e)))
    return problems


def _field(loc: tuple[int | str, ...], data: dict[str, Any]) -> str:
    """``tags[3](topic.patent.pledge).rules.any[0]``: the index and the code, so the editor finds it."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{part}]"]
            node = node[part] if isinstance(node, list) and part < len(node) else None
            code = node.get("code") if isinstance(node, dict) else None
            if isinstance(code, str):
                parts[-1] += f"({code})"
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def _hint(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind == "missing":
        return "add the field"
    if kind == "extra_forbidden":
        return "remove the field or fix its spelling (see services/tagging/catalogue.yaml)"
    return "fix the value"
