"""Each feature's Engine service, called with no Gradio involved; and Healytics through the real app's API."""
from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from engine import Engine
from settings import Settings
from skin.service import LastPhoto

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SKIN_VAL = ROOT.parent / "shared" / "data" / "skin" / "val"


@pytest.fixture
def engine(tmp_path):
    return Engine(Settings(data_dir=str(tmp_path), warmup=False))


def test_reports_service_analyses_and_lays_out_a_report(engine):
    session = engine.sessions.get("reader")
    analysis = engine.reports.analyze(SAMPLES / "us_table_report.pdf")
    assert analysis.parsed.results and analysis.catalogue_text
    page = engine.reports.page(analysis, engine.reports.download_dir(session))
    assert len(page.rows) == len(analysis.parsed.results)
    assert "Green band" in page.chart and "us_table_report.pdf" in page.summary
    download = Path(page.download)
    assert download.is_file() and "Not a diagnosis" in download.read_text()
    engine.sessions.drop("reader")
    assert not download.exists(), "the session's download outlived it"


def test_reports_service_rejects_a_non_report_with_a_message(engine, tmp_path):
    from reports.extract import DocumentError

    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 this is not really a PDF")
    with pytest.raises(DocumentError):
        engine.reports.analyze(junk)


@pytest.mark.slow
def test_skin_service_classifies_stores_and_answers_a_follow_up(engine):
    photos = sorted((SKIN_VAL / "mel").glob("*.jpg"))[:1]
    if not photos:
        pytest.skip("the shared skin images are not on this machine")
    chats = engine.skin.conversations
    chat_id = chats.ensure("guest:x", None)
    turns = list(engine.skin.reply("guest:x", chat_id, [], "", str(photos[0]), LastPhoto()))
    last = turns[-1]
    assert last.done and last.probs and sum(last.probs.values()) == pytest.approx(1.0, abs=1e-3)
    assert last.last.context.startswith("SkinGuard")
    history, state = chats.load("guest:x", chat_id)
    assert len(history) == 2 and state["probs"] == last.probs
    follow = list(engine.skin.reply("guest:x", chat_id, last.history, "what is a dermatofibroma?", None, last.last))
    assert "Dermatofibroma" in follow[-1].history[-1]["content"]
    assert chats.choices("guest:other") == []


def test_skin_follow_up_that_is_too_long_is_refused_and_kept_in_the_box(engine):
    chat_id = engine.skin.conversations.ensure("guest:x", None)
    huge = "my mole itches " * 8_000  # 120k characters
    turns = list(engine.skin.reply("guest:x", chat_id, [], huge, None, LastPhoto()))
    assert len(turns) == 1 and turns[0].done and turns[0].keep_input
    assert "too long" in turns[0].history[-1]["content"]
    assert engine.skin.conversations.load("guest:x", chat_id)[0] == []  # nothing of it was stored


@pytest.mark.slow
def test_assistant_service_stores_each_exchange_and_red_flags_first(engine):
    turns = list(engine.assistant.send("guest:a", None, "I have crushing chest pain right now", threading.Event()))
    final = turns[-1]
    assert final.reply is None and [m.role for m in final.messages] == ["user", "assistant"]
    assert "emergency" in final.messages[-1].content.lower()
    assert engine.assistant.store.list("guest:b") == []
    retried = list(engine.assistant.retry("guest:a", final.conversation_id, threading.Event()))
    assert [m.role for m in retried[-1].messages] == ["user", "assistant"]


def test_assistant_service_reports_a_misconfigured_backend(tmp_path):
    engine = Engine(Settings(data_dir=str(tmp_path), assistant_backend="magic"))
    turns = list(engine.assistant.send("guest:a", None, "hello", threading.Event()))
    assert "Unknown assistant backend" in turns[-1].messages[-1].content


@pytest.mark.slow
def test_healytics_analyze_through_the_app_api(app_server):
    from gradio_client import handle_file

    client = app_server.client()
    status, banner, table, *_ = client.predict(handle_file(str(SAMPLES / "us_table_report.pdf")),
                                               api_name="/healytics_analyze")
    truth = json.loads((SAMPLES / "us_table_report.json").read_text())["results"]
    assert "us_table_report.pdf" in status
    assert [(row[0], row[1]) for row in table["data"]] == [(r["test"], r["value_text"]) for r in truth]
