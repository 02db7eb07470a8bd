"""Accounts: register, log in (with failed-login throttling) and log out.

Passwords are hashed with Argon2id (argon2-cffi); only the hash is stored. Failed logins are throttled per
client (the caller's address), never per email alone, so that nobody can lock another person out:
- after `MAX_FAILURES` failures for one email from one client within `WINDOW_S`, that client's further
  attempts for that email are refused until the oldest failure leaves the window;
- after `MAX_CLIENT_FAILURES` failures from one client (any emails), that client is refused altogether
  (password spraying).
Registration never says whether an email has an account: a taken email gets the same answer as a
successful registration would need, "log in with your password", after the same hashing work.
"""
from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass

from storage.db import Database

MIN_PASSWORD_CHARS = 8
MAX_FAILURES = 5          # per (email, client)
MAX_CLIENT_FAILURES = 20  # per client, all emails together
WINDOW_S = 15 * 60
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AuthError(ValueError):
    """A registration or login problem; the message is meant for the user."""


class TooManyAttempts(AuthError):
    def __init__(self, retry_after_s: float):
        minutes = max(1, round(retry_after_s / 60))
        super().__init__(f"Too many failed logins from this browser. Try again in about {minutes} minute(s).")
        self.retry_after_s = retry_after_s


class EmailTaken(AuthError):
    """Registration with an email that has an account; the message does not say so."""

    def __init__(self):
        super().__init__("We could not create an account with these details. If you already have an account, "
                         "log in with your password.")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    email: str
    created_at: float


def _hasher():
    from argon2 import PasswordHasher
    return PasswordHasher()


class UserStore:
    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self._clock = clock
        self._hasher = _hasher()
        # Verified against when the email is unknown, so both cases take the same time.
        self._dummy_hash = self._hasher.hash("healify-timing-equaliser")

    def register(self, name: str, email: str, password: str) -> User:
        name, email = (name or "").strip(), (email or "").strip().lower()
        if not name:
            raise AuthError("Please enter your name.")
        if not _EMAIL.match(email):
            raise AuthError("Please enter a valid email address.")
        if len(password or "") < MIN_PASSWORD_CHARS:
            raise AuthError(f"The password needs at least {MIN_PASSWORD_CHARS} characters.")
        password_hash = self._hasher.hash(password)  # before the lookup: a taken email costs the same time
        if self.db.query_one("SELECT 1 FROM users WHERE email = ?", (email,)):
            raise EmailTaken()
        now = self._clock()
        try:
            with self.db.transaction() as connection:
                cursor = connection.execute(
                    "INSERT INTO users (name, email, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    (name[:100], email, password_hash, now))
        except sqlite3.IntegrityError:  # registered concurrently
            raise EmailTaken() from None
        return User(cursor.lastrowid, name[:100], email, now)

    def login(self, email: str, password: str, client: str = "") -> User:
        """The user for these credentials; raises AuthError (or TooManyAttempts for this client)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        email = (email or "").strip().lower()
        now = self._clock()
        self._check_throttle(email, client, now)
        row = self.db.query_one("SELECT * FROM users WHERE email = ?", (email,))
        try:
            self._hasher.verify(row["password_hash"] if row else self._dummy_hash, password or "")
            ok = row is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            with self.db.transaction() as connection:
                connection.execute("DELETE FROM login_failures WHERE failed_at <= ?", (now - WINDOW_S,))
                connection.execute("INSERT INTO login_failures (email, failed_at, client) VALUES (?, ?, ?)",
                                   (email, now, client))
            raise AuthError("Wrong email or password.")
        with self.db.transaction() as connection:
            connection.execute("DELETE FROM login_failures WHERE email = ? AND client = ?", (email, client))
            if self._hasher.check_needs_rehash(row["password_hash"]):
                connection.execute("UPDATE users SET password_hash = ? WHERE id = ?",
                                   (self._hasher.hash(password), row["id"]))
        return _user(row)

    def login_huggingface(self, hf_username: str, name: str | None = None) -> User:
        """The account of a "Sign in with Hugging Face" user, created on first sign-in.

        It has no password (an empty hash never verifies) and `hf:<username>` in place of an email.
        """
        row = self.db.query_one("SELECT * FROM users WHERE hf_username = ?", (hf_username,))
        if row is None:
            with self.db.transaction() as connection:
                connection.execute("INSERT OR IGNORE INTO users (name, email, password_hash, created_at, hf_username) "
                                   "VALUES (?, ?, '', ?, ?)",
                                   ((name or hf_username)[:100], f"hf:{hf_username}", self._clock(), hf_username))
            row = self.db.query_one("SELECT * FROM users WHERE hf_username = ?", (hf_username,))
        return _user(row)

    def get(self, user_id: int) -> User | None:
        row = self.db.query_one("SELECT * FROM users WHERE id = ?", (int(user_id),))
        return _user(row) if row else None

    def _check_throttle(self, email: str, client: str, now: float) -> None:
        for where, params, limit in (("email = ? AND client = ?", (email, client), MAX_FAILURES),
                                     ("client = ?", (client,), MAX_CLIENT_FAILURES)):
            rows = self.db.query(f"SELECT failed_at FROM login_failures WHERE {where} AND failed_at > ? "
                                 "ORDER BY failed_at", (*params, now - WINDOW_S))
            if len(rows) >= limit:
                raise TooManyAttempts(rows[-limit]["failed_at"] + WINDOW_S - now)


def login(session, user: User) -> None:
    """Mark a browser session as logged in as `user`."""
    session.user_id, session.user_name = user.id, user.name


def logout(session) -> None:
    """Back to guest: the session forgets the user (their stored data stays theirs)."""
    session.user_id, session.user_name, session.keep_records = None, None, False


def _user(row) -> User:
    return User(row["id"], row["name"], row["email"], row["created_at"])
