"""Checking raw upstream JSON against the contract, reporting every problem at once with a fix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from services.intake.domain.checks import pydantic_problem, semantic_problems
from services.intake.domain.contract import ATTACHMENT_FIELD_NAMES, FIELD_NAMES, UpstreamDocument
from services.intake.domain.problems import ROOT, Problem, json_type, path_of, show

__all__ = ["Limits", "Problem", "validate"]

MAX_PROBLEMS = 100
# Bounds the work spent on hostile input; a real document has a few hundred JSON nodes.
MAX_NODES = 100_000

_LIST_OF_TEXT = ("addressees", "audience")


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 5_000_000
    max_attachments: int = 50
    max_field_chars: int = 2_000
    max_title_chars: int = 500
    max_json_depth: int = 12
    max_list_items: int = 200


def _structure(raw: dict[Any, Any], limits: Limits) -> tuple[list[Problem], set[str], bool]:
    """Key names, nesting depth, list sizes and text encoding everywhere in the document."""
    problems: list[Problem] = []
    reported: set[str] = set()

    def report(parts: tuple[Any, ...], problem: str, hint: str) -> None:
        path = path_of(parts)
        problems.append(Problem(path, problem, hint))
        reported.add(path)

    stack: list[tuple[object, tuple[Any, ...], int]] = [(raw, (), 1)]
    nodes = 0
    while stack and len(problems) < MAX_PROBLEMS:
        value, parts, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            report((), f"the document has more than {MAX_NODES:,} JSON values", "send one document at a time")
            return problems, reported, True
        if isinstance(value, dict | list) and depth > limits.max_json_depth:
            report(
                parts,
                f"nesting is deeper than {limits.max_json_depth} levels",
                "flatten the value; the contract nests at most 3 levels",
            )
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                refused = _key_problem(key)
                if refused is not None:
                    report((*parts, key), *refused)
                stack.append((item, (*parts, key), depth + 1))
        elif isinstance(value, list):
            if len(value) > limits.max_list_items:
                report(
                    parts,
                    f"{len(value):,} items, more than the {limits.max_list_items} allowed",
                    "send at most that many items",
                )
            else:
                stack.extend((item, (*parts, index), depth + 1) for index, item in reversed(list(enumerate(value))))
        elif isinstance(value, str) and not value.isascii() and not _encodable(value):
            report(
                parts,
                "the text contains an unpaired UTF-16 surrogate (\\ud800-\\udfff)",
                "re-encode the text as UTF-8 before sending",
            )
    return problems, reported, False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _key_problem(key: object) -> tuple[str, str] | None:
    """(problem, hint) for a key MongoDB would misread: $-keys are operators, dotted keys are paths."""
    if not isinstance(key, str):
        return f"key {show(key)} is not a string", "use text keys as in the contract"
    if key.startswith("$"):
        return f"key '{show(key)}' starts with '$'", "rename or remove the key; keys may not start with $"
    if "." in key:
        return f"key '{show(key)}' contains '.'", "rename or remove the key; keys may not contain dots"
    if "\x00" in key:
        return "key contains a NUL character", "remove the NUL character from the key"
    return None


def _limit_problems(raw: dict[Any, Any], limits: Limits) -> Iterator[Problem]:
    for name in FIELD_NAMES:
        value = raw.get(name)
        if name == "body" and isinstance(value, str):
            size = len(value.encode("utf-8", errors="surrogatepass"))
            if size > limits.max_body_bytes:
                yield Problem(
                    name,
                    f"body is {size:,} bytes in UTF-8, more than the {limits.max_body_bytes:,} allowed",
                    "send the body as plain text and move large content into attachments",
                )
        elif isinstance(value, str):
            yield from _too_long(name, value, limits.max_title_chars if name == "title" else limits.max_field_chars)
        elif name in _LIST_OF_TEXT and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    yield from _too_long(f"{name}.{index}", item, limits.max_field_chars)
    attachments = raw.get("attachments")
    if isinstance(attachments, list):
        if len(attachments) > limits.max_attachments:
            yield Problem(
                "attachments",
                f"{len(attachments)} attachments, more than the {limits.max_attachments} allowed",
                "bundle the attachments into fewer files",
            )
        for index, item in enumerate(attachments):
            if isinstance(item, dict):
                for name in ATTACHMENT_FIELD_NAMES:
                    value = item.get(name)
                    if isinstance(value, str):
                        limit = limits.max_title_chars if name == "name" else limits.max_field_chars
                        yield from _too_long(f"attachments.{index}.{name}", value, limit)


def _too_long(field: str, value: str, limit: int) -> Iterator[Problem]:
    if len(value) > limit:
        yield Problem(
            field,
            f"{field} has {len(value):,} characters, more than the {limit:,} allowed",
            f"shorten {field} to at most {limit:,} characters",
        )


def _unique(problems: list[Problem]) -> list[Problem]:
    kept = list(dict.fromkeys(problems))
    if len(kept) <= MAX_PROBLEMS:
        return kept
    more = len(kept) - MAX_PROBLEMS
    return [
        *kept[:MAX_PROBLEMS],
        Problem(ROOT, f"{more} more problems not listed", "fix the ones above and resend"),
    ]


def _validate(raw: object, limits: Limits) -> tuple[UpstreamDocument | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [
            Problem(
                ROOT,
                f"expected a JSON object, got {json_type(raw)}",
                f"send one document as a JSON object with the fields {', '.join(FIELD_NAMES)}",
            )
        ]
    problems, reported, overwhelmed = _structure(raw, limits)
    if overwhelmed:
        return None, _unique(problems)
    limit_problems = list(_limit_problems(raw, limits))
    reported |= {problem.field for problem in limit_problems}
    problems += limit_problems
    document: UpstreamDocument | None = None
    try:
        document = UpstreamDocument.model_validate(raw)
    except ValidationError as error:
        for detail in error.errors(include_url=False):
            mapped = pydantic_problem(detail)
            if mapped.field not in reported:
                problems.append(mapped)
    problems += semantic_problems(raw)
    if problems:
        return None, _unique(problems)
    return document, []


def validate(raw: object, limits: Limits = Limits()) -> tuple[UpstreamDocument | None, list[Problem]]:
    """The document if raw (parsed JSON, any shape) meets the contract, else every problem; never raises."""
    try:
        return _validate(raw, limits)
    except Exception:  # the contract boundary answers whatever arrives; tests assert this path stays unused
        return None, [Problem(ROOT, "the document could not be checked", "send a JSON object following the contract")]
