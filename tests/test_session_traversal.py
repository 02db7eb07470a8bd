"""A client-chosen session id that looks like a path never reaches the file system (real app, gradio_client)."""
from __future__ import annotations

from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.mark.slow
def test_a_path_as_session_id_neither_writes_nor_deletes_there(app_server, tmp_path):
    from gradio_client import handle_file

    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    client = app_server.client()
    client.session_hash = str(victim)  # gradio_client sends this id with every call
    sample = sorted(p for p in SAMPLE.iterdir() if p.suffix == ".txt")[0]
    client.predict(api_name="/healychat_documents")
    client.predict(handle_file(str(sample)), api_name="/healytics_analyze")
    client.predict(api_name="/healytics_explain")
    client.close()
    assert sorted(p.name for p in victim.iterdir()) == ["keep.txt"]
    assert (victim / "keep.txt").read_text() == "precious"
    sessions = app_server.data_dir / "sessions"
    assert all(folder.parent == sessions for folder in sessions.iterdir())
