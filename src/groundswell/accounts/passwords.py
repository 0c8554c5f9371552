"""Password rules and hashing: argon2id through argon2-cffi, never the password itself.

A password must be 12 to 1024 characters and hard to guess: zxcvbn (Dropbox's estimator: dictionaries, names,
keyboard walks, dates, repeats, leet) must score it at least ``MIN_SCORE`` of 4, with the user's name among
the words it tries.

The parameters are argon2-cffi's defaults, RFC 9106's low-memory profile: 64 MiB,
3 passes, 4 lanes, a 16-byte salt and a 32-byte hash. Each stored hash names its own
parameters, so raising them later upgrades old hashes at their next sign-in
(``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from groundswell.accounts.errors import AccountError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # long enough for any passphrase, short enough not to be a way to burn CPU
MIN_SCORE = 3
"""zxcvbn's "safely unguessable: moderate protection from an offline slow-hash scenario" (10^8 guesses)."""
_SCORED_LENGTH = 72  # zxcvbn's own limit: its matching grows fast with length, and 72 characters are plenty

# Module-level so tests can swap in cheap parameters; read at call time, never captured.
HASHER = PasswordHasher()

_dummy_hashes: dict[tuple[int, int, int], str] = {}


def validate_password(password: str, *, user_name: str | None = None) -> None:
    """``AccountError`` with the rule it breaks, never echoing the password. ``user_name``: the account's name,
    which a password must not lean on."""
    if len(password) < MIN_LENGTH:
        raise AccountError(f"a password needs at least {MIN_LENGTH} characters (this one has {len(password)})")
    if len(password) > MAX_LENGTH:
        raise AccountError(f"a password may have at most {MAX_LENGTH} characters")
    if not password.strip():
        raise AccountError("a password cannot be only spaces")
    found = zxcvbn(password[:_SCORED_LENGTH], user_inputs=[user_name] if user_name else [])
    if found["score"] < MIN_SCORE:
        feedback = found["feedback"]
        hints = " ".join(h for h in [feedback.get("warning") or "", *feedback.get("suggestions", [])] if h)
        raise AccountError(
            f"this password is too easy to guess (strength {found['score']} of 4, needs {MIN_SCORE}); "
            "use a longer passphrase of unrelated words" + (f". {hints}" if hints else "")
        )


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a damaged hash matches nothing."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than ``HASHER``'s (upgrade it after a good sign-in)."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def burn_verify(password: str) -> None:
    """Verify against a dummy hash: an unknown user costs as long as a wrong password."""
    key = (HASHER.time_cost, HASHER.memory_cost, HASHER.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = HASHER.hash("groundswell dummy password, never anyone's")
    verify_password(_dummy_hashes[key], password)
