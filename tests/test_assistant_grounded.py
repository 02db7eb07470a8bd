"""The assistant's hf/openai path: the model gets the knowledge base's numbered passages, and only its grounded
sentences reach the user (a real OpenAI-compatible server on 127.0.0.1 with a scripted model)."""
from __future__ import annotations

import threading

import pytest

from assistant.service import AssistantService
from knowledge.service import KnowledgeService
from settings import Settings
from tests.openai_server import OpenAICompatibleServer

ANSWER = ("Asthma is a chronic disease that affects your airways [1]. Symptoms include wheezing and coughing [1]. "
          "Asthma is caused by eating too many bananas [1]. Zentravimab cures asthma in one day.")


class ScriptedModel:
    """Writes a fixed answer, half of it true to the passages and half invented."""

    def stream_chat(self, messages, **kwargs):
        self.prompt = "\n".join(m["content"] for m in messages)
        yield from (word + " " for word in ANSWER.split(" "))


@pytest.fixture(scope="module")
def endpoint():
    model = ScriptedModel()
    server = OpenAICompatibleServer(llm=model, api_key="sk-test").start()
    yield server, model
    server.stop()


def test_a_capable_model_answers_from_the_passages_and_only_grounded_sentences_are_shown(endpoint, tmp_path):
    server, model = endpoint
    settings = Settings(data_dir=str(tmp_path), assistant_backend="openai", openai_base_url=server.base_url,
                        openai_api_key="sk-test", assistant_model="healify")
    service = AssistantService(settings, conversations=None, knowledge=KnowledgeService())
    *_, reply = service.respond([], "What are the symptoms of asthma?", stop=threading.Event())
    assert "[1]" in model.prompt and "cite them as [n]" in model.prompt  # the passages were sent, numbered
    assert "wheezing" in reply.answer and "bananas" not in reply.answer and "Zentravimab" not in reply.answer
    assert "removed" not in reply.text and "medlineplus.gov" in reply.sources
