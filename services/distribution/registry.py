"""Loads the channel registry (YAML) and resolves ``${NAME}`` and secrets from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import ValidationError

from services.distribution.domain import Channel

_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")


class RegistryError(ValueError):
    pass


def load_channels(path: Path, env: Mapping[str, str]) -> list[Channel]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"cannot read the channel registry {path}: {exc}") from exc
    channels = []
    for i, raw in enumerate((data or {}).get("channels", [])):
        endpoint = raw.get("endpoint")
        if isinstance(endpoint, str):
            missing = [name for name in _VAR.findall(endpoint) if name not in env]
            if missing:
                raise RegistryError(f"channels[{i}].endpoint needs the environment variable(s) {', '.join(missing)}")
            raw = {**raw, "endpoint": _VAR.sub(lambda m: env[m.group(1)], endpoint)}
        try:
            channels.append(Channel.model_validate(raw))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise RegistryError(f"channels[{i}].{where}: {first['msg']} (in {path})") from exc
    ids = [c.id for c in channels]
    if len(ids) != len(set(ids)):
        raise RegistryError(f"channel ids must be unique in {path}")
    return channels


def settings_env(values: Mapping[str, str]) -> dict[str, str]:
    """The process environment, with the service's own settings as defaults for ``${NAME}``."""
    return {**values, **os.environ}
