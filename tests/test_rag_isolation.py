"""Two real browser sessions (gradio_client) against `python app.py`: records never cross sessions,
and a session's files are deleted once it disconnects and its time-to-live expires."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.conftest import AppServer

RECORDS = Path(__file__).parent / "data" / "rag" / "records"


def upload(client, path: Path):
    from gradio_client import handle_file
    return client.predict([handle_file(str(path))], api_name="/healychat_upload")


def ask(client, question: str) -> str:
    history, _ = client.predict(question, [], api_name="/healychat_ask")
    content = history[-1]["content"]  # Gradio 6 returns message content as a list of parts
    return content if isinstance(content, str) else " ".join(part["text"] for part in content)


@pytest.mark.slow
def test_sessions_are_isolated_and_files_expire(tmp_path):
    server = AppServer(tmp_path / "data", {"HEALIFY_SESSION_TTL_S": "10"}).start(timeout_s=90)
    try:
        a, b = server.client(), server.client()
        status, _, _, _ = upload(a, RECORDS / "vaccination_record.txt")
        assert "Added vaccination_record.txt" in status
        kept = list((server.data_dir / "sessions").glob("*/rag/*_vaccination_record.txt"))
        assert len(kept) == 1 and a.session_hash not in str(kept[0])  # folders are server-made names
        a_dir = kept[0].parents[1]

        upload(b, RECORDS / "prescription.txt")
        rows_b = b.predict(api_name="/healychat_documents")[0]
        assert [row[0] for row in rows_b["data"]] == ["prescription.txt"]
        reply = ask(b, "When did I get the shingles vaccine Shingrix?")
        assert "vaccination_record" not in reply and "Shingrix" not in reply
        assert "cannot find" in reply and "prescription.txt" in reply  # B's own record is the closest

        a.close()
        deadline = time.monotonic() + 120  # TTL 10 s, swept every half-TTL
        while a_dir.exists() and time.monotonic() < deadline:
            time.sleep(1)
        assert not a_dir.exists(), "session A's files outlived its disconnect and TTL"
    finally:
        server.stop()
