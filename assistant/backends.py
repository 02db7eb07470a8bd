"""Chat backends for the Medical assistant; each `stream(messages, max_new_tokens=, stop=)` yields `Delta`s.

- `local`: the embedded LLM from the registry (`models.registry.get_assistant_llm()`).
- `hf`: `HEALIFY_ASSISTANT_MODEL` (a hub id or folder) through the same loader (the registry picks it).
- `openai`: any OpenAI-compatible endpoint (DeepSeek API, vLLM, TGI, llama.cpp server) through the
  `openai` client: `HEALIFY_OPENAI_BASE_URL`, `HEALIFY_ASSISTANT_MODEL`, `HEALIFY_OPENAI_API_KEY`
  (or `OPENAI_API_KEY`), with a timeout (`HEALIFY_OPENAI_TIMEOUT_S`).
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from settings import Settings

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"


class AssistantUnavailable(RuntimeError):
    """The backend cannot answer right now; the message is meant for the user."""


@dataclass(frozen=True)
class Delta:
    text: str = ""        # answer text (may still contain <think> tags)
    thinking: str = ""    # reasoning an endpoint sends separately (`reasoning_content`)


class Backend(Protocol):
    name: str

    def stream(self, messages: list[dict], *, max_new_tokens: int,
               stop: threading.Event) -> Iterator[Delta]: ...


class LocalBackend:
    """The registry's assistant LLM: the embedded model (`local`) or `assistant_model` (`hf`)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.name = settings.assistant_backend

    def stream(self, messages, *, max_new_tokens, stop):
        from models.registry import ModelUnavailable, get_assistant_llm

        try:
            llm = get_assistant_llm(self.settings)
        except ModelUnavailable as error:
            raise AssistantUnavailable(str(error)) from error
        if _template_opens_think(llm, messages):
            yield Delta(text=THINK_OPEN)
        from models.llm import PromptTooLong
        from safety.repetition import RepetitionStoppingCriteria

        try:
            for text in llm.stream_chat(messages, max_new_tokens=max_new_tokens, temperature=0.0, stop=stop,
                                        stopping=(RepetitionStoppingCriteria,)):
                yield Delta(text=text)
        except PromptTooLong as error:
            raise AssistantUnavailable(str(error)) from error


def _template_opens_think(llm, messages) -> bool:
    """Reasoning models (DeepSeek-R1 distills) whose chat template already writes `<think>` in the prompt."""
    tokenizer = getattr(llm, "tokenizer", None)
    try:
        prompt = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    except Exception:  # no tokenizer or no template: nothing was opened
        return False
    return isinstance(prompt, str) and prompt.rstrip().endswith(THINK_OPEN)


class OpenAIBackend:
    """Any OpenAI-compatible `/v1/chat/completions` endpoint, streamed."""

    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str = "", timeout_s: float = 30.0):
        if not base_url:
            raise AssistantUnavailable("The `openai` assistant backend needs HEALIFY_OPENAI_BASE_URL.")
        self.base_url, self.model, self.timeout_s = base_url, model, timeout_s
        self._api_key = api_key or os.environ.get("OPENAI_API_KEY", "") or "not-needed"
        self._client = None

    def _get_client(self):
        if self._client is None:
            from openai import OpenAI

            self._client = OpenAI(base_url=self.base_url, api_key=self._api_key, timeout=self.timeout_s,
                                  max_retries=0)
        return self._client

    def stream(self, messages, *, max_new_tokens, stop):
        import httpx
        import openai

        where = f"the assistant endpoint ({self.base_url})"
        try:
            response = self._get_client().chat.completions.create(
                model=self.model or "default", messages=messages, stream=True,
                max_tokens=max_new_tokens, temperature=0.0)
            with response:
                for chunk in response:
                    if stop.is_set():
                        return
                    if not chunk.choices:
                        continue
                    delta = chunk.choices[0].delta
                    extra = delta.model_extra or {}
                    reasoning = extra.get("reasoning_content") or extra.get("reasoning") or ""
                    if delta.content or reasoning:
                        yield Delta(text=delta.content or "", thinking=reasoning)
        except (openai.APITimeoutError, httpx.TimeoutException) as error:
            raise AssistantUnavailable(f"{where} did not answer within {self.timeout_s:g} s. "
                                       "Please try again in a moment.") from error
        except (openai.APIConnectionError, httpx.TransportError) as error:
            raise AssistantUnavailable(f"Cannot reach {where}. It may be down; please try again later.") from error
        except openai.AuthenticationError as error:
            raise AssistantUnavailable(f"{where} refused the API key (HEALIFY_OPENAI_API_KEY).") from error
        except openai.NotFoundError as error:
            raise AssistantUnavailable(f"{where} does not serve the model {self.model!r} "
                                       "(HEALIFY_ASSISTANT_MODEL).") from error
        except openai.APIStatusError as error:
            raise AssistantUnavailable(f"{where} returned an error (HTTP {error.status_code}). "
                                       "Please try again later.") from error


def backend_from_settings(settings: Settings) -> Backend:
    if settings.assistant_backend in ("local", "hf"):
        return LocalBackend(settings)
    if settings.assistant_backend == "openai":
        return OpenAIBackend(settings.openai_base_url, settings.assistant_model, settings.openai_api_key,
                             settings.openai_timeout_s)
    raise AssistantUnavailable(f"Unknown assistant backend {settings.assistant_backend!r}: "
                               "use local, hf or openai (HEALIFY_ASSISTANT_BACKEND).")
