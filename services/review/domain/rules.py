"""Reading, checking and compiling the rules and allow-list files, once at start-up.

`load_rules` is the only function in the domain that reads files; the builders
take plain mappings so tests can feed rules inline. Every error names the file,
the rule and the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final, cast

import yaml

from .model import ACTIONS, KINDS, PERSONAL_KINDS
from .ruleset import GATES, Allowlist, ContextCue, PublicIdentifier, Rule, RuleSet, Side, alternation
from .validators import VALIDATORS

DEFAULT_RULES_PATH: Final = Path(__file__).resolve().parent.parent / "rules.yaml"
DEFAULT_ALLOWLIST_PATH: Final = Path(__file__).resolve().parent.parent / "allowlist.yaml"

_LEXICON_REF: Final = re.compile(r"\{\{(\w+)\}\}")
_SIDES: Final = ("before", "after", "around")
_SEVERITIES: Final = ("critical", "high", "medium", "low")


class RulesFileError(ValueError):
    """The rules or allow-list file is malformed; the message names the place and the fix."""


# --- parsing helpers -------------------------------------------------------------


def _where(source: str, item: str) -> str:
    return f"{source}: {item}" if item else source


def _req(data: Mapping[str, object], key: str, where: str) -> object:
    if key not in data or data[key] is None:
        raise RulesFileError(f"{where}: missing '{key}'; add it")
    return data[key]


def _str(data: Mapping[str, object], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default) if default is not None else _req(data, key, where)
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise RulesFileError(f"{where}: '{key}' must be a string")
    return str(value)


def _num(data: Mapping[str, object], key: str, where: str, default: float | None = None) -> float:
    value = data.get(key, default) if default is not None else _req(data, key, where)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise RulesFileError(f"{where}: '{key}' must be a number, got {value!r}")
    return float(value)


def _mapping(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise RulesFileError(f"{where}: expected a mapping of key: value")
    return cast(Mapping[str, object], value)


def _list(value: object, where: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise RulesFileError(f"{where}: expected a list")
    return value


def _words(value: object, lexicons: Mapping[str, tuple[str, ...]], where: str) -> tuple[str, ...]:
    """A list of words; a plain string is split on whitespace; {{name}} pulls in a lexicon."""
    out: list[str] = []
    items = value.split() if isinstance(value, str) else _list(value, where)
    for item in items:
        if not isinstance(item, (str, int)) or isinstance(item, bool):
            raise RulesFileError(f"{where}: words must be strings, got {item!r}")
        text = str(item)
        ref = _LEXICON_REF.fullmatch(text)
        if ref:
            out.extend(_lexicon(lexicons, ref.group(1), where))
        elif text:
            out.append(text)
    return tuple(out)


def _lexicon(lexicons: Mapping[str, tuple[str, ...]], name: str, where: str) -> tuple[str, ...]:
    if name not in lexicons:
        raise RulesFileError(f"{where}: unknown lexicon '{{{{{name}}}}}'; define it under 'lexicons:'")
    return lexicons[name]


def _compile(pattern: str, lexicons: Mapping[str, tuple[str, ...]], where: str) -> re.Pattern[str]:
    expanded = _LEXICON_REF.sub(lambda m: alternation(_lexicon(lexicons, m.group(1), where)), pattern)
    try:
        return re.compile(expanded, re.MULTILINE)
    except re.error as exc:
        raise RulesFileError(f"{where}: pattern does not compile ({exc}); fix the regular expression") from exc


def _group(regex: re.Pattern[str]) -> str | int:
    return "v" if "v" in regex.groupindex else 0


def _validator(data: Mapping[str, object], where: str) -> str | None:
    name = data.get("validator")
    if name is None:
        return None
    if not isinstance(name, str) or name not in VALIDATORS:
        raise RulesFileError(f"{where}: unknown validator {name!r}; use one of {sorted(VALIDATORS)}")
    return name


def _gate(data: Mapping[str, object], where: str) -> str | None:
    gate = data.get("gate")
    if gate is not None and gate not in GATES:
        raise RulesFileError(f"{where}: gate must be one of {GATES}, got {gate!r}")
    return gate if gate is None else str(gate)


def _cue(data: object, lexicons: Mapping[str, tuple[str, ...]], default_window: int, where: str) -> ContextCue:
    cue = _mapping(data, where)
    side = _str(cue, "side", where, "around")
    if side not in _SIDES:
        raise RulesFileError(f"{where}: side must be one of {_SIDES}, got {side!r}")
    words = _words(_req(cue, "words", where), lexicons, where)
    if not words:
        raise RulesFileError(f"{where}: 'words' is empty; list at least one word")
    return ContextCue(
        words=words,
        delta=_num(cue, "delta", where, 0.0),
        window=int(_num(cue, "window", where, float(default_window))),
        side=cast(Side, side),
        label=_str(cue, "label", where, ""),
    )


def _load_lexicons(data: Mapping[str, object], where: str) -> dict[str, tuple[str, ...]]:
    raw = _mapping(data.get("lexicons") or {}, f"{where}: lexicons")
    lexicons: dict[str, tuple[str, ...]] = {}
    for name, words in raw.items():
        lexicons[str(name)] = _words(words, {}, f"{where}: lexicon '{name}'")
    return lexicons


# --- building ----------------------------------------------------------------------


def build_allowlist(data: Mapping[str, object], source: str = "allowlist") -> Allowlist:
    """The allow-list from its parsed YAML mapping."""
    lexicons = _load_lexicons(data, source)
    window = int(_num(data, "window", source, 16.0))
    hotlines = _words(data.get("hotlines"), lexicons, _where(source, "hotlines"))
    if any(not h.isdigit() for h in hotlines):
        raise RulesFileError(f"{source}: hotlines: every hotline must be digits only")

    identifiers: list[PublicIdentifier] = []
    for i, raw in enumerate(_list(data.get("public_identifiers"), _where(source, "public_identifiers"))):
        item = _mapping(raw, f"{source}: public_identifiers[{i}]")
        ident = _str(item, "id", f"{source}: public_identifiers[{i}]")
        where = f"{source}: public identifier '{ident}'"
        regex = _compile(_str(item, "pattern", where), lexicons, where)
        ctx, unless = item.get("requires_context"), item.get("unless_context")
        identifiers.append(
            PublicIdentifier(
                id=ident,
                regex=regex,
                group=_group(regex),
                validator=_validator(item, where),
                requires_context=None if ctx is None else _cue(ctx, lexicons, window, f"{where}: requires_context"),
                requires_any=_words(item.get("requires_any"), lexicons, where),
                gate=_gate(item, where),
                description=_str(item, "description", where, ""),
                unless_context=None if unless is None else _cue(unless, lexicons, window, f"{where}: unless_context"),
            )
        )
    if hotlines:
        # Only spans overlapping a gated personal-data match matter, so the hotline
        # identifier runs in the same digit windows.
        regex = re.compile("(?<![0-9])" + alternation(hotlines) + "(?![0-9])")
        identifiers.append(
            PublicIdentifier("PUB-HOTLINE", regex, 0, None, None, (), "digits", "public service hotline")
        )

    public_contact: ContextCue | None = None
    contact_kinds: frozenset[str] = frozenset()
    if data.get("public_contact") is not None:
        where = f"{source}: public_contact"
        raw_contact = _mapping(data["public_contact"], where)
        public_contact = _cue(raw_contact, lexicons, window, where)
        if public_contact.delta >= 0:
            raise RulesFileError(f"{where}: delta must be negative (it lowers confidence)")
        kinds = _words(raw_contact.get("kinds"), {}, where)
        unknown = set(kinds) - PERSONAL_KINDS
        if unknown:
            raise RulesFileError(f"{where}: kinds {sorted(unknown)} are not personal-data kinds")
        contact_kinds = frozenset(kinds)
        public_contact = ContextCue(
            public_contact.words,
            public_contact.delta,
            public_contact.window,
            public_contact.side,
            public_contact.label or "public contact of an office",
        )

    email = _mapping(data.get("public_email") or {}, f"{source}: public_email")
    return Allowlist(
        version=_str(data, "version", source),
        hotlines=hotlines,
        identifiers=tuple(identifiers),
        public_contact=public_contact,
        public_contact_kinds=contact_kinds,
        public_email_domains=tuple(d.lower() for d in _words(email.get("domains"), lexicons, source)),
        public_email_delta=_num(email, "delta", source, 0.0),
    )


def build_ruleset(rules_data: Mapping[str, object], allowlist: Allowlist, source: str = "rules") -> RuleSet:
    """The rule set from the parsed rules YAML and an allow-list."""
    defaults = _mapping(rules_data.get("defaults") or {}, f"{source}: defaults")
    window = int(_num(defaults, "window", f"{source}: defaults", 12.0))
    mask_t = _num(defaults, "mask_threshold", f"{source}: defaults", 0.7)
    human_t = _num(defaults, "human_threshold", f"{source}: defaults", 0.4)
    if not 0.0 < human_t <= mask_t <= 1.0:
        raise RulesFileError(f"{source}: defaults: need 0 < human_threshold <= mask_threshold <= 1")
    lexicons = _load_lexicons(rules_data, source)

    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(_list(_req(rules_data, "rules", source), f"{source}: rules")):
        item = _mapping(raw, f"{source}: rules[{i}]")
        rid = _str(item, "id", f"{source}: rules[{i}]")
        where = f"{source}: rule '{rid}'"
        if rid in seen:
            raise RulesFileError(f"{where}: duplicate id; give each rule its own id")
        seen.add(rid)
        kind = _str(item, "kind", where)
        if kind not in KINDS:
            raise RulesFileError(f"{where}: kind {kind!r} is not one of {sorted(KINDS)}")
        action = _str(item, "action", where)
        if action not in ACTIONS:
            raise RulesFileError(f"{where}: action {action!r} is not one of {sorted(ACTIONS)}")
        severity = _str(item, "severity", where, "medium")
        if severity not in _SEVERITIES:
            raise RulesFileError(f"{where}: severity {severity!r} is not one of {_SEVERITIES}")
        base = _num(item, "base", where)
        if not 0.0 <= base <= 1.0:
            raise RulesFileError(f"{where}: base confidence must be within 0..1, got {base}")
        regex = _compile(_str(item, "pattern", where), lexicons, where)
        cues = [
            cue
            for j, c in enumerate(_list(item.get("context"), f"{where}: context"))
            if (cue := _cue(c, lexicons, window, f"{where}: context[{j}]")).delta
        ]
        if allowlist.public_contact is not None and kind in allowlist.public_contact_kinds:
            cues.append(allowlist.public_contact)
        rules.append(
            Rule(
                id=rid,
                kind=kind,
                regex=regex,
                group=_group(regex),
                validator=_validator(item, where),
                base=base,
                context=tuple(cues),
                severity=severity,
                action=action,
                requires_any=_words(item.get("requires_any"), lexicons, where),
                exemptable=bool(item.get("exemptable", kind in PERSONAL_KINDS)),
                gate=_gate(item, where),
                description=_str(item, "description", where, ""),
            )
        )
    return RuleSet(
        rules_version=_str(rules_data, "version", source),
        rules=tuple(rules),
        allowlist=allowlist,
        mask_threshold=mask_t,
        human_threshold=human_t,
        boundaries=_str(defaults, "boundaries", f"{source}: defaults", "。;；!！?？\n"),
    )


# --- the only I/O ------------------------------------------------------------------


def _read_yaml(path: Path) -> Mapping[str, object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesFileError(f"{path}: cannot read ({exc.strerror}); check the path") from exc
    except yaml.YAMLError as exc:
        raise RulesFileError(f"{path}: not valid YAML ({exc})") from exc
    return _mapping(data, str(path))


def load_allowlist(path: Path | None = None) -> Allowlist:
    """Read and compile the allow-list file (default: allowlist.yaml beside the package)."""
    path = path or DEFAULT_ALLOWLIST_PATH
    return build_allowlist(_read_yaml(path), str(path))


def load_rules(rules_path: Path | None = None, allowlist_path: Path | None = None) -> RuleSet:
    """Read and compile the rules and allow-list files; call once at start-up."""
    path = rules_path or DEFAULT_RULES_PATH
    return build_ruleset(_read_yaml(path), load_allowlist(allowlist_path), str(path))
