"""Assistant internals: <think> splitting across chunks, the numeric guard, and the local backend."""
from __future__ import annotations

import threading
import time

import pytest

from assistant.backends import AssistantUnavailable, Delta, LocalBackend, backend_from_settings
from assistant.service import Assistant, ThinkSplitter
from settings import Settings


def _split(chunks: list[str]) -> ThinkSplitter:
    splitter = ThinkSplitter()
    for chunk in chunks:
        splitter.feed(chunk)
    splitter.finish()
    return splitter


@pytest.mark.parametrize("chunks", [
    ["<think>weigh causes</think>Iron carries oxygen."],
    ["<thi", "nk>weigh ", "causes</th", "ink>Iron carries", " oxygen."],
    ["<", "t", "h", "i", "n", "k", ">weigh causes<", "/", "think>Iron carries oxygen."],
    ["weigh causes", "</think>", "Iron carries oxygen."],  # the chat template opened <think>
])
def test_reasoning_is_split_from_the_answer_wherever_the_tags_are_cut(chunks):
    splitter = _split(chunks)
    assert splitter.thinking.strip() == "weigh causes"
    assert splitter.answer.strip() == "Iron carries oxygen."


def test_text_that_only_looks_like_a_tag_stays_in_the_answer():
    assert _split(["a <b> and <th", "e end"]).answer == "a <b> and <the end"
    assert _split(["<think>never closed"]).thinking == "never closed"


class ScriptedBackend:
    """Replays fixed deltas: the test is about what the Assistant does with them, not about a model."""
    name = "scripted"

    def __init__(self, deltas):
        self.deltas = deltas
        self.messages = None

    def stream(self, messages, *, max_new_tokens, stop):
        self.messages = messages
        yield from self.deltas


def test_invented_numbers_are_removed_and_context_numbers_kept():
    backend = ScriptedBackend([Delta("<think>recall</think>"), Delta("Your score was 0.82. "),
                               Delta("Melanoma is rare in 37% of cases. "), Delta("See a dermatologist.")])
    final = list(Assistant(backend).respond([], "Tell me more about melanoma",
                                            context="SkinGuard result: melanoma, confidence 0.82"))[-1]
    assert "0.82" in final.answer and "37" not in final.answer and "removed" not in final.answer
    assert final.thinking == "recall" and "recall" not in final.answer
    assert "SkinGuard result: melanoma, confidence 0.82" in backend.messages[0]["content"]


def test_history_is_passed_and_a_crashing_backend_gives_a_message():
    class Broken(ScriptedBackend):
        def stream(self, messages, *, max_new_tokens, stop):
            raise RuntimeError("CUDA exploded")
            yield  # a generator

    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]
    final = list(Assistant(Broken([])).respond(history, "And now?"))[-1]
    assert final.done and "failed" in final.error
    scripted = ScriptedBackend([Delta("Fine.")])
    list(Assistant(scripted).respond(history, "And now?"))
    assert [m["role"] for m in scripted.messages] == ["system", "user", "assistant", "user"]


def test_backend_choice_follows_settings():
    assert isinstance(backend_from_settings(Settings(assistant_backend="local")), LocalBackend)
    assert isinstance(backend_from_settings(Settings(assistant_backend="hf", assistant_model="org/model")), LocalBackend)
    assert backend_from_settings(Settings(assistant_backend="openai", openai_base_url="http://x/v1")).name == "openai"
    with pytest.raises(AssistantUnavailable, match="HEALIFY_OPENAI_BASE_URL"):
        backend_from_settings(Settings(assistant_backend="openai"))
    with pytest.raises(AssistantUnavailable, match="Unknown assistant backend"):
        backend_from_settings(Settings(assistant_backend="magic"))


@pytest.mark.slow
def test_local_backend_streams_from_the_embedded_llm_and_stops():
    assistant = Assistant(LocalBackend(Settings(assistant_backend="local")), max_new_tokens=48)
    final = list(assistant.respond([], "What is blood pressure?"))[-1]
    assert final.done and not final.error and final.answer.strip()
    stop = threading.Event()
    replies = Assistant(LocalBackend(Settings()), max_new_tokens=200).respond([], "Explain cholesterol.", stop=stop)
    next(replies)
    stop.set()
    stopped = list(replies)[-1]
    assert stopped.stopped and "(stopped)" in stopped.text
    deadline = time.monotonic() + 10  # Stop also ends the generation thread, within a token or two
    while any(t.name == "healify-generate" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "generation kept running after Stop"
        time.sleep(0.05)
