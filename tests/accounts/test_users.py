"""Users: validation, argon2id hashing, changes, signing in and its rate limits."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zxcvbn import zxcvbn

from groundswell.accounts import (
    AccountError,
    AuthenticationFailed,
    RateLimits,
    TooManyAttempts,
    UnknownUser,
    UserExists,
    add_user,
    authenticate,
    create_session,
    disable_user,
    enable_user,
    get_user,
    list_users,
    passwords,
    session_user,
    set_password,
    set_role,
)
from groundswell.store.base import Store

PASSWORD = "correct horse battery staple"
T0 = datetime(2025, 3, 1, 9, 0, 0)


def stored_hash(store: Store, name: str) -> str:
    return str(store.execute("SELECT password_hash FROM users WHERE name = ?", [name])[0][0])


# -- adding and validating ------------------------------------------------------------


def test_add_user_returns_it_and_keeps_an_argon2id_hash_not_the_password(store: Store) -> None:
    user = add_user(store, "ann", "agent", PASSWORD, actor="test")
    assert (user.name, user.role, user.disabled) == ("ann", "agent", False)
    assert get_user(store, "ann") == user
    hashed = stored_hash(store, "ann")
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert passwords.verify_password(hashed, PASSWORD)
    assert not passwords.verify_password(hashed, PASSWORD + "!")


def test_the_shipped_parameters_are_rfc_9106_low_memory(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher())  # the real one, not the tests' cheap one
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    assert stored_hash(store, "ann").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_two_users_with_one_password_get_different_hashes(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    add_user(store, "bob", "viewer", PASSWORD, actor="test")
    assert stored_hash(store, "ann") != stored_hash(store, "bob")  # salted


@pytest.mark.parametrize("name", ["a", "x" * 64, "j.doe-1@acme_co", "Ann"])
def test_good_names(store: Store, name: str) -> None:
    assert add_user(store, name, "viewer", PASSWORD, actor="test").name == name


@pytest.mark.parametrize("name", ["", "x" * 65, "ann smith", "ann\n", "bøb", "a/b", "ann;--", "<script>"])
def test_bad_names_are_refused_clearly(store: Store, name: str) -> None:
    with pytest.raises(AccountError, match="1 to 64 ASCII letters"):
        add_user(store, name, "viewer", PASSWORD, actor="test")
    assert list_users(store) == []


def test_a_role_that_is_no_role_is_refused(store: Store) -> None:
    with pytest.raises(AccountError, match="roles: viewer, agent, admin"):
        add_user(store, "ann", "root", PASSWORD, actor="test")


@pytest.mark.parametrize("password", ["", "short", "elevenchars", " " * 20, "x" * 1025])
def test_weak_passwords_are_refused_without_echoing_them(store: Store, password: str) -> None:
    with pytest.raises(AccountError) as info:
        add_user(store, "ann", "viewer", password, actor="test")
    assert password.strip() == "" or password not in str(info.value)
    assert list_users(store) == []


def test_a_short_password_error_names_the_minimum(store: Store) -> None:
    with pytest.raises(AccountError, match="at least 12 characters"):
        add_user(store, "ann", "viewer", "elevenchars", actor="test")


@pytest.mark.parametrize(
    "password", ["password1234", "qwertyuiop12", "aaaaaaaaaaaaaaaa", "123456789012", "Password123!", "ann-ann-ann-ann"]
)
def test_a_long_enough_but_guessable_password_is_refused_with_advice(store: Store, password: str) -> None:
    with pytest.raises(AccountError, match="too easy to guess") as info:
        add_user(store, "ann", "viewer", password, actor="test")
    assert password not in str(info.value)
    assert list_users(store) == []


def test_a_password_built_on_the_user_name_is_weaker_than_the_same_for_another(store: Store) -> None:
    # zxcvbn tries the name as a word: a password made of it is guessable for that user only
    with pytest.raises(AccountError, match="too easy to guess"):
        add_user(store, "xkzvqwtr", "viewer", "xkzvqwtr.2026", actor="test")
    assert add_user(store, "ann", "viewer", "xkzvqwtr.2026", actor="test").name == "ann"


def test_set_password_checks_the_strength_too(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    with pytest.raises(AccountError, match="too easy to guess"):
        set_password(store, "ann", "password1234", actor="test")
    assert authenticate(store, "ann", PASSWORD, address=None).name == "ann"


def test_a_taken_name_is_refused_in_any_letter_case(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    with pytest.raises(UserExists, match="already a user 'ann'"):
        add_user(store, "ann", "admin", PASSWORD, actor="test")
    with pytest.raises(UserExists):
        add_user(store, "ANN", "admin", PASSWORD, actor="test")
    assert [u.role for u in list_users(store)] == ["viewer"]


def test_an_unknown_user_is_a_clear_error(store: Store) -> None:
    with pytest.raises(UnknownUser, match="no user 'ghost'"):
        get_user(store, "ghost")
    with pytest.raises(UnknownUser):
        set_role(store, "ghost", "admin", actor="test")


# -- changing -------------------------------------------------------------------------


def test_set_role(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    assert set_role(store, "ann", "agent", actor="test").role == "agent"
    assert get_user(store, "ann").role == "agent"
    with pytest.raises(AccountError):
        set_role(store, "ann", "owner", actor="test")


def test_the_last_admin_can_be_neither_demoted_nor_disabled(store: Store) -> None:
    add_user(store, "root", "admin", PASSWORD, actor="test")
    with pytest.raises(AccountError, match="last admin"):
        set_role(store, "root", "viewer", actor="test")
    with pytest.raises(AccountError, match="last admin"):
        disable_user(store, "root", actor="test")
    add_user(store, "second", "admin", PASSWORD, actor="test")
    assert set_role(store, "root", "viewer", actor="test").role == "viewer"
    with pytest.raises(AccountError, match="last admin"):
        disable_user(store, "second", actor="test")


def test_set_password_replaces_it_and_ends_the_sessions(store: Store) -> None:
    user = add_user(store, "ann", "viewer", PASSWORD, actor="test")
    cookie, _ = create_session(store, user)
    set_password(store, "ann", "a brand new passphrase", actor="test")
    assert session_user(store, cookie) is None
    assert authenticate(store, "ann", "a brand new passphrase", address=None).name == "ann"
    with pytest.raises(AuthenticationFailed):
        authenticate(store, "ann", PASSWORD, address=None)


def test_set_password_checks_the_rules(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    with pytest.raises(AccountError, match="at least 12"):
        set_password(store, "ann", "short", actor="test")


def test_disable_refuses_sign_in_with_the_same_message_and_enable_restores_it(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    assert disable_user(store, "ann", actor="test").disabled
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(store, "ann", PASSWORD, address=None)
    assert str(info.value) == AuthenticationFailed.MESSAGE
    assert not enable_user(store, "ann", actor="test").disabled
    assert authenticate(store, "ann", PASSWORD, address=None).name == "ann"


# -- signing in -----------------------------------------------------------------------


def test_authenticate_returns_the_user(store: Store) -> None:
    user = add_user(store, "ann", "agent", PASSWORD, actor="test")
    assert authenticate(store, "ann", PASSWORD, address="203.0.113.5") == user


def test_unknown_user_and_wrong_password_fail_alike(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    with pytest.raises(AuthenticationFailed) as wrong:
        authenticate(store, "ann", "not the password", address=None)
    with pytest.raises(AuthenticationFailed) as unknown:
        authenticate(store, "nobody", PASSWORD, address=None)
    assert type(wrong.value) is type(unknown.value) is AuthenticationFailed
    assert str(wrong.value) == str(unknown.value) == "wrong user name or password"


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_user_costs_one_hash_verification_like_a_known_one(
    monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "HASHER", counting)
    for name in ("ann", "nobody"):
        before = counting.verified
        with pytest.raises(AuthenticationFailed):
            authenticate(store, name, "not the password", address=None)
        assert counting.verified - before == 1, name


def test_a_good_sign_in_upgrades_a_hash_made_with_older_parameters(
    monkeypatch: pytest.MonkeyPatch, store: Store
) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    old = stored_hash(store, "ann")
    assert "t=1" in old
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    with pytest.raises(AuthenticationFailed):
        authenticate(store, "ann", "not the password", address=None)
    assert stored_hash(store, "ann") == old  # a failure changes nothing
    authenticate(store, "ann", PASSWORD, address=None)
    new = stored_hash(store, "ann")
    assert new != old and "m=16,t=2,p=1" in new
    authenticate(store, "ann", PASSWORD, address=None)
    assert stored_hash(store, "ann") == new  # up to date: not rehashed again


def test_every_attempt_is_recorded(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    authenticate(store, "ann", PASSWORD, address="198.51.100.1", now=T0)
    with pytest.raises(AuthenticationFailed):
        authenticate(store, "ann", "wrong password!", address="198.51.100.1", now=T0 + timedelta(seconds=1))
    with pytest.raises(AuthenticationFailed):
        authenticate(store, "ghost", PASSWORD, address=None, now=T0 + timedelta(seconds=2))
    rows = store.execute("SELECT name, address, attempted_at, ok FROM login_attempts ORDER BY attempted_at")
    assert rows == [
        ("ann", "198.51.100.1", T0, True),
        ("ann", "198.51.100.1", T0 + timedelta(seconds=1), False),
        ("ghost", None, T0 + timedelta(seconds=2), False),
    ]


def fail(store: Store, name: str, at: datetime, *, address: str | None = None) -> None:
    with pytest.raises(AuthenticationFailed) as info:
        authenticate(store, name, "a wrong password", address=address, now=at)
    assert not isinstance(info.value, TooManyAttempts)


def test_after_three_failures_each_try_waits_longer_even_with_the_right_password(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    for i in range(3):
        fail(store, "ann", T0 + timedelta(seconds=i))
    with pytest.raises(TooManyAttempts) as info:  # 1 s after the third failure, not before
        authenticate(store, "ann", PASSWORD, address=None, now=T0 + timedelta(seconds=2, milliseconds=500))
    assert info.value.retry_at == T0 + timedelta(seconds=3)
    waits = []
    at = T0 + timedelta(seconds=2)
    for _ in range(5):  # each failure doubles the wait: 1, 2, 4, 8, 16 s
        with pytest.raises(TooManyAttempts) as info:
            authenticate(store, "ann", "a wrong password", address=None, now=at)
        waits.append((info.value.retry_at - at).total_seconds())
        at = info.value.retry_at
        fail(store, "ann", at)
    assert waits == [1, 2, 4, 8, 16]
    at += timedelta(seconds=32)
    assert authenticate(store, "ann", PASSWORD, address=None, now=at).name == "ann"


def test_ten_failures_lock_the_name_at_that_address_until_the_window_passes(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    for i in range(10):
        fail(store, "ann", T0 + timedelta(minutes=i + 1), address="192.0.2.66")
    for minute in (12, 14):  # trying again early does not push the time further out
        with pytest.raises(TooManyAttempts) as info:
            authenticate(store, "ann", PASSWORD, address="192.0.2.66", now=T0 + timedelta(minutes=minute))
        assert info.value.retry_at == T0 + timedelta(minutes=16)
        assert "try again after 2025-03-01 09:16:00 UTC" in str(info.value)
    assert authenticate(store, "ann", PASSWORD, address="192.0.2.66", now=T0 + timedelta(minutes=16, seconds=1))


def test_failures_from_another_address_never_hold_back_the_user_at_theirs(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    attackers = [f"203.0.113.{i}" for i in range(10)]
    at = T0
    for attacker in attackers:  # many addresses, each up to its own lock on the name
        for _ in range(10):
            at += timedelta(minutes=2)
            fail(store, "ann", at, address=attacker)
        with pytest.raises(TooManyAttempts):
            authenticate(store, "ann", PASSWORD, address=attacker, now=at)
    assert authenticate(store, "ann", PASSWORD, address="192.0.2.10", now=at).name == "ann"
    assert authenticate(store, "ann", PASSWORD, address=None, now=at).name == "ann"


def test_a_refused_try_never_checks_the_password(monkeypatch: pytest.MonkeyPatch, store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    for i in range(10):
        fail(store, "ann", T0 + timedelta(minutes=i))
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "HASHER", counting)
    with pytest.raises(TooManyAttempts):
        authenticate(store, "ann", PASSWORD, address=None, now=T0 + timedelta(minutes=10))
    assert counting.verified == 0


def test_a_success_clears_the_count_at_that_address_only(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    for i in range(3):
        fail(store, "ann", T0 + timedelta(seconds=i), address="192.0.2.66")
        fail(store, "ann", T0 + timedelta(seconds=i), address="192.0.2.10")
    authenticate(store, "ann", PASSWORD, address="192.0.2.10", now=T0 + timedelta(seconds=10))
    fail(store, "ann", T0 + timedelta(seconds=20), address="192.0.2.10")  # one since the success: no wait
    assert authenticate(store, "ann", PASSWORD, address="192.0.2.10", now=T0 + timedelta(seconds=20)).name == "ann"
    with pytest.raises(TooManyAttempts):  # the other address's three still count
        authenticate(store, "ann", PASSWORD, address="192.0.2.66", now=T0 + timedelta(seconds=2, milliseconds=1))


def test_unknown_names_are_limited_too_so_the_limit_says_nothing_about_who_exists(store: Store) -> None:
    for i in range(3):
        fail(store, "ghost", T0 + timedelta(seconds=i))
    with pytest.raises(TooManyAttempts):
        authenticate(store, "ghost", PASSWORD, address=None, now=T0 + timedelta(seconds=2, milliseconds=500))


def test_one_address_trying_many_names_is_locked_out_while_others_are_not(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    attacker, colleague = "192.0.2.66", "192.0.2.10"
    for i in range(30):
        fail(store, f"guess{i}", T0 + timedelta(seconds=i), address=attacker)
    with pytest.raises(TooManyAttempts):
        authenticate(store, "ann", PASSWORD, address=attacker, now=T0 + timedelta(minutes=1))
    assert authenticate(store, "ann", PASSWORD, address=colleague, now=T0 + timedelta(minutes=1)).name == "ann"


def test_limits_can_be_set(store: Store) -> None:
    add_user(store, "ann", "viewer", PASSWORD, actor="test")
    strict = RateLimits(per_pair=2, per_address=10, free=5, window=timedelta(minutes=1))
    for i in range(2):
        with pytest.raises(AuthenticationFailed):
            authenticate(store, "ann", "a wrong password", address=None, limits=strict, now=T0 + timedelta(seconds=i))
    with pytest.raises(TooManyAttempts):
        authenticate(store, "ann", PASSWORD, address=None, limits=strict, now=T0 + timedelta(seconds=5))
    assert authenticate(store, "ann", PASSWORD, address=None, limits=strict, now=T0 + timedelta(minutes=2))


_names = (f"user{i}" for i in itertools.count())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    # any password the strength rule lets through (a text of repeats or a word is refused: test_passwords)
    password=st.text(min_size=12, max_size=80).filter(lambda p: p.strip() != "" and zxcvbn(p[:72])["score"] >= 3),
    other=st.text(max_size=90),
)
def test_any_password_round_trips_and_any_other_string_fails(store: Store, password: str, other: Any) -> None:
    name = next(_names)
    add_user(store, name, "viewer", password, actor="test")
    assert authenticate(store, name, password, address=None).name == name
    if other != password:
        with pytest.raises(AuthenticationFailed):
            authenticate(store, name, other, address=None)
