"""The `openai` backend against a real OpenAI-compatible server on 127.0.0.1 (backed by the embedded LLM)."""
from __future__ import annotations

import threading
import time

import pytest

from assistant.backends import OpenAIBackend
from assistant.prompts import SYSTEM_PROMPT
from assistant.service import Assistant
from tests.conftest import free_port
from tests.openai_server import OpenAICompatibleServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server():
    server = OpenAICompatibleServer(stall_s=20, api_key="sk-test").start()
    yield server
    server.stop()


def _assistant(server, model="healify", timeout_s=60.0, key="sk-test", max_new_tokens=24):
    return Assistant(OpenAIBackend(server.base_url, model, key, timeout_s), max_new_tokens=max_new_tokens)


def test_replies_stream_in_pieces_with_the_medical_system_prompt(server):
    snapshots = list(_assistant(server, max_new_tokens=96).respond([], "What is anemia?"))
    final = snapshots[-1]
    assert final.done and not final.error and not final.stopped
    assert final.answer.strip() and final.thinking == ""
    # the answer grew sentence by sentence (the numeric guard releases whole sentences) before the end
    partial = [s.answer for s in snapshots[:-1] if s.answer]
    assert len(snapshots) > 20 and partial and partial[0] != final.answer
    request = server.requests[-1]
    assert request["stream"] is True and request["model"] == "healify"
    assert request["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert request["messages"][-1] == {"role": "user", "content": "What is anemia?"}


def test_think_content_is_kept_out_of_the_answer(server):
    snapshots = list(_assistant(server, "healify-think").respond([], "Why is iron important?"))
    final = snapshots[-1]
    assert not final.error
    assert final.thinking.strip() and final.answer.strip()
    assert "<think>" not in final.answer and "</think>" not in final.answer and "ink>" not in final.answer
    assert final.thinking.strip()[:20] not in final.answer
    assert final.meta["thinking"] == final.thinking.strip()
    # while the model was still reasoning, nothing of it was shown as the answer
    assert any(s.thinking and not s.answer for s in snapshots)


def test_reasoning_content_field_is_separated_too(server):
    final = list(_assistant(server, "healify-reasoning").respond([], "What does the thyroid do?"))[-1]
    assert not final.error and final.thinking.strip() and final.answer.strip()


def test_a_stalled_endpoint_times_out_with_a_clear_message_and_the_chat_stays_usable(server):
    started = time.perf_counter()
    final = list(_assistant(server, "healify-stall", timeout_s=1.5).respond([], "Hello?"))[-1]
    assert time.perf_counter() - started < 10
    assert final.done and "did not answer within 1.5 s" in final.error
    assert "did not answer" in final.text
    retry = list(_assistant(server).respond([{"role": "user", "content": "Hello?"},
                                             {"role": "assistant", "content": final.text}], "Hello?"))[-1]
    assert not retry.error and retry.answer.strip()


def test_down_endpoint_wrong_key_and_unknown_model_give_clear_messages(server):
    down = Assistant(OpenAIBackend(f"http://127.0.0.1:{free_port()}/v1", "healify", "k", 5)).respond([], "Hi")
    assert "Cannot reach" in list(down)[-1].error
    assert "refused the API key" in list(_assistant(server, key="wrong").respond([], "Hi"))[-1].error
    assert "does not serve the model" in list(_assistant(server, "nope").respond([], "Hi"))[-1].error


def test_stop_ends_a_silent_stream_at_once(server):
    stop = threading.Event()
    replies = _assistant(server, "healify-stall", timeout_s=30).respond([], "Hello?", stop=stop)
    threading.Timer(0.5, stop.set).start()
    started = time.perf_counter()
    final = list(replies)[-1]
    assert time.perf_counter() - started < 5
    assert final.stopped and not final.error and "(stopped)" in final.text


def test_red_flags_get_only_the_emergency_guidance(server):
    before = len(server.requests)
    replies = list(_assistant(server, "healify-stall", timeout_s=1).respond([], "I have crushing chest pain"))
    assert len(replies) == 1 and replies[0].done and replies[0].text.startswith("🚨")
    assert replies[0].answer == "" and not replies[0].error  # no model text, and the model was never asked
    assert len(server.requests) == before
    assert replies[0].meta["red_flags"] == ["chest_pain"]
