"""The Medical assistant: switchable chat backends, streamed replies, reasoning kept apart, safety first.

Backends (setting `assistant_backend`):
- `local`: the embedded LLM from the registry (`models.registry.get_assistant_llm()`).
- `hf`: `HEALIFY_ASSISTANT_MODEL` (a hub id or folder) through the same loader (the registry picks it).
- `openai`: any OpenAI-compatible endpoint (DeepSeek API, vLLM, TGI, llama.cpp server) through the
  `openai` client: `HEALIFY_OPENAI_BASE_URL`, `HEALIFY_ASSISTANT_MODEL`, `HEALIFY_OPENAI_API_KEY`
  (or `OPENAI_API_KEY`), with a timeout (`HEALIFY_OPENAI_TIMEOUT_S`).

Each backend's `stream(messages, max_new_tokens=, stop=)` yields `Delta`s. `Assistant.respond(...)`
turns them into `Reply` snapshots:
- red-flag emergency guidance comes first, whatever the model says;
- text inside `<think>…</think>` (or an endpoint's `reasoning_content`) goes to `Reply.thinking`,
  never into the answer;
- the answer passes the numeric faithfulness guard against the conversation;
- an unreachable or slow endpoint ends the reply with a clear message (`Reply.error`), and the
  chat stays usable; setting the `stop` event ends the reply early (`Reply.stopped`).

SkinGuard reuses it: `Assistant.from_settings().respond(history, question, context="SkinGuard result: …")`.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
from dataclasses import dataclass, field, replace
from typing import Iterator, Protocol

from safety.guard import StreamGuard
from safety.redflags import EMERGENCY_HEADER, RedFlag, detect_red_flags, emergency_guidance, guess_language
from settings import Settings, get_settings

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are Healify's medical information assistant. Explain health topics in plain, calm language "
    "for patients. Be short and factual. You cannot examine anyone and you do not diagnose: say what a "
    "symptom or result can mean in general and when to see a doctor. Never invent test values, doses "
    "or statistics. If something sounds urgent, tell the person to call emergency services. "
    "Answer in the language of the question."
)
HISTORY_MESSAGES = 8           # earlier turns sent to the model
MESSAGE_CHARS = 2000           # each earlier message is cut to this length
THINK_OPEN, THINK_CLOSE = "<think>", "</think>"
POLL_S = 0.1                   # how often a waiting reply checks the Stop event
STOPPED_NOTE = "_(stopped)_"
GUARD_NOTE = "(A sentence was removed because it named a number that is not in this conversation.)"


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
        for text in llm.stream_chat(messages, max_new_tokens=max_new_tokens, temperature=0.0, stop=stop):
            yield Delta(text=text)


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


def backend_from_settings(settings: Settings | None = None) -> Backend:
    settings = settings or get_settings()
    if settings.assistant_backend in ("local", "hf"):
        return LocalBackend(settings)
    if settings.assistant_backend == "openai":
        return OpenAIBackend(settings.openai_base_url, settings.assistant_model, settings.openai_api_key,
                             settings.openai_timeout_s)
    raise AssistantUnavailable(f"Unknown assistant backend {settings.assistant_backend!r}: "
                               "use local, hf or openai (HEALIFY_ASSISTANT_BACKEND).")


class ThinkSplitter:
    """Splits streamed text into reasoning (`<think>…</think>`) and answer, tags cut across chunks included.

    A `</think>` with no opening tag (the chat template opened it) turns everything before it into reasoning.
    """

    def __init__(self):
        self.thinking = ""
        self.answer = ""
        self._in_think = False
        self._pending = ""

    @property
    def in_think(self) -> bool:
        return self._in_think

    def feed(self, text: str) -> None:
        buffer, self._pending = self._pending + text, ""
        while buffer:
            if self._in_think:
                end = buffer.find(THINK_CLOSE)
                if end < 0:
                    keep = _partial_tag_suffix(buffer, (THINK_CLOSE,))
                    self.thinking += buffer[:len(buffer) - keep]
                    self._pending = buffer[len(buffer) - keep:]
                    return
                self.thinking += buffer[:end]
                buffer, self._in_think = buffer[end + len(THINK_CLOSE):], False
                continue
            start, stray_end = buffer.find(THINK_OPEN), buffer.find(THINK_CLOSE)
            if stray_end >= 0 and (start < 0 or stray_end < start):
                self.thinking += self.answer + buffer[:stray_end]
                self.answer, buffer = "", buffer[stray_end + len(THINK_CLOSE):]
                continue
            if start >= 0:
                self.answer += buffer[:start]
                buffer, self._in_think = buffer[start + len(THINK_OPEN):], True
                continue
            keep = _partial_tag_suffix(buffer, (THINK_OPEN, THINK_CLOSE))
            self.answer += buffer[:len(buffer) - keep]
            self._pending = buffer[len(buffer) - keep:]
            return

    def finish(self) -> None:
        if self._in_think:
            self.thinking += self._pending
        else:
            self.answer += self._pending
        self._pending = ""


def _partial_tag_suffix(text: str, tags: tuple[str, ...]) -> int:
    """Length of the longest end of `text` that could be the start of one of `tags`."""
    best = 0
    for tag in tags:
        for size in range(min(len(tag) - 1, len(text)), 0, -1):
            if tag.startswith(text[-size:]):
                best = max(best, size)
                break
    return best


@dataclass
class Reply:
    """A snapshot of the reply being streamed; the last one has `done=True`."""
    emergency: str = ""                 # red-flag guidance, always shown first
    answer: str = ""                    # the model's answer, guarded, without reasoning
    thinking: str = ""                  # the model's reasoning, shown collapsed
    error: str = ""                     # why the backend could not answer
    stopped: bool = False
    done: bool = False
    red_flags: list[RedFlag] = field(default_factory=list)
    removed_sentences: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """What the chat shows (and stores) as the assistant's message."""
        parts = [self.emergency, self.answer.strip()]
        if self.error:
            parts.append(f"⚠️ {self.error}")
        if self.stopped:
            parts.append(STOPPED_NOTE)
        return "\n\n".join(part for part in parts if part)

    @property
    def meta(self) -> dict:
        """What to keep next to the stored message."""
        meta = {}
        if self.thinking.strip():
            meta["thinking"] = self.thinking.strip()
        if self.red_flags:
            meta["red_flags"] = [flag.category for flag in self.red_flags]
        if self.error:
            meta["error"] = self.error
        if self.stopped:
            meta["stopped"] = True
        return meta


class Assistant:
    def __init__(self, backend: Backend, max_new_tokens: int = 256, system_prompt: str = SYSTEM_PROMPT):
        self.backend = backend
        self.max_new_tokens = max_new_tokens
        self.system_prompt = system_prompt

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "Assistant":
        settings = settings or get_settings()
        return cls(backend_from_settings(settings), settings.max_new_tokens)

    def build_messages(self, history: list[dict], user_text: str, context: str = "",
                       flags: list[RedFlag] | None = None) -> list[dict]:
        """System prompt (+ context, + an emergency note), the recent history, then the question."""
        system = self.system_prompt
        if context:
            system += "\n\nContext for this conversation:\n" + context.strip()
        if flags:
            system += ("\n\nThe person may be describing an emergency (" + ", ".join(f.label for f in flags)
                       + "). Tell them to contact emergency services now.")
        turns = [{"role": m["role"], "content": str(m["content"])[:MESSAGE_CHARS]}
                 for m in history if m.get("role") in ("user", "assistant") and m.get("content")]
        return [{"role": "system", "content": system}, *turns[-HISTORY_MESSAGES:],
                {"role": "user", "content": user_text}]

    def respond(self, history: list[dict], user_text: str, *, stop: threading.Event | None = None,
                context: str = "") -> Iterator[Reply]:
        """Stream `Reply` snapshots (copies) for `user_text` after `history` (`{"role","content"}` dicts).

        `context` (e.g. a SkinGuard result) is added to the system prompt and counts as a source for the
        numeric guard. Never raises for backend trouble: the last snapshot carries `error` instead.
        """
        stop = stop or threading.Event()
        flags = detect_red_flags(user_text)
        reply = Reply(red_flags=flags,
                      emergency=emergency_guidance(flags, guess_language(user_text, flags[0].lang)) if flags else "")
        if flags:
            yield replace(reply)  # the guidance shows before the model has produced anything
        source = [user_text, context, *EMERGENCY_HEADER.values(), reply.emergency,
                  *(str(m.get("content", "")) for m in history)]
        splitter = ThinkSplitter()
        guard = StreamGuard(source, fallback=lambda sentence: GUARD_NOTE)
        guarded_upto = ""
        messages = self.build_messages(history, user_text, context, flags)
        backend_stop = threading.Event()
        try:
            for delta in _in_background(lambda: self.backend.stream(messages, max_new_tokens=self.max_new_tokens,
                                                                    stop=backend_stop), backend_stop, stop):
                splitter.thinking += delta.thinking
                splitter.feed(delta.text)
                if not splitter.answer.startswith(guarded_upto):  # a late </think> took the answer back
                    guard, guarded_upto = StreamGuard(source, fallback=lambda sentence: GUARD_NOTE), ""
                guard.feed(splitter.answer[len(guarded_upto):])
                guarded_upto = splitter.answer
                reply.thinking, reply.answer = splitter.thinking, guard.text
                yield replace(reply)
        except AssistantUnavailable as error:
            reply.error = str(error)
        except Exception as error:  # a crashing backend must not take the chat down with it
            log.exception("assistant backend failed")
            reply.error = f"The assistant failed ({type(error).__name__}). Please retry."
        reply.stopped = stop.is_set()
        splitter.finish()
        if not splitter.answer.startswith(guarded_upto):
            guard, guarded_upto = StreamGuard(source, fallback=lambda sentence: GUARD_NOTE), ""
        guard.feed(splitter.answer[len(guarded_upto):])
        result = guard.finish()
        reply.thinking, reply.answer, reply.removed_sentences = splitter.thinking, result.text, result.replaced
        if not reply.answer.strip() and not reply.error and not reply.stopped:
            reply.error = ("The model wrote only its reasoning and no answer. Please retry."
                           if reply.thinking.strip() else "The model returned an empty answer. Please retry.")
        reply.done = True
        yield reply


_END = object()


def _in_background(make_stream, backend_stop: threading.Event, user_stop: threading.Event) -> Iterator[Delta]:
    """Iterate a backend stream in a worker thread, so Stop works even while the backend is silent.

    Ends (and tells the backend to stop) as soon as `user_stop` is set; backend errors are re-raised here.
    """
    items: queue.Queue = queue.Queue()

    def run():
        try:
            for delta in make_stream():
                items.put(delta)
                if backend_stop.is_set():
                    break
        except Exception as error:  # handed to the consumer
            items.put(error)
        finally:
            items.put(_END)

    threading.Thread(target=run, name="healify-assistant", daemon=True).start()
    try:
        while not user_stop.is_set():
            try:
                item = items.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        backend_stop.set()
