"""SkinGuard's service (`engine.skin`): a photo gets a computed verdict and its condition card; text messages
get the named condition's card first, then sentences quoted from the knowledge base with their sources
(an emergency gets the emergency guidance alone). No model writes free text here. No Gradio here.

The tab streams `SkinTurn` snapshots: the chat messages to append, the probabilities for the label
component, and the state of the last photo (small and deep-copyable, so it can live in `gr.State`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.service import collapsible_sources
from safety.limits import too_long
from safety.redflags import red_flag_guidance
from settings import Settings
from skin import chat
from skin.chat import PhotoTurn, SkinConversations


@dataclass
class LastPhoto:
    """What a follow-up question needs to know about the last photo of a chat."""
    context: str = ""
    label: str | None = None
    probs: dict[str, float] = field(default_factory=dict)

    def to_state(self) -> dict:
        return {"context": self.context, "label": self.label, "probs": self.probs}

    @classmethod
    def from_state(cls, state: dict | None) -> LastPhoto:
        state = state or {}
        return cls(state.get("context") or "", state.get("label"), state.get("probs") or {})


@dataclass
class SkinTurn:
    """One snapshot of the reply being built: the whole chat so far, and what the side panels show."""
    history: list[dict]
    probs: dict[str, float] | None
    last: LastPhoto
    done: bool = False
    keep_input: bool = False  # the message was refused (too long): leave it in the box to shorten


class SkinService:
    def __init__(self, settings: Settings, conversations, knowledge: Callable[[], object]):
        self.settings = settings
        self.conversations = SkinConversations(conversations)
        self._knowledge = knowledge  # the Engine's knowledge service, created on first use

    def classify(self, image) -> PhotoTurn:
        """The computed reply to one photo (a path, bytes or PIL image)."""
        from models.skin import get_skin_classifier

        return chat.photo_turn(lambda picture: get_skin_classifier(self.settings).classify(picture), image)

    def reply(self, owner: str, chat_id: int, history: list[dict], text: str, photo: str | None,
              last: LastPhoto) -> Iterator[SkinTurn]:
        """Stream the chat after a message (a photo, a text, or both) and store every turn."""
        history = list(history or [])
        probs = None
        refusal = too_long(text or "", self.settings.max_message_chars)
        if refusal:  # before the photo, the red-flag check or any storage: the chat so far stays as it was
            yield SkinTurn(history + [{"role": "assistant", "content": refusal}], probs, last, done=True,
                           keep_input=True)
            return
        if photo:
            turn = self.classify(photo)
            history += [{"role": "user", "content": {"path": photo}}, {"role": "assistant", "content": turn.text}]
            self.conversations.add_photo(owner, chat_id, Path(photo).name, turn)
            probs = turn.probs or None
            if turn.prediction is not None:
                last = LastPhoto(turn.context, turn.label, turn.probs)
            yield SkinTurn(history, probs, last)
        if text:
            yield from self._answer(owner, chat_id, history, text, probs, last)
            return
        yield SkinTurn(history, probs, last, done=True)

    def _answer(self, owner, chat_id, history, text, probs, last) -> Iterator[SkinTurn]:
        """The named condition's card verbatim, then sentences quoted from the knowledge base with their sources."""
        past = chat.text_history(history)
        history += [{"role": "user", "content": text}, {"role": "assistant", "content": "…"}]
        self.conversations.add(owner, chat_id, "user", text)
        emergency = red_flag_guidance(text)
        if emergency:  # the emergency guidance is the whole reply
            history[-1] = {"role": "assistant", "content": emergency}
            self.conversations.add(owner, chat_id, "assistant", emergency)
            yield SkinTurn(history, probs, last, done=True)
            return
        cards = "\n\n".join(card.markdown() for card in chat.named_cards(text))
        found = self._knowledge().answer(chat.knowledge_question(text, last.label), past)
        quoted = "\n\n".join(part for part in (found.text, collapsible_sources(found.sources_markdown())) if part)
        answer = "\n\n---\n".join(part for part in (cards, quoted) if part)
        history[-1] = {"role": "assistant", "content": answer}
        self.conversations.add(owner, chat_id, "assistant", answer)
        yield SkinTurn(history, probs, last, done=True)
