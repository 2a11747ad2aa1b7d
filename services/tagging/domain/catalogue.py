"""The policy-document tag catalogue (政策文件标签目录): dimensions, a tag tree, matching rules.

The catalogue is data (``services/tagging/catalogue.yaml``); this module validates it
into frozen models. Codes are stable ASCII (``topic.patent.pledge``): the first segment
names the dimension, and events, the library and subscribers store codes, never names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

DEFAULT_CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "catalogue.yaml"

MatchMode = Literal["word", "substring"]
TextField = Literal["title", "body"]

_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


class CatalogueError(ValueError):
    """The catalogue file is missing, not YAML, or breaks a rule; the message names the field."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Weights(_Frozen):
    """Points per matched term, by where it was found; unset values fall back to the defaults."""

    title: float | None = Field(default=None, ge=0)
    body: float | None = Field(default=None, ge=0)
    doc_type: float | None = Field(default=None, ge=0, description="the doc_type field given by upstream")
    suffix: float | None = Field(default=None, ge=0, description="the title's final 文种 (document type)")


class TermSpec(_Frozen):
    """A literal term. `match` overrides the rule's mode for this term only."""

    term: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    match: MatchMode | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"term": value} if isinstance(value, str) else value


class RegexSpec(_Frozen):
    pattern: str = Field(min_length=1)
    weight: float = Field(default=1.0, gt=0)
    fields: tuple[TextField, ...] = ("title", "body")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"pattern": value} if isinstance(value, str) else value

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            re.compile(pattern)
        except re.error as err:
            raise ValueError(f"not a valid regular expression ({err}); fix the pattern") from err
        return pattern


class Rule(_Frozen):
    """How a tag is recognised.

    - ``any``: terms, each adds points; ``all``: terms that must all occur (they add points too);
    - ``phrases``: exact substrings, never checked against word boundaries;
    - ``regex``: patterns (no ``\\b``: Chinese has no spaces);
    - ``exclude``: context masks — a hit overlapping an occurrence of one of these is ignored
      (``个人`` inside ``个人信息``);
    - ``title_suffixes``: document types read from the end of the title (最后的文种);
    - ``doc_type_values``: values of the upstream doc_type field that mean this tag.
    Unset ``match``/``weights``/``threshold``/``body_cap``/``per_sentence`` inherit dimension, then catalogue defaults.
    """

    match: MatchMode | None = None
    any_of: tuple[TermSpec, ...] = Field(default=(), alias="any")
    all_of: tuple[TermSpec, ...] = Field(default=(), alias="all")
    phrases: tuple[TermSpec, ...] = ()
    regex: tuple[RegexSpec, ...] = ()
    exclude: tuple[str, ...] = ()
    title_suffixes: tuple[str, ...] = ()
    doc_type_values: tuple[str, ...] = ()
    weights: Weights = Weights()
    threshold: float | None = Field(default=None, gt=0)
    body_cap: int | None = Field(default=None, ge=1, description="body hits counted per term")
    per_sentence: bool | None = Field(
        default=None, description="body hits in one sentence count once (the strongest): a passing mention stays one"
    )


class RuleDefaults(_Frozen):
    match: MatchMode | None = None
    weights: Weights = Weights()
    threshold: float | None = Field(default=None, gt=0)
    body_cap: int | None = Field(default=None, ge=1)
    per_sentence: bool | None = None


class CueGroup(_Frozen):
    """Cue terms and the span around each where a document says whom it is for:
    ``reach`` characters after the cue (对象为…, 面向…) and ``reach_before`` before it (市民可以…)."""

    terms: tuple[str, ...] = Field(min_length=1)
    reach: int = Field(default=80, ge=0)
    reach_before: int = Field(default=0, ge=0)


class Cues(_Frozen):
    """Body hits inside a cue region score `factor` times; the addressee line (主送机关) is one too."""

    groups: tuple[CueGroup, ...] = ()
    factor: float = Field(default=2.0, ge=1)
    addressee: bool = True


class Dimension(_Frozen):
    """A facet of the catalogue. An `exclusive` dimension assigns at most one tag (the highest
    priority, then the highest score); `default` is assigned when none qualifies."""

    code: str
    name_zh: str
    name_en: str
    description: str = ""
    exclusive: bool = False
    default: str | None = None
    defaults: RuleDefaults = RuleDefaults()
    cues: Cues | None = None


class Tag(_Frozen):
    code: str
    name_zh: str
    name_en: str
    description: str = ""
    parent: str | None = None
    priority: int = 0
    rules: Rule = Rule()

    @property
    def dimension(self) -> str:
        return self.code.split(".", 1)[0]


class Catalogue(_Frozen):
    version: int = Field(ge=1)
    defaults: RuleDefaults = RuleDefaults()
    dimensions: tuple[Dimension, ...]
    tags: tuple[Tag, ...]

    _by_code: dict[str, Tag] = PrivateAttr(default_factory=dict)
    _dims: dict[str, Dimension] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._by_code = {t.code: t for t in self.tags}
        self._dims = {d.code: d for d in self.dimensions}

    @model_validator(mode="after")
    def _consistent(self) -> Catalogue:
        problems: list[str] = []
        dims = {d.code for d in self.dimensions}
        seen: set[str] = set()
        for dim in self.dimensions:
            if not _CODE.match(dim.code) or "." in dim.code:
                problems.append(f"dimension code {dim.code!r}: use one lowercase ASCII word")
        for tag in self.tags:
            if not _CODE.match(tag.code):
                problems.append(f"tag code {tag.code!r}: use dotted lowercase ASCII like topic.patent.pledge")
            if tag.code in seen:
                problems.append(f"tag code {tag.code!r} is defined twice; codes must be unique")
            seen.add(tag.code)
            if tag.dimension not in dims or tag.code == tag.dimension:
                problems.append(f"tag {tag.code!r}: its first segment must name a dimension ({sorted(dims)})")
        codes = {t.code: t for t in self.tags}
        for tag in self.tags:
            if tag.parent is None:
                continue
            parent = codes.get(tag.parent)
            if parent is None:
                problems.append(f"tag {tag.code!r}: parent {tag.parent!r} is not a tag in the catalogue")
            elif parent.dimension != tag.dimension:
                problems.append(f"tag {tag.code!r}: parent {tag.parent!r} is in another dimension")
            if _has_cycle(tag.code, codes):
                problems.append(f"tag {tag.code!r}: its parent chain loops back to itself")
        for dim in self.dimensions:
            if dim.default is not None and (dim.default not in codes or codes[dim.default].dimension != dim.code):
                problems.append(f"dimension {dim.code!r}: default {dim.default!r} is not one of its tags")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def get(self, code: str) -> Tag | None:
        return self._by_code.get(code)

    def dimension(self, code: str) -> Dimension | None:
        return self._dims.get(code)

    def children(self, code: str) -> tuple[Tag, ...]:
        return tuple(t for t in self.tags if t.parent == code)

    def ancestors(self, code: str) -> tuple[str, ...]:
        """Parent first, root last."""
        chain: list[str] = []
        tag = self._by_code.get(code)
        while tag is not None and tag.parent is not None:
            chain.append(tag.parent)
            tag = self._by_code.get(tag.parent)
        return tuple(chain)

    def to_dict(self, *, include_rules: bool = False) -> dict[str, Any]:
        """The catalogue as JSON-ready data (GET /v1/catalog); matching rules only on request."""
        tags: list[dict[str, Any]] = []
        for tag in self.tags:
            item: dict[str, Any] = {
                "code": tag.code,
                "dimension": tag.dimension,
                "name_zh": tag.name_zh,
                "name_en": tag.name_en,
                "description": tag.description,
                "parent": tag.parent,
                "children": [c.code for c in self.children(tag.code)],
            }
            if include_rules:
                item["rules"] = tag.rules.model_dump(mode="json", by_alias=True, exclude_defaults=True)
            tags.append(item)
        return {
            "version": self.version,
            "dimensions": [
                {
                    "code": d.code,
                    "name_zh": d.name_zh,
                    "name_en": d.name_en,
                    "description": d.description,
                    "exclusive": d.exclusive,
                    "default": d.default,
                }
                for d in self.dimensions
            ],
            "tags": tags,
        }


def _has_cycle(code: str, codes: dict[str, Tag]) -> bool:
    seen = {code}
    tag = codes.get(code)
    while tag is not None and tag.parent is not None:
        if tag.parent in seen:
            return True
        seen.add(tag.parent)
        tag = codes.get(tag.parent)
    return False


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Read and validate the catalogue YAML (default: services/tagging/catalogue.yaml)."""
    source = path or DEFAULT_CATALOGUE_PATH
    try:
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
    except OSError as err:
        raise CatalogueError(f"{source}: cannot read the catalogue ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise CatalogueError(f"{source}: not valid YAML ({err})") from err
    if not isinstance(data, dict):
        raise CatalogueError(f"{source}: expected a mapping with version, dimensions and tags")
    try:
        return Catalogue.model_validate(data)
    except ValidationError as err:
        raise CatalogueError(f"{source}: {_describe(err)}") from err


def _describe(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "catalogue"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)
