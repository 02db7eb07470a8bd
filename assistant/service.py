"""The Medical assistant: switchable chat backends, streamed replies, reasoning kept apart, safety first.

Backends are in `assistant.backends`. Each backend's `stream(messages, max_new_tokens=, stop=)` yields `Delta`s. `Assistant.respond(...)`
turns them into `Reply` snapshots:
- a message that describes an emergency gets the emergency guidance as the whole reply (no model text);
- text inside `<think>…</think>` (or an endpoint's `reasoning_content`) goes to `Reply.thinking`,
  never into the answer;
- the answer passes the numeric faithfulness guard against the conversation;
- an unreachable or slow endpoint ends the reply with a clear message (`Reply.error`), and the
  chat stays usable; setting the `stop` event ends the reply early (`Reply.stopped`).

The Engine holds one `Assistant` (`engine.assistant`); SkinGuard reuses it with a `context`.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from assistant.backends import THINK_CLOSE, THINK_OPEN, AssistantUnavailable, Backend, backend_from_settings
from assistant.prompts import SYSTEM_PROMPT
from assistant.streaming import in_background
from knowledge.service import collapsible_sources
from safety.guard import StreamGuard
from safety.limits import too_long
from safety.redflags import RedFlag, detect_red_flags, emergency_guidance, guess_language
from safety.repetition import strip_repetition
from settings import Settings

log = logging.getLogger(__name__)

HISTORY_MESSAGES = 8           # earlier turns sent to the model
MESSAGE_CHARS = 2000           # each earlier message is cut to this length
STOPPED_NOTE = "_(stopped)_"


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
    sources: str = ""                   # Markdown list of the cited sources, with links

    @property
    def text(self) -> str:
        """What the chat shows (and stores) as the assistant's message: sources in a collapsible block."""
        parts = [self.emergency, self.answer.strip()]
        parts.append(collapsible_sources(self.sources))
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


def emergency_reply(user_text: str) -> Reply | None:
    """The finished reply for a message that describes an emergency: the guidance alone; None otherwise."""
    flags = detect_red_flags(user_text)
    if not flags:
        return None
    return Reply(red_flags=flags, emergency=emergency_guidance(flags, guess_language(user_text, flags[0].lang)),
                 done=True)


class Assistant:
    def __init__(self, backend: Backend, max_new_tokens: int = 256, system_prompt: str = SYSTEM_PROMPT):
        self.backend = backend
        self.max_new_tokens = max_new_tokens
        self.system_prompt = system_prompt

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        return cls(backend_from_settings(settings), settings.max_new_tokens)

    def build_messages(self, history: list[dict], user_text: str, context: str = "") -> list[dict]:
        """System prompt (+ context), the recent history, then the question."""
        system = self.system_prompt
        if context:
            system += "\n\nContext for this conversation:\n" + context.strip()
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
        emergency = emergency_reply(user_text)
        if emergency:  # the emergency guidance is the whole reply, in the message's language: no model text after it
            yield emergency
            return
        reply = Reply()
        source = [user_text, context, *(str(m.get("content", "")) for m in history)]
        splitter = ThinkSplitter()
        guard = StreamGuard(source)
        guarded_upto = ""
        messages = self.build_messages(history, user_text, context)
        backend_stop = threading.Event()
        try:
            for delta in in_background(lambda: self.backend.stream(messages, max_new_tokens=self.max_new_tokens,
                                                                    stop=backend_stop), backend_stop, stop):
                splitter.thinking += delta.thinking
                splitter.feed(delta.text)
                if not splitter.answer.startswith(guarded_upto):  # a late </think> took the answer back
                    guard, guarded_upto = StreamGuard(source), ""
                guard.feed(splitter.answer[len(guarded_upto):])
                guarded_upto = splitter.answer
                reply.thinking, reply.answer = splitter.thinking, strip_repetition(guard.text)
                yield replace(reply)
        except AssistantUnavailable as error:
            reply.error = str(error)
        except Exception as error:  # a crashing backend must not take the chat down with it
            log.exception("assistant backend failed")
            reply.error = f"The assistant failed ({type(error).__name__}). Please retry."
        reply.stopped = stop.is_set()
        splitter.finish()
        if not splitter.answer.startswith(guarded_upto):
            guard, guarded_upto = StreamGuard(source), ""
        guard.feed(splitter.answer[len(guarded_upto):])
        result = guard.finish()
        reply.thinking, reply.answer, reply.removed_sentences = splitter.thinking, strip_repetition(result.text), result.replaced
        if not reply.answer.strip() and not reply.error and not reply.stopped:
            reply.error = ("The model wrote only its reasoning and no answer. Please retry."
                           if reply.thinking.strip() else "The model returned an empty answer. Please retry.")
        reply.done = True
        yield reply


@dataclass
class ChatTurn:
    """A snapshot of one exchange in a stored conversation: the stored messages and the reply being streamed."""
    conversation_id: int
    messages: list          # storage.conversations.Message, stored so far
    reply: Reply | None     # None once the reply is stored (then it is the last of `messages`)


class AssistantService:
    """The Medical assistant (`engine.assistant`): one backend, replies stored in the caller's conversations."""

    KIND = "assistant"

    def __init__(self, settings: Settings, conversations, knowledge):
        self.settings = settings
        self.store = conversations
        self.knowledge = knowledge  # knowledge.service.KnowledgeService: the trusted sources answers come from
        self._assistant: Assistant | None = None

    @property
    def assistant(self) -> Assistant:
        """Built once; raises AssistantUnavailable for a misconfigured backend (then every reply says why)."""
        if self._assistant is None:
            self._assistant = Assistant.from_settings(self.settings)
        return self._assistant

    def respond(self, history: list[dict], user_text: str, *, stop: threading.Event | None = None) -> Iterator[Reply]:
        """A grounded reply to `user_text` after `history`.

        An emergency gets the guidance alone. Otherwise the answer comes from the knowledge base: with the
        local backend, its quoted sentences and their sources (the 135M model is not trusted to state medical
        facts); with an hf/openai backend, the model's answer from the same numbered passages, kept only where
        each sentence passes the grounding guard. No reliable passage: an honest "I don't have reliable
        information" instead of a guess.
        """
        emergency = emergency_reply(user_text)
        if emergency:
            yield emergency
            return
        try:
            assistant = None if self.settings.assistant_backend == "local" else self.assistant
        except AssistantUnavailable as error:  # a misconfigured backend: say so on every reply
            yield Reply(error=str(error), done=True)
            return
        found = self.knowledge.answer(user_text, history)
        if assistant is None or found.abstained:
            yield Reply(answer=found.text, sources=found.sources_markdown(), done=True)
            return
        yield from self._model_answer(assistant, history, user_text, found, stop)

    @staticmethod
    def _model_answer(assistant, history, user_text, found, stop) -> Iterator[Reply]:
        """A capable model answers from the numbered passages; only grounded sentences are shown."""
        from knowledge.service import guard_generated

        passages = "\n".join(f"[{s.number}] {s.title} ({s.publisher}): {s.passage}" for s in found.sources)
        context = ("Answer only from these numbered passages and cite them as [n]. If they do not answer the "
                   f"question, say you do not have reliable information.\n{passages}")
        reply = Reply()
        for reply in assistant.respond(history, user_text, stop=stop, context=context):
            yield replace(reply, answer=guard_generated(reply.answer, found, user_text), sources=found.sources_markdown())
        grounded = guard_generated(reply.answer, found, user_text)
        yield replace(reply, answer=grounded or found.text, sources=found.sources_markdown(),
                      error="" if grounded or not reply.error else reply.error)

    def send(self, owner: str, conversation_id: int | None, text: str,
             stop: threading.Event) -> Iterator[ChatTurn]:
        """Store `text` in the conversation (created if needed) and stream the stored reply."""
        from storage.conversations import ConversationNotFound

        refusal = too_long(text, self.settings.max_message_chars)
        try:
            shown = self.store.messages(owner, conversation_id)
        except ConversationNotFound:
            shown, conversation_id = [], None
        if refusal:  # checked before anything is stored or generated; the chat so far stays shown
            yield ChatTurn(conversation_id, shown, Reply(error=refusal, done=True))
            return
        if conversation_id is None:
            conversation_id = self.store.create(owner, self.KIND).id
        history = [m.as_chat() for m in self.store.messages(owner, conversation_id)]
        self.store.add_message(owner, conversation_id, "user", text)
        yield from self._reply(owner, conversation_id, history, text, stop)

    def retry(self, owner: str, conversation_id: int, stop: threading.Event) -> Iterator[ChatTurn]:
        """Ask the last question again, replacing the replies after it; yields nothing when there is none."""
        messages = self.store.messages(owner, conversation_id)  # raises ConversationNotFound
        last_user = next((i for i in range(len(messages) - 1, -1, -1) if messages[i].role == "user"), None)
        if last_user is None:
            return
        self.store.delete_after(owner, conversation_id, messages[last_user].id)
        history = [m.as_chat() for m in messages[:last_user]]
        yield from self._reply(owner, conversation_id, history, messages[last_user].content, stop)

    def _reply(self, owner, conversation_id, history, text, stop) -> Iterator[ChatTurn]:
        shown = self.store.messages(owner, conversation_id)
        reply = None
        for reply in self.respond(history, text, stop=stop):
            yield ChatTurn(conversation_id, shown, reply)
        self.store.add_message(owner, conversation_id, "assistant", reply.text, reply.meta)
        yield ChatTurn(conversation_id, self.store.messages(owner, conversation_id), None)
