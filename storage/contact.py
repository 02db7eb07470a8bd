"""Messages sent through the Contact form, stored in SQLite and listed by `python app.py contact`."""
from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass

from storage.db import Database

MAX_MESSAGE_CHARS = 5000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class ContactMessage:
    id: int
    name: str
    email: str
    subject: str
    message: str
    user_id: int | None
    created_at: float   # Unix time

    def as_dict(self) -> dict:
        return asdict(self)


class ContactStore:
    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self._clock = clock

    def submit(self, name: str, email: str, message: str, subject: str = "",
               user_id: int | None = None) -> ContactMessage:
        """Store a message; raises ValueError (user-facing text) for a missing name, bad email or empty text."""
        name, email, subject, message = (name or "").strip(), (email or "").strip(), \
            (subject or "").strip(), (message or "").strip()
        if not name:
            raise ValueError("Please enter your name.")
        if not _EMAIL.match(email):
            raise ValueError("Please enter a valid email address so we can answer.")
        if not message:
            raise ValueError("Please write a message.")
        if len(message) > MAX_MESSAGE_CHARS:
            raise ValueError(f"Please keep the message under {MAX_MESSAGE_CHARS} characters.")
        now = self._clock()
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO contact_messages (name, email, subject, message, user_id, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (name[:100], email[:200], subject[:200], message, user_id, now))
        return ContactMessage(cursor.lastrowid, name[:100], email[:200], subject[:200], message, user_id, now)

    def list(self) -> list[ContactMessage]:
        """Every message, oldest first."""
        rows = self.db.query("SELECT * FROM contact_messages ORDER BY id")
        return [ContactMessage(r["id"], r["name"], r["email"], r["subject"], r["message"], r["user_id"],
                               r["created_at"]) for r in rows]
