"""Browser sessions, CSRF checks and API tokens: secrets hashed at rest, refused when expired, revoked or disabled."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from groundswell.accounts import (
    COOKIE_FLAGS,
    SESSION_COOKIE,
    AccountError,
    CsrfRejected,
    User,
    add_user,
    check_csrf,
    cookie_flags,
    create_session,
    create_token,
    disable_user,
    end_session,
    entries,
    list_tokens,
    revoke_token,
    session_user,
    token_user,
)
from groundswell.store.base import Store

PASSWORD = "correct horse battery staple"
T0 = datetime(2025, 3, 1, 9, 0, 0)


@pytest.fixture
def ann(store: Store) -> User:
    add_user(store, "root", "admin", PASSWORD, actor="test")  # so ann can be disabled
    return add_user(store, "ann", "agent", PASSWORD, actor="test")


def table_text(store: Store, table: str) -> str:
    """Every value in the table, as one string, to look for a secret in."""
    return repr(store.execute(f"SELECT * FROM {table}"))


# -- sessions -------------------------------------------------------------------------


def test_a_session_finds_its_user_and_csrf_token(store: Store, ann: User) -> None:
    cookie, csrf = create_session(store, ann)
    found = session_user(store, cookie)
    assert found is not None
    user, token = found
    assert user == ann and token == csrf
    assert len(cookie) >= 43 and len(csrf) >= 43 and cookie != csrf


def test_the_cookie_value_is_never_stored_only_its_sha256(store: Store, ann: User) -> None:
    cookie, _ = create_session(store, ann)
    assert cookie not in table_text(store, "sessions")
    stored = store.execute("SELECT session_hash FROM sessions")
    assert stored == [(hashlib.sha256(cookie.encode()).hexdigest(),)]


def test_each_session_is_new(store: Store, ann: User) -> None:
    first = create_session(store, ann)
    second = create_session(store, ann)
    assert first[0] != second[0] and first[1] != second[1]


def test_an_expired_session_finds_nobody(store: Store, ann: User) -> None:
    cookie, _ = create_session(store, ann, lifetime=timedelta(hours=1), now=T0)
    assert session_user(store, cookie, now=T0 + timedelta(minutes=59)) is not None
    assert session_user(store, cookie, now=T0 + timedelta(hours=1)) is None


def test_expired_sessions_are_cleared_when_new_ones_are_made(store: Store, ann: User) -> None:
    create_session(store, ann, lifetime=timedelta(hours=1), now=T0)
    create_session(store, ann, now=T0 + timedelta(hours=2))
    assert store.execute("SELECT count(*) FROM sessions")[0][0] == 1


def test_a_disabled_users_session_finds_nobody(store: Store, ann: User) -> None:
    cookie, _ = create_session(store, ann)
    # even where the session row is still there (disable_user also ends them)
    store.execute("UPDATE users SET disabled = true WHERE user_id = ?", [ann.id])
    assert session_user(store, cookie) is None


def test_disabling_a_user_ends_its_sessions(store: Store, ann: User) -> None:
    create_session(store, ann)
    disable_user(store, "ann", actor="test")
    assert store.execute("SELECT count(*) FROM sessions")[0][0] == 0


def test_signing_out_ends_only_that_session(store: Store, ann: User) -> None:
    laptop, _ = create_session(store, ann)
    phone, _ = create_session(store, ann)
    end_session(store, laptop)
    assert session_user(store, laptop) is None
    assert session_user(store, phone) is not None


@pytest.mark.parametrize("cookie", [None, "", "made-up", "x" * 5000])
def test_no_or_an_unknown_cookie_finds_nobody(store: Store, ann: User, cookie: str | None) -> None:
    create_session(store, ann)
    assert session_user(store, cookie) is None


def test_csrf_the_sessions_token_passes() -> None:
    check_csrf("abc123-token", "abc123-token")


@pytest.mark.parametrize("given", [None, "", "abc123-tokeN", "abc123-token ", "abc123", "äbc123-token"])
def test_csrf_anything_else_is_rejected(given: str | None) -> None:
    with pytest.raises(CsrfRejected, match="CSRF token"):
        check_csrf("abc123-token", given)


def test_csrf_an_empty_expected_token_accepts_nothing() -> None:
    with pytest.raises(CsrfRejected):
        check_csrf("", "")


def test_a_forged_cross_site_form_is_refused(store: Store, ann: User) -> None:
    """The victim's browser sends the victim's cookie with the attacker's form; the form cannot carry the
    victim's CSRF token: none at all, or the attacker's own session's token."""
    victim_cookie, _ = create_session(store, ann)
    mallory = add_user(store, "mallory", "viewer", PASSWORD, actor="test")
    _, mallory_csrf = create_session(store, mallory)
    found = session_user(store, victim_cookie)
    assert found is not None
    for forged in (None, "", mallory_csrf):
        with pytest.raises(CsrfRejected):
            check_csrf(found.csrf_token, forged)


def test_the_cookie_flags_for_the_web_layer() -> None:
    assert SESSION_COOKIE == "groundswell_session"
    assert COOKIE_FLAGS["httponly"] is True
    assert COOKIE_FLAGS["samesite"] in ("lax", "strict")
    assert cookie_flags(secure=True)["secure"] is True
    assert cookie_flags(secure=False)["secure"] is False and cookie_flags(secure=False)["httponly"] is True


# -- API tokens -----------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_hash_is_stored(store: Store, ann: User) -> None:
    token = create_token(store, ann, "nightly export", actor="test")
    assert token.startswith("gsw_") and len(token) >= 4 + 43
    assert token not in table_text(store, "api_tokens")
    assert token not in table_text(store, "audit_log")
    stored = store.execute("SELECT token_hash FROM api_tokens")
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(),)]
    listed = list_tokens(store, ann)
    assert [t.name for t in listed] == ["nightly export"]
    assert token not in repr(listed) and token not in repr([t.as_dict() for t in listed])


def test_a_token_finds_its_user_and_notes_its_use(store: Store, ann: User) -> None:
    token = create_token(store, ann, "script", actor="test")
    assert list_tokens(store)[0].last_used_at is None
    assert token_user(store, token, now=T0) == ann
    assert list_tokens(store)[0].last_used_at == T0
    token_user(store, token, now=T0 + timedelta(seconds=30))  # within the minute: no write
    assert list_tokens(store)[0].last_used_at == T0
    token_user(store, token, now=T0 + timedelta(minutes=2))
    assert list_tokens(store)[0].last_used_at == T0 + timedelta(minutes=2)


@pytest.mark.parametrize("token", [None, "", "gsw_", "gsw_made-up", "Bearer x", "not-a-token"])
def test_an_unknown_token_finds_nobody(store: Store, ann: User, token: str | None) -> None:
    create_token(store, ann, "script", actor="test")
    assert token_user(store, token) is None


def test_a_revoked_token_finds_nobody_and_others_still_work(store: Store, ann: User) -> None:
    first = create_token(store, ann, "first", actor="test")
    second = create_token(store, ann, "second", actor="test")
    first_id = list_tokens(store, ann)[0].id
    revoked = revoke_token(store, first_id, actor="test")
    assert revoked.revoked_at is not None and not revoked.active
    assert token_user(store, first) is None
    assert token_user(store, second) == ann
    revoke_token(store, first_id, actor="test")  # again: nothing changes, nothing more is logged
    assert len(entries(store, action="tokens.revoke")) == 1
    assert [t.name for t in list_tokens(store, ann, include_revoked=False)] == ["second"]


def test_a_disabled_users_token_finds_nobody(store: Store, ann: User) -> None:
    token = create_token(store, ann, "script", actor="test")
    disable_user(store, "ann", actor="test")
    assert token_user(store, token) is None


def test_no_token_for_a_disabled_user_or_without_a_name(store: Store, ann: User) -> None:
    with pytest.raises(AccountError, match="name"):
        create_token(store, ann, "  ", actor="test")
    with pytest.raises(AccountError, match="name"):
        create_token(store, ann, "x" * 65, actor="test")
    disabled = disable_user(store, "ann", actor="test")
    with pytest.raises(AccountError, match="disabled"):
        create_token(store, disabled, "script", actor="test")


def test_revoking_an_unknown_token_is_a_clear_error(store: Store) -> None:
    with pytest.raises(AccountError, match="no API token 42"):
        revoke_token(store, 42, actor="test")


def test_a_tokens_user_keeps_its_role(store: Store, ann: User) -> None:
    token = create_token(store, ann, "script", actor="test")
    user = token_user(store, token)
    assert user is not None and user.may("inbox.act") and not user.may("config.change")
