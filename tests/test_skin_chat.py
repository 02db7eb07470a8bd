"""SkinGuard chat logic: computed verdicts, urgent advice, "I can't tell", cards, and per-owner history."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from models.skin import CLASSES, ImageError, SkinPrediction
from skin.chat import (
    CANT_TELL,
    SEE_DERMATOLOGIST,
    SkinConversations,
    knowledge_question,
    load_cards,
    photo_turn,
    text_history,
)
from storage.conversations import ConversationStore
from storage.db import Database


def prediction(label, confidence, uncertain=False, reason=""):
    rest = (1 - confidence) / 4
    probs = {c: (confidence if c == label else rest) for c in CLASSES}
    return SkinPrediction(label=None if uncertain else label, confidence=confidence, probs=probs,
                          uncertain=uncertain, reason=reason, top_label=label)


def test_every_class_has_a_complete_card_and_urgent_ones_say_dermatologist():
    cards = load_cards()
    assert set(cards) == set(CLASSES)
    for key, card in cards.items():
        assert card.what_it_is and card.typical_signs and card.next_steps and card.urgency_text
        if key in ("mel", "bcc"):
            assert card.urgency == "soon" and "dermatologist soon" in card.urgency_text


@pytest.mark.parametrize("label", ["mel", "bcc"])
def test_melanoma_and_bcc_get_clear_dermatologist_advice(label):
    turn = photo_turn(lambda image: prediction(label, 0.81), "spot.jpg")
    assert SEE_DERMATOLOGIST in turn.text and "81%" in turn.text
    assert load_cards()[label].markdown() in turn.text  # the card is shown verbatim
    assert turn.probs["Melanoma" if label == "mel" else "Basal cell carcinoma"] == pytest.approx(0.81)
    assert "81%" in turn.context  # the assistant's numbers are checked against this context


def test_a_mole_gets_no_alarm():
    turn = photo_turn(lambda image: prediction("nv", 0.9), "spot.jpg")
    assert SEE_DERMATOLOGIST not in turn.text and "Melanocytic nevus" in turn.text and turn.label == "nv"


def test_uncertain_photo_gets_i_cant_tell_and_no_card():
    turn = photo_turn(lambda image: prediction("nv", 0.41, uncertain=True, reason="No class is likely enough."), "x.jpg")
    assert turn.text.startswith(CANT_TELL) and turn.label is None
    assert load_cards()["nv"].what_it_is not in turn.text
    assert len(turn.probs) == 5  # the probabilities are still shown


def test_unreadable_photo_gets_its_message():
    def broken(image):
        raise ImageError("This file is not an image Healify can read.")
    turn = photo_turn(broken, "x.pdf")
    assert "not an image" in turn.text and turn.probs == {} and turn.prediction is None


def test_follow_up_questions_name_the_last_photos_condition_only_when_they_name_none():
    assert knowledge_question("tell me more about melanoma", "nv") == "tell me more about melanoma"
    assert knowledge_question("is it dangerous?", "bcc") == "Basal cell carcinoma: is it dangerous?"
    assert knowledge_question("is it dangerous?", None) == "is it dangerous?"


def test_a_mole_with_a_real_melanoma_probability_says_so_and_what_to_watch_for():
    probs = {"bcc": 0.03, "df": 0.02, "mel": 0.30, "nv": 0.62, "vasc": 0.03}
    mole = SkinPrediction(label="nv", confidence=0.62, probs=probs, uncertain=False, reason="", top_label="nv")
    turn = photo_turn(lambda image: mole, "spot.jpg")
    assert "Melanocytic nevus" in turn.text and "Melanoma is not ruled out" in turn.text and "30%" in turn.text
    assert "ABCDE" in turn.text and "symmetry" in turn.text and SEE_DERMATOLOGIST in turn.text
    assert "is not ruled out" not in photo_turn(lambda image: prediction("nv", 0.9), "x.jpg").text  # 2.5%


def test_history_is_stored_per_owner_and_restores_the_last_photo(tmp_path):
    chats = SkinConversations(ConversationStore(Database(tmp_path / "h.sqlite3")))
    chat_id = chats.ensure("user:1", None)
    turn = photo_turn(lambda image: prediction("mel", 0.7), "spot.jpg")
    chats.add_photo("user:1", chat_id, "spot.jpg", turn)
    chats.add("user:1", chat_id, "user", "tell me more")
    history, last = chats.load("user:1", chat_id)
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert last["label"] == "mel" and "70%" in last["context"]
    assert chats.choices("user:1") == [("📷 Photo: spot.jpg", chat_id)]
    assert chats.choices("user:2") == []                   # another user sees nothing
    assert chats.ensure("user:2", chat_id) != chat_id      # and cannot write into it
    assert not chats.delete("user:2", chat_id)
    assert chats.delete("user:1", chat_id) and chats.choices("user:1") == []


def test_tab_builds_without_importing_tensorflow():
    code = ("import sys, gradio as gr\nfrom engine import Engine\nfrom tabs.skinguard import create_skinguard_tab\nfrom tabs.events import AppEvents\n"
            "with gr.Blocks() as demo:\n    create_skinguard_tab(Engine(), AppEvents.create(demo))\n"
            "print(json.dumps('tensorflow' in sys.modules))")
    out = subprocess.run([sys.executable, "-c", "import json\n" + code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "HEALIFY_DATA_DIR": str(__import__("tempfile").mkdtemp())})
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) is False


def test_gradio_history_becomes_plain_text_for_the_assistant():
    history = [{"role": "user", "content": [{"type": "file", "file": {"path": "/tmp/x.jpg"}}]},
               {"role": "assistant", "content": [{"type": "text", "text": "This looks most like Melanoma"}]},
               {"role": "user", "content": {"path": "/tmp/y.jpg"}},
               {"role": "user", "content": "and now?"}]
    plain = text_history(history)
    assert plain == [{"role": "user", "content": "📷 (photo)"},
                     {"role": "assistant", "content": "This looks most like Melanoma"},
                     {"role": "user", "content": "📷 (photo)"}, {"role": "user", "content": "and now?"}]
