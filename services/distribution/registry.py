"""Loads the channel registry (YAML) and resolves ``${NAME}`` and secrets from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.distribution.domain import Channel

_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")


class RegistryError(ValueError):
    pass


def _resolve(value: Any, env: Mapping[str, str], where: str, missing: dict[str, list[str]]) -> Any:
    """Replace ``${NAME}`` in every string of ``value``; collect the names the environment lacks, by field."""
    if isinstance(value, str):
        for name in _VAR.findall(value):
            if name not in env:
                missing.setdefault(where, []).append(name)
        return _VAR.sub(lambda m: env.get(m.group(1), m.group(0)), value)
    if isinstance(value, dict):
        return {k: _resolve(v, env, f"{where}.{k}", missing) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, env, f"{where}[{i}]", missing) for i, v in enumerate(value)]
    return value


def load_channels(path: Path, env: Mapping[str, str], enable: Collection[str] = ()) -> list[Channel]:
    """Every channel of the registry; those in ``enable`` are enabled whatever the file says.

    A disabled channel may name variables that are not set: it is never used.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"cannot read the channel registry {path}: {exc}") from exc
    channels = []
    for i, raw in enumerate((data or {}).get("channels", [])):
        if not isinstance(raw, dict):
            raise RegistryError(f"channels[{i}] must be a mapping (in {path})")
        if raw.get("id") in enable:
            raw = {**raw, "enabled": True}
        missing: dict[str, list[str]] = {}
        resolved = {k: _resolve(v, env, k, missing) for k, v in raw.items()}
        if missing and resolved.get("enabled", True):
            field, names = next(iter(missing.items()))
            raise RegistryError(f"channels[{i}].{field} needs the environment variable(s) {', '.join(names)}")
        try:
            channels.append(Channel.model_validate(resolved))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            where = f".{where}" if where else ""
            raise RegistryError(f"channels[{i}]{where}: {first['msg']} (in {path})") from exc
    ids = [c.id for c in channels]
    if len(ids) != len(set(ids)):
        raise RegistryError(f"channel ids must be unique in {path}")
    unknown = sorted(set(enable) - set(ids))
    if unknown:
        raise RegistryError(
            f"GOVPUB_DISTRIBUTION_ENABLED_CHANNELS names {', '.join(unknown)}, which {path} does not define"
        )
    return channels


def settings_env(values: Mapping[str, str]) -> dict[str, str]:
    """The process environment, with the service's own settings as defaults for ``${NAME}``."""
    return {**values, **os.environ}


def enabled_ids(raw: str) -> set[str]:
    return {part.strip() for part in raw.split(",") if part.strip()}
