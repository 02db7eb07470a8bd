"""SkinGuard conversation pieces, without Gradio: photo -> computed verdict + condition card, chat storage.

Everything a user reads about the prediction (label, confidence, probabilities, urgency) is built
here from the classifier's numbers and the condition cards in `data/conditions.json`; the assistant
only rephrases the card and answers follow-up questions, through the shared numeric guard.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from models.skin import CLASS_NAMES, CLASSES, URGENT, SkinPrediction

CARDS_PATH = Path(__file__).resolve().parents[1] / "data" / "conditions.json"
SEE_DERMATOLOGIST = ("🩺 **Please see a dermatologist soon** about this spot (within days to a few weeks). "
                     "SkinGuard cannot diagnose: only an examination, usually with a biopsy, can tell.")
CANT_TELL = "🤔 **I can't tell.**"
# A mole (or any other verdict) with at least this melanoma probability says so, with what to watch for: the
# probabilities are calibrated (val ECE 0.037), so a stated 10% is close to a real one-in-ten chance, which is
# worth a doctor's look; below it the verdict stands alone.
MELANOMA_MENTION = 0.10
WATCH_ABCDE = ("Watch for the ABCDE signs: **A**symmetry, irregular **B**order, several **C**olours, **D**iameter over "
               "6 mm, and **E**volving (any change in size, shape or colour, itching or bleeding).")
KEYWORDS = {"bcc": ("basal", "bcc", "carcinoma"), "df": ("dermatofibroma", "df"), "mel": ("melanoma", "mel"),
            "nv": ("nevus", "naevus", "mole", "nv"), "vasc": ("vascular", "angioma", "vasc")}


@dataclass(frozen=True)
class ConditionCard:
    key: str
    name: str
    what_it_is: str
    typical_signs: list[str]
    urgency: str
    urgency_text: str
    next_steps: list[str]

    def markdown(self) -> str:
        """The card as shown in the chat, verbatim."""
        signs = "\n".join(f"- {sign}" for sign in self.typical_signs)
        steps = "\n".join(f"- {step}" for step in self.next_steps)
        return (f"**{self.name}**: {self.what_it_is}\n\n**Typical signs**\n{signs}\n\n"
                f"**How urgent**: {self.urgency_text}\n\n**What to do next**\n{steps}")


@lru_cache(maxsize=4)
def load_cards(path: str = str(CARDS_PATH)) -> dict[str, ConditionCard]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {key: ConditionCard(key=key, **raw[key]) for key in CLASSES}


def probabilities_text(prediction: SkinPrediction) -> str:
    return ", ".join(f"{CLASS_NAMES[c]} {prediction.probs[c]:.0%}"
                     for c in sorted(prediction.probs, key=prediction.probs.get, reverse=True))


def verdict_markdown(prediction: SkinPrediction) -> str:
    """The computed answer to a photo: label and confidence or "I can't tell", and urgent advice."""
    if prediction.uncertain:
        text = (f"{CANT_TELL} {prediction.reason}\n\nThe most likely class would be "
                f"{CLASS_NAMES[prediction.top_label]} ({prediction.confidence:.0%}), which is not reliable enough to name. "
                "Try a sharp, well-lit close-up of the spot alone, or show it to a doctor.")
        if prediction.top_label in URGENT and prediction.probs[prediction.top_label] >= 0.3:
            text += "\n\n" + SEE_DERMATOLOGIST
        return text
    text = (f"This looks most like **{CLASS_NAMES[prediction.label]}** "
            f"(confidence {prediction.confidence:.0%}).")
    melanoma = prediction.probs.get("mel", 0.0)
    if prediction.label != "mel" and melanoma >= MELANOMA_MENTION:
        text += (f"\n\n⚠️ **Melanoma is not ruled out**: SkinGuard gives it {melanoma:.0%}. " + WATCH_ABCDE)
    if prediction.urgent or (prediction.label != "mel" and melanoma >= MELANOMA_MENTION):
        text += "\n\n" + SEE_DERMATOLOGIST
    return text


def prediction_context(prediction: SkinPrediction, card: ConditionCard | None) -> str:
    """What the assistant is told about the photo (also the source its numbers are checked against)."""
    verdict = ("SkinGuard could not tell: " + prediction.reason) if prediction.uncertain else \
        f"SkinGuard's result: {CLASS_NAMES[prediction.label]} (confidence {prediction.confidence:.0%})."
    lines = [verdict, "Probabilities: " + probabilities_text(prediction) + ".",
             "SkinGuard is an AI screening aid, not a diagnosis."]
    if card:
        lines.append("Condition card:\n" + card.markdown())
    return "\n".join(lines)


def named_cards(question: str) -> list[ConditionCard]:
    """Cards whose condition the question names (by keyword)."""
    cards = load_cards()
    words = set(re.findall(r"[a-z]+", question.lower()))
    return [cards[key] for key, keys in KEYWORDS.items() if words & set(keys)]


def knowledge_question(question: str, last_label: str | None) -> str:
    """The question as the knowledge base should read it: "is it dangerous?" after a melanoma verdict is about
    melanoma, so the last photo's condition is named when the question names none."""
    if named_cards(question) or last_label not in CLASS_NAMES:
        return question
    return f"{CLASS_NAMES[last_label]}: {question}"


def text_history(history: list[dict]) -> list[dict]:
    """Chat messages as plain `{"role", "content": str}`: Gradio's content lists are joined, photos noted."""
    plain = []
    for message in history or []:
        content = message.get("content")
        if isinstance(content, dict):
            content = [content]
        if isinstance(content, list):
            parts = [item.get("text", "") if isinstance(item, dict) and item.get("type", "text") == "text" else "📷 (photo)"
                     for item in content]
            parts = [p if p else "📷 (photo)" for p in parts]
            content = "\n".join(parts)
        if isinstance(content, str) and content.strip() and message.get("role") in ("user", "assistant"):
            plain.append({"role": message["role"], "content": content})
    return plain


@dataclass
class PhotoTurn:
    """The computed reply to one photo (no LLM involved)."""
    text: str                      # verdict + card (verbatim), or the error message
    probs: dict[str, float]        # for gr.Label; empty on error
    context: str = ""              # what the assistant is told
    label: str | None = None       # the named label, None when uncertain or on error
    prediction: SkinPrediction | None = None


def photo_turn(classify, image) -> PhotoTurn:
    """Classify a photo with `classify(image) -> SkinPrediction` and build the reply; bad files get their message."""
    from models.registry import ModelUnavailable
    from models.skin import ImageError

    try:
        prediction = classify(image)
    except ImageError as error:
        return PhotoTurn(text=f"⚠️ {error}", probs={})
    except ModelUnavailable as error:
        return PhotoTurn(text=f"⚠️ SkinGuard is unavailable right now: {error}", probs={})
    card = None if prediction.uncertain else load_cards()[prediction.label]
    text = verdict_markdown(prediction)
    if card:
        text += "\n\n---\n" + card.markdown()
    return PhotoTurn(text=text, probs={CLASS_NAMES[c]: p for c, p in prediction.probs.items()},
                     context=prediction_context(prediction, card), label=prediction.label, prediction=prediction)


class SkinConversations:
    """SkinGuard chats in the shared ConversationStore (kind="skin"), scoped by owner."""

    KIND = "skin"

    def __init__(self, store):
        self.store = store

    def ensure(self, owner: str, conversation_id: int | None) -> int:
        """The current conversation, created on the first message."""
        from storage.conversations import ConversationNotFound

        if conversation_id is not None:
            try:
                return self.store.get(owner, conversation_id).id
            except ConversationNotFound:
                pass
        return self.store.create(owner, kind=self.KIND).id

    def choices(self, owner: str) -> list[tuple[str, int]]:
        return [(c.title or "New chat", c.id) for c in self.store.list(owner, kind=self.KIND)]

    def add_photo(self, owner: str, conversation_id: int, file_name: str, turn: PhotoTurn) -> None:
        self.store.add_message(owner, conversation_id, "user", f"📷 Photo: {file_name}", {"photo": file_name})
        meta = {"context": turn.context, "label": turn.label, "probs": turn.probs}
        self.store.add_message(owner, conversation_id, "assistant", turn.text, meta)

    def add(self, owner: str, conversation_id: int, role: str, text: str, meta: dict | None = None) -> None:
        self.store.add_message(owner, conversation_id, role, text, meta)

    def load(self, owner: str, conversation_id: int) -> tuple[list[dict], dict]:
        """The chat history and the last photo's state ({"context", "label", "probs"})."""
        messages = self.store.messages(owner, conversation_id)
        last = {}
        for message in messages:
            if "context" in message.meta:
                last = {key: message.meta.get(key) for key in ("context", "label", "probs")}
        return [message.as_chat() for message in messages], last

    def delete(self, owner: str, conversation_id: int | None) -> bool:
        return conversation_id is not None and self.store.delete(owner, conversation_id)
