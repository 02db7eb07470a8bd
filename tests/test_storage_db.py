"""SQLite database: migrations, schema version, thread safety, conversations scoped by owner, contact."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading

import pytest

from storage.contact import ContactStore
from storage.conversations import ConversationNotFound, ConversationStore, guest_owner, owner_of, title_from, user_owner
from storage.db import MIGRATIONS, Database
from storage.sessions import SessionStore


@pytest.fixture
def db(tmp_path):
    return Database(tmp_path / "healify.sqlite3")


def test_migrations_record_the_schema_version_and_run_once(tmp_path):
    path = tmp_path / "h.sqlite3"
    first = Database(path, MIGRATIONS[:1])
    assert first.schema_version == 1
    assert first.query_one("SELECT name FROM sqlite_master WHERE name = 'conversations'") is None
    first.close()
    upgraded = Database(path)  # an old file is brought up to date, keeping its rows
    assert upgraded.schema_version == MIGRATIONS[-1][0]
    assert upgraded.query_one("SELECT name FROM sqlite_master WHERE name = 'conversations'") is not None
    assert [r["version"] for r in upgraded.query("SELECT version FROM schema_version")] == [v for v, _ in MIGRATIONS]
    assert Database(path).schema_version == MIGRATIONS[-1][0]
    assert upgraded.query_one("PRAGMA journal_mode")[0] == "wal"


def test_out_of_order_migrations_are_refused(tmp_path):
    with pytest.raises(ValueError):
        Database(tmp_path / "x.sqlite3", [(2, "SELECT 1"), (1, "SELECT 1")])


def test_failed_transaction_rolls_back(db):
    store = ConversationStore(db)
    with pytest.raises(RuntimeError), db.transaction() as connection:
        connection.execute("INSERT INTO conversations (owner, kind, title, created_at, updated_at) "
                           "VALUES ('user:1', 'assistant', 't', 0, 0)")
        raise RuntimeError("boom")
    assert store.list("user:1") == []


def test_concurrent_writers_from_threads_all_land(db):
    store = ConversationStore(db)
    chat = store.create("user:1")
    errors = []

    def write(n):
        try:
            for i in range(20):
                store.add_message("user:1", chat.id, "user", f"thread {n} message {i}")
        except Exception as error:  # collected: the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.messages("user:1", chat.id)) == 80


def test_conversations_are_scoped_by_owner(db):
    store = ConversationStore(db)
    alice, bob = user_owner(1), user_owner(2)
    chat = store.create(alice, kind="assistant")
    store.add_message(alice, chat.id, "user", "What does a high ferritin mean?")
    assert [c.id for c in store.list(alice)] == [chat.id]
    assert store.list(bob) == []
    with pytest.raises(ConversationNotFound):
        store.messages(bob, chat.id)
    with pytest.raises(ConversationNotFound):
        store.add_message(bob, chat.id, "user", "injected")
    with pytest.raises(ConversationNotFound):
        store.rename(bob, chat.id, "mine now")
    assert store.delete(bob, chat.id) is False
    assert len(store.messages(alice, chat.id)) == 1
    assert store.get(alice, chat.id).title == "What does a high ferritin mean?"


def test_messages_keep_order_timestamps_and_meta(tmp_path):
    ticks = iter(range(1000, 2000))
    store = ConversationStore(Database(tmp_path / "h.sqlite3"), clock=lambda: float(next(ticks)))
    chat = store.create("user:7", kind="skin")
    store.add_message("user:7", chat.id, "user", "Tell me more about melanoma")
    reply = store.add_message("user:7", chat.id, "assistant", "Melanoma is…", meta={"thinking": "hmm"})
    messages = store.messages("user:7", chat.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert messages[0].created_at < messages[1].created_at
    assert messages[1].meta == {"thinking": "hmm"} and reply.meta == {"thinking": "hmm"}
    assert store.list("user:7", kind="assistant") == [] and len(store.list("user:7", kind="skin")) == 1
    assert store.delete_after("user:7", chat.id, messages[0].id) == 1
    assert [m.role for m in store.messages("user:7", chat.id)] == ["user"]


def test_rename_delete_and_titles(db):
    store = ConversationStore(db)
    chat = store.create("user:1")
    store.add_message("user:1", chat.id, "assistant", "Hello! How can I help?")
    assert store.get("user:1", chat.id).title == ""  # only a user message titles a chat
    store.add_message("user:1", chat.id, "user", "  I have   a question\nabout my thyroid results")
    assert store.get("user:1", chat.id).title == "I have a question"
    assert store.rename("user:1", chat.id, "Thyroid").title == "Thyroid"
    with pytest.raises(ValueError):
        store.rename("user:1", chat.id, "   ")
    assert store.delete("user:1", chat.id) is True
    assert store.list("user:1") == []
    assert db.query("SELECT * FROM messages") == []  # messages go with their conversation
    long_title = title_from("word " * 40)
    assert len(long_title) <= 61 and long_title.endswith("…")


def test_guest_rows_are_purged_when_the_session_ends(db, tmp_path):
    store = ConversationStore(db)
    sessions = SessionStore(tmp_path / "sessions")
    store.attach_to_sessions(sessions)
    guest = sessions.get("abc123")
    member = sessions.get("def456")
    member.user_id = 9
    assert owner_of(guest) == guest_owner("abc123") and owner_of(member) == "user:9"
    store.add_message(owner_of(guest), store.create(owner_of(guest)).id, "user", "guest question")
    store.add_message(owner_of(member), store.create(owner_of(member)).id, "user", "member question")
    sessions.drop("abc123")
    sessions.drop("def456")
    assert store.list(guest_owner("abc123")) == []
    assert len(store.list("user:9")) == 1
    assert [r["content"] for r in db.query("SELECT content FROM messages")] == ["member question"]


def test_transfer_and_startup_purge(db):
    store = ConversationStore(db)
    store.create(guest_owner("s1"))
    store.create(guest_owner("s2"))
    assert store.transfer(guest_owner("s1"), "user:3") == 1
    assert store.purge_guests() == 1
    assert [c.owner for c in store.list("user:3")] == ["user:3"]


def test_contact_messages_are_validated_stored_and_listed_by_the_cli(tmp_path):
    db = Database(tmp_path / "healify.sqlite3")
    contact = ContactStore(db)
    for bad in [("", "a@b.org", "hi"), ("Ann", "not-an-email", "hi"), ("Ann", "a@b.org", "  ")]:
        with pytest.raises(ValueError):
            contact.submit(*bad)
    contact.submit("Ann Lee", "ann@example.org", "The PDF upload failed.\nThanks!", subject="Bug")
    assert [m.name for m in contact.list()] == ["Ann Lee"]
    env = {"HEALIFY_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "app.py", "contact", "--json"], capture_output=True, text=True,
                            env=env, cwd=str(__import__("settings").ROOT), timeout=120)
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert listed[0]["email"] == "ann@example.org" and listed[0]["subject"] == "Bug"
    assert "failed" in listed[0]["message"]
    text = subprocess.run([sys.executable, "app.py", "contact"], capture_output=True, text=True,
                          env=env, cwd=str(__import__("settings").ROOT), timeout=120)
    assert "Ann Lee <ann@example.org>  [Bug]" in text.stdout


def test_the_database_file_is_real_sqlite(db):
    ConversationStore(db).create("user:1")
    with sqlite3.connect(db.path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM conversations").fetchone()[0] == 1
