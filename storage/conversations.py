"""Conversations and their timestamped messages, always scoped by an owner.

An owner is a string: `user:<id>` for a logged-in user (kept across visits) or `guest:<session_hash>`
for a guest (purged when the browser session ends). Every method takes the owner first and only
ever touches that owner's rows, so one user can never list, read, change or delete another's chats:
a conversation id that belongs to someone else behaves exactly like one that does not exist.

`kind` separates features sharing the store: "assistant" (Medical assistant), "skin" (SkinGuard
follow-up questions), ...

    store = ConversationStore(db)
    owner = owner_of(session)
    chat = store.create(owner, kind="assistant")
    store.add_message(owner, chat.id, "user", "What is HbA1c?")      # auto-titles the chat
    store.messages(owner, chat.id)  # -> [Message(role="user", content=..., created_at=...)]
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from storage.db import Database

TITLE_MAX_CHARS = 60
ROLES = ("user", "assistant", "system")


class ConversationNotFound(LookupError):
    """No conversation with that id for this owner (it may exist for someone else)."""


@dataclass(frozen=True)
class Conversation:
    id: int
    owner: str
    kind: str
    title: str
    created_at: float   # Unix time
    updated_at: float


@dataclass(frozen=True)
class Message:
    id: int
    conversation_id: int
    role: str            # user | assistant | system
    content: str
    created_at: float    # Unix time
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. {"thinking": ..., "red_flags": [...]}

    def as_chat(self) -> dict[str, str]:
        """The `{"role", "content"}` dict that LLMs and `gr.Chatbot` take."""
        return {"role": self.role, "content": self.content}


def owner_of(session) -> str:
    """The owner string for a `SessionData`: the logged-in user, else the guest session."""
    if getattr(session, "user_id", None) is not None:
        return user_owner(session.user_id)
    return guest_owner(session.session_hash)


def user_owner(user_id: int) -> str:
    return f"user:{int(user_id)}"


def guest_owner(session_hash: str) -> str:
    return f"guest:{session_hash}"


def title_from(text: str) -> str:
    """A short title from a first message: its first line, whitespace collapsed, cut at a word."""
    line = next((part for part in text.strip().splitlines() if part.strip()), "")
    line = re.sub(r"\s+", " ", line).strip()
    if len(line) <= TITLE_MAX_CHARS:
        return line or "New chat"
    cut = line[:TITLE_MAX_CHARS].rsplit(" ", 1)[0] or line[:TITLE_MAX_CHARS]
    return cut.rstrip(" ,;:.") + "…"


class ConversationStore:
    def __init__(self, db: Database, clock=time.time):
        self.db = db
        self._clock = clock

    # Conversations
    def create(self, owner: str, kind: str = "assistant", title: str = "") -> Conversation:
        now = self._clock()
        with self.db.transaction() as connection:
            cursor = connection.execute(
                "INSERT INTO conversations (owner, kind, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                (owner, kind, title.strip()[:200], now, now))
        return Conversation(cursor.lastrowid, owner, kind, title.strip()[:200], now, now)

    def list(self, owner: str, kind: str | None = None) -> list[Conversation]:
        """The owner's conversations, most recently active first."""
        if kind is None:
            rows = self.db.query("SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC, id DESC",
                                 (owner,))
        else:
            rows = self.db.query("SELECT * FROM conversations WHERE owner = ? AND kind = ? "
                                 "ORDER BY updated_at DESC, id DESC", (owner, kind))
        return [_conversation(row) for row in rows]

    def get(self, owner: str, conversation_id: int) -> Conversation:
        """Raises ConversationNotFound unless `owner` owns the conversation."""
        row = self.db.query_one("SELECT * FROM conversations WHERE id = ? AND owner = ?",
                                (_as_id(conversation_id), owner))
        if row is None:
            raise ConversationNotFound(f"conversation {conversation_id} not found")
        return _conversation(row)

    def rename(self, owner: str, conversation_id: int, title: str) -> Conversation:
        title = re.sub(r"\s+", " ", title).strip()[:200]
        if not title:
            raise ValueError("a title cannot be empty")
        with self.db.transaction() as connection:
            cursor = connection.execute("UPDATE conversations SET title = ? WHERE id = ? AND owner = ?",
                                        (title, _as_id(conversation_id), owner))
        if cursor.rowcount == 0:
            raise ConversationNotFound(f"conversation {conversation_id} not found")
        return self.get(owner, conversation_id)

    def delete(self, owner: str, conversation_id: int) -> bool:
        """Delete a conversation and its messages; False if the owner has no such conversation."""
        with self.db.transaction() as connection:
            cursor = connection.execute("DELETE FROM conversations WHERE id = ? AND owner = ?",
                                        (_as_id(conversation_id), owner))
        return cursor.rowcount > 0

    # Messages
    def messages(self, owner: str, conversation_id: int) -> list[Message]:
        """The conversation's messages, oldest first."""
        self.get(owner, conversation_id)
        rows = self.db.query("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id",
                             (_as_id(conversation_id),))
        return [_message(row) for row in rows]

    def add_message(self, owner: str, conversation_id: int, role: str, content: str,
                    meta: dict[str, Any] | None = None) -> Message:
        """Append a message; the first user message also titles an untitled conversation."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        now = self._clock()
        meta_json = json.dumps(meta or {}, ensure_ascii=False)
        with self.db.transaction() as connection:
            conversation = self.get(owner, conversation_id)
            cursor = connection.execute(
                "INSERT INTO messages (conversation_id, role, content, meta, created_at) VALUES (?, ?, ?, ?, ?)",
                (conversation.id, role, content, meta_json, now))
            title = conversation.title or (title_from(content) if role == "user" else "")
            connection.execute("UPDATE conversations SET updated_at = ?, title = ? WHERE id = ?",
                               (now, title, conversation.id))
        return Message(cursor.lastrowid, conversation.id, role, content, now, dict(meta or {}))

    def delete_after(self, owner: str, conversation_id: int, message_id: int) -> int:
        """Delete the messages after `message_id` (for "retry"); returns how many went."""
        self.get(owner, conversation_id)
        with self.db.transaction() as connection:
            cursor = connection.execute("DELETE FROM messages WHERE conversation_id = ? AND id > ?",
                                        (_as_id(conversation_id), int(message_id)))
        return cursor.rowcount

    # Owners
    def transfer(self, from_owner: str, to_owner: str) -> int:
        """Move every conversation of one owner to another (a guest who logs in keeps the chats)."""
        with self.db.transaction() as connection:
            cursor = connection.execute("UPDATE conversations SET owner = ? WHERE owner = ?", (to_owner, from_owner))
        return cursor.rowcount

    def purge_owner(self, owner: str) -> int:
        """Delete every conversation of an owner; returns how many."""
        with self.db.transaction() as connection:
            cursor = connection.execute("DELETE FROM conversations WHERE owner = ?", (owner,))
        return cursor.rowcount

    def purge_guests(self) -> int:
        """Delete all guest conversations (at start-up: no guest session survives a restart)."""
        with self.db.transaction() as connection:
            cursor = connection.execute("DELETE FROM conversations WHERE owner LIKE 'guest:%'")
        return cursor.rowcount

    def attach_to_sessions(self, sessions) -> None:
        """Purge a guest's conversations when their session ends (`SessionStore.on_drop`)."""
        sessions.on_drop(lambda session: self.purge_owner(guest_owner(session.session_hash)))


def _as_id(value) -> int:
    """A conversation id SQLite can hold; anything else is simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ConversationNotFound("conversation not found") from None
    if not 0 < number < 2**63:
        raise ConversationNotFound("conversation not found")
    return number


def _conversation(row) -> Conversation:
    return Conversation(row["id"], row["owner"], row["kind"], row["title"], row["created_at"], row["updated_at"])


def _message(row) -> Message:
    return Message(row["id"], row["conversation_id"], row["role"], row["content"], row["created_at"],
                   json.loads(row["meta"] or "{}"))
