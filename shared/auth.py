"""Bearer API keys with roles, stored hashed in a keys file every service reads.

Keys are random 32-byte tokens, so a plain SHA-256 of the key is a safe verifier (there is nothing
to brute-force). ``govpub keys create`` prints a key once and appends only its hash. The file is
re-read when it changes, so a new or revoked key takes effect without a restart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from fastapi import Depends, Request

from shared.http import ProblemError

ROLES = ("submitter", "reviewer", "editor", "operator", "admin")
PREFIX = "gpk_"


@dataclass(frozen=True)
class Principal:
    name: str
    role: str


def hash_key(key: str) -> str:
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._by_hash: dict[str, Principal] = {}

    def _load(self) -> None:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            self._by_hash, self._mtime = {}, None
            return
        if mtime == self._mtime:
            return
        data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        self._by_hash = {
            k["hash"]: Principal(k["name"], k["role"]) for k in data.get("keys", []) if not k.get("revoked")
        }
        self._mtime = mtime

    def authenticate(self, key: str) -> Principal | None:
        self._load()
        digest = hash_key(key)
        for known, principal in self._by_hash.items():
            if hmac.compare_digest(known, digest):
                return principal
        return None

    def create(self, name: str, role: str, now: datetime | None = None) -> str:
        """Add a key and return it; only its hash is stored."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        key = PREFIX + secrets.token_urlsafe(32)
        data: dict[str, Any] = {"keys": []}
        if self.path.exists():
            data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {"keys": []}
        data.setdefault("keys", []).append(
            {"name": name, "role": role, "hash": hash_key(key), "created_at": (now or datetime.now(UTC)).isoformat()}
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        tmp.chmod(0o600)
        tmp.replace(self.path)
        return key


def principal_from(request: Request) -> Principal:
    store: KeyStore = request.app.state.keys
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise ProblemError(
            401, "Authentication required",
            "Send an API key as `Authorization: Bearer <key>`; create one with `govpub keys create`.",
        )
    principal = store.authenticate(key.strip())
    if principal is None:
        raise ProblemError(401, "Unknown API key", "The API key is not valid or was revoked.")
    return principal


ANONYMOUS = Principal("anonymous", "anonymous")


def require(*roles: str, unless_open: bool = False) -> Any:
    """A FastAPI dependency that lets in only the given roles (admin always).

    ``unless_open`` endpoints (submitting documents, reading their status) are open when the
    setting ``GOVPUB_AUTH_REQUIRED`` is false — the embedded demo profile — and need their role
    otherwise; production profiles set it to true. Reviewer, editor and operator actions always
    need a key.
    """

    def check(request: Request) -> Principal:
        if unless_open and not request.app.state.auth_required and not request.headers.get("authorization"):
            return ANONYMOUS
        principal = principal_from(request)
        if principal.role not in roles and principal.role != "admin":
            raise ProblemError(
                403, "Forbidden",
                f"This needs the role {' or '.join(roles)}; the key of {principal.name!r} has {principal.role!r}.",
            )
        return principal

    return Depends(check)
