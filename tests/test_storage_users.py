"""Accounts: argon2 hashes only, login errors, throttling after repeated failures."""
from __future__ import annotations

import sqlite3

import pytest

from storage.db import Database
from storage.sessions import SessionStore
from storage.users import (
    MAX_CLIENT_FAILURES,
    MAX_FAILURES,
    WINDOW_S,
    AuthError,
    TooManyAttempts,
    UserStore,
    login,
    logout,
)


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def users(tmp_path):
    return UserStore(Database(tmp_path / "h.sqlite3"), clock=Clock())


def test_register_stores_only_an_argon2_hash(users):
    user = users.register("Ann", "Ann@Example.org", "correct horse")
    assert user.email == "ann@example.org"
    with sqlite3.connect(users.db.path) as raw:
        (stored,) = raw.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert users.login("ANN@example.org ", "correct horse").id == user.id


@pytest.mark.parametrize("name,email,password", [("", "a@b.org", "longenough"), ("A", "nope", "longenough"),
                                                 ("A", "a@b.org", "short")])
def test_register_rejects_bad_input(users, name, email, password):
    with pytest.raises(AuthError):
        users.register(name, email, password)


def test_duplicate_email_and_wrong_password(users):
    users.register("Ann", "ann@example.org", "correct horse")
    with pytest.raises(AuthError) as taken:
        users.register("Other", "ANN@example.org", "another one")
    assert "exist" not in str(taken.value) and "log in" in str(taken.value)  # never says the email is taken
    with pytest.raises(AuthError, match="Wrong email or password"):
        users.login("ann@example.org", "wrong horse")
    with pytest.raises(AuthError, match="Wrong email or password"):
        users.login("nobody@example.org", "correct horse")


def test_failed_logins_are_throttled_then_released(users):
    users.register("Ann", "ann@example.org", "correct horse")
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthError):
            users.login("ann@example.org", "guess", client="10.0.0.9")
    with pytest.raises(TooManyAttempts) as blocked:  # even the right password is refused to that client now
        users.login("ann@example.org", "correct horse", client="10.0.0.9")
    assert 0 < blocked.value.retry_after_s <= WINDOW_S
    users.register("Bob", "bob@example.org", "bob password")
    assert users.login("bob@example.org", "bob password", client="10.0.0.9").name == "Bob"  # other accounts unaffected
    users._clock.now += WINDOW_S + 1
    assert users.login("ann@example.org", "correct horse", client="10.0.0.9").name == "Ann"


def test_nobody_can_lock_another_person_out(users):
    users.register("Ann", "ann@example.org", "correct horse")
    for _ in range(MAX_FAILURES * 3):  # an attacker hammering Ann's email from their own address
        with pytest.raises(AuthError):
            users.login("ann@example.org", "guess", client="203.0.113.7")
    assert users.login("ann@example.org", "correct horse", client="198.51.100.2").name == "Ann"


def test_password_spraying_from_one_client_is_throttled(users):
    for number in range(MAX_CLIENT_FAILURES):
        with pytest.raises(AuthError):
            users.login(f"user{number}@example.org", "guess", client="203.0.113.7")
    with pytest.raises(TooManyAttempts):
        users.login("fresh@example.org", "guess", client="203.0.113.7")


def test_login_and_logout_mark_the_session(users, tmp_path):
    session = SessionStore(tmp_path / "s").get("hash1")
    user = users.register("Ann", "ann@example.org", "correct horse")
    login(session, user)
    assert (session.user_id, session.user_name) == (user.id, "Ann")
    logout(session)
    assert session.user_id is None and session.user_name is None


def test_hugging_face_accounts_have_no_password(users):
    first = users.login_huggingface("ann-hf", "Ann")
    assert users.login_huggingface("ann-hf", "Ann").id == first.id
    with pytest.raises(AuthError):
        users.login("hf:ann-hf", "")
