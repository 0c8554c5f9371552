"""Where a connected account's secret (access token, app password) is kept: never in groundswell.toml or the database.

In the OS keyring when the optional ``keyring`` package is installed and finds a working backend (macOS
Keychain, Windows Credential Locker, Secret Service); else in one JSON file readable by its owner only:
``$GROUNDSWELL_CREDENTIALS`` if set, else ``$XDG_CONFIG_HOME/groundswell/credentials.json`` (default
``~/.config``), written with mode 0600 in a 0700 folder and replaced atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from groundswell.errors import GroundswellError
from groundswell.files import write_atomically

SERVICE = "groundswell"
CREDENTIALS_ENV = "GROUNDSWELL_CREDENTIALS"


class CredentialsError(GroundswellError):
    """A secret could not be kept or read (a credentials file others can read, a keyring that refused)."""


def credentials_file() -> Path:
    explicit = os.environ.get(CREDENTIALS_ENV)
    if explicit:
        return Path(explicit)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "groundswell" / "credentials.json"


def _keyring() -> Any | None:
    """The keyring module when it has a real backend here, else None (the file is used)."""
    try:
        import keyring
        import keyring.errors
        from keyring.backends import fail
    except ImportError:
        return None
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def where() -> str:
    """Where secrets go on this machine, for messages."""
    return "the OS keyring" if _keyring() is not None else f"{credentials_file()} (owner-only)"


def store_secret(key: str, secret: str) -> str:
    """Keep ``secret`` under ``key``; return where it went."""
    ring = _keyring()
    if ring is not None:
        try:
            ring.set_password(SERVICE, key, secret)
        except ring.errors.KeyringError:
            pass  # a locked or refusing keyring: the owner-only file is the fallback
        else:
            return "the OS keyring"
    path = credentials_file()
    secrets = _read_file(path)
    secrets[key] = secret
    _write_file(path, secrets)
    return str(path)


def load_secret(key: str) -> str | None:
    ring = _keyring()
    if ring is not None:
        found = ring.get_password(SERVICE, key)
        if found is not None:
            return str(found)
    value = _read_file(credentials_file()).get(key)
    return None if value is None else str(value)


def delete_secret(key: str) -> None:
    ring = _keyring()
    if ring is not None:
        with contextlib.suppress(ring.errors.PasswordDeleteError):  # not there: nothing to delete
            ring.delete_password(SERVICE, key)
    path = credentials_file()
    secrets = _read_file(path)
    if secrets.pop(key, None) is not None:
        _write_file(path, secrets)


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"{path} can be read by other users (mode {stat.filemode(mode)}): run `chmod 600 {path}` and try again"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except json.JSONDecodeError as exc:
        raise CredentialsError(f"{path} is not valid JSON (line {exc.lineno}): fix or remove it") from exc
    if not isinstance(data, dict):
        raise CredentialsError(f"{path} must hold a JSON object of secrets")
    return data


def _write_file(path: Path, secrets: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_atomically(path, json.dumps(secrets, indent=2, sort_keys=True), mode=0o600)
