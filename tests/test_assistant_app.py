"""The assistant, accounts and contact through the real app's own API (gradio_client against `python app.py`)."""
from __future__ import annotations

import sqlite3
import time

import httpx
import pytest
from gradio_client import Client

pytestmark = pytest.mark.slow
APP_ENV = {"HEALIFY_MAX_NEW_TOKENS": "12", "HEALIFY_ASSISTANT_BACKEND": "local"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.conftest import AppServer

    server = AppServer(tmp_path_factory.mktemp("assistant-app"), APP_ENV).start()
    yield server
    server.stop()


def _user(server, name: str) -> Client:
    client = server.client()
    status, _ = client.predict(name, f"{name.lower()}@example.org", f"{name} secret pw", api_name="/register")
    assert f"Logged in as **{name}**" in status
    return client


def _send(client: Client, text: str) -> list[dict]:
    """Send a message; returns the chat as shown (messages with text content)."""
    _, chat, _, _ = client.predict(text, api_name="/assistant_send")
    return chat


def _text(message: dict) -> str:
    content = message["content"]
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def _rows(server, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(server.data_dir / "healify.sqlite3") as db:
        return db.execute(sql, params).fetchall()


def test_users_cannot_list_read_rename_or_delete_each_others_conversations(server):
    alice, bob = _user(server, "Alice"), _user(server, "Bob")
    chat = _send(alice, "What is ferritin?")
    assert [m["role"] for m in chat] == ["user", "assistant"] and _text(chat[1]).strip()
    (alices,) = alice.predict(api_name="/assistant_conversations")
    assert alices["title"] == "What is ferritin?"
    assert bob.predict(api_name="/assistant_conversations") == []
    with pytest.raises(Exception, match="not found"):
        bob.predict(alices["id"], api_name="/assistant_messages")
    with pytest.raises(Exception, match="not found"):
        bob.predict(alices["id"], "Mine now", api_name="/assistant_rename")
    assert bob.predict(alices["id"], api_name="/assistant_delete") is False
    with pytest.raises(Exception):  # noqa: B017 - any refusal will do: not among Bob's choices, and not his
        bob.predict(alices["id"], api_name="/assistant_open")
    alice_view = alice.predict(alices["id"], api_name="/assistant_open")[0]
    assert [m["role"] for m in alice_view] == ["user", "assistant"]
    messages = alice.predict(alices["id"], api_name="/assistant_messages")
    assert [m["role"] for m in messages] == ["user", "assistant"] and messages[0]["created_at"] > 0
    assert alice.predict(alices["id"], "Iron stores", api_name="/assistant_rename") == "Iron stores"
    assert alice.predict(alices["id"], api_name="/assistant_delete") is True
    assert alice.predict(api_name="/assistant_conversations") == []


def test_passwords_are_stored_hashed(server):
    _user(server, "Carol")
    (stored,) = _rows(server, "SELECT password_hash FROM users WHERE email = 'carol@example.org'")[0]
    assert stored.startswith("$argon2id$")
    for path in server.data_dir.glob("healify.sqlite3*"):  # the database and its WAL file
        assert b"Carol secret pw" not in path.read_bytes()
    wrong, _ = server.client().predict("carol@example.org", "not it", api_name="/login")
    assert "Wrong email or password" in wrong


@pytest.mark.parametrize("text,expected", [("I have crushing chest pain and my left arm is numb", "112"),
                                           ("Je n'arrive plus à respirer", "secours"),
                                           ("I want to end my life", "988")])
def test_red_flag_messages_always_get_emergency_guidance(server, text, expected):
    chat = _send(server.client(), text)
    reply = _text(chat[-1])
    assert reply.startswith("🚨") and expected in reply


def test_retry_replaces_the_last_reply(server):
    client = _user(server, "Dan")
    _send(client, "What is a normal pulse?")
    view, _, _ = client.predict(api_name="/assistant_retry")
    assert [m["role"] for m in view] == ["user", "assistant"]
    (chat,) = client.predict(api_name="/assistant_conversations")
    assert len(client.predict(chat["id"], api_name="/assistant_messages")) == 2


def test_guest_conversations_are_gone_when_the_session_ends(server):
    guest = server.client()
    _send(guest, "Is a guest chat kept?")
    owner = f"guest:{guest.session_hash}"
    assert _rows(server, "SELECT COUNT(*) FROM conversations WHERE owner = ?", (owner,))[0][0] == 1
    # The browser keeps a heartbeat stream open; closing it ends the session (demo.unload).
    with httpx.stream("GET", f"{server.url}gradio_api/heartbeat/{guest.session_hash}", timeout=10) as stream:
        next(stream.iter_lines())
    deadline = time.monotonic() + 30
    while _rows(server, "SELECT COUNT(*) FROM conversations WHERE owner = ?", (owner,))[0][0]:
        assert time.monotonic() < deadline, "guest conversation still stored after the session ended"
        time.sleep(0.3)
    assert _rows(server, "SELECT COUNT(*) FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id "
                         "WHERE c.id IS NULL")[0][0] == 0
    assert guest.predict(api_name="/assistant_conversations") == []


def test_contact_form_messages_are_stored(server):
    status, _ = server.client().predict("Eve", "eve@example.org", "Hello", "Great app", api_name="/contact_send")
    assert "Thank you" in status
    assert ("Eve", "Great app") in _rows(server, "SELECT name, message FROM contact_messages")
    bad, _ = server.client().predict("Eve", "nope", "", "x", api_name="/contact_send")
    assert "valid email" in bad


def test_history_survives_a_restart_and_guests_do_not(make_server, tmp_path):
    first = make_server(tmp_path / "data", **APP_ENV)
    client = _user(first, "Fay")
    _send(client, "What does TSH measure?")
    _send(first.client(), "guest question")  # a guest whose session never ended cleanly
    first.stop()
    second = make_server(tmp_path / "data", **APP_ENV)
    client = second.client()
    status, _ = client.predict("fay@example.org", "Fay secret pw", api_name="/login")
    assert "Logged in as **Fay**" in status
    (chat,) = client.predict(api_name="/assistant_conversations")
    assert chat["title"] == "What does TSH measure?"
    assert [m["role"] for m in client.predict(chat["id"], api_name="/assistant_messages")] == ["user", "assistant"]
    assert _rows(second, "SELECT COUNT(*) FROM conversations WHERE owner LIKE 'guest:%'")[0][0] == 0
