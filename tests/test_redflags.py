"""Red-flag detector: English and French emergencies are caught, everyday questions are not."""
from __future__ import annotations

import pytest

from safety.redflags import detect_red_flags, red_flag_guidance

EMERGENCIES = [
    ("I have crushing chest pain going down my left arm", "chest_pain"),
    ("J’ai une douleur thoracique depuis une heure", "chest_pain"),
    ("My dad's face is drooping and he has slurred speech", "stroke"),
    ("Ma mère a la bouche de travers, c'est un AVC ?", "stroke"),
    ("The cut won't stop bleeding", "bleeding"),
    ("Je vomis du sang", "bleeding"),
    ("I want to kill myself", "self_harm"),
    ("J'ai envie d'en finir", "self_harm"),
    ("After the bee sting my throat is closing", "anaphylaxis"),
    ("Ma langue gonfle après avoir mangé des cacahuètes", "anaphylaxis"),
    ("I can't breathe properly", "breathing"),
    ("Je n’arrive pas à respirer", "breathing"),
    ("My friend passed out and is unresponsive", "unconscious"),
    ("Il a perdu connaissance", "unconscious"),
    ("My son is having a seizure", "seizure"),
    ("Mon fils fait des convulsions", "seizure"),
    ("I took too many pills", "poisoning"),
    ("This is the worst headache of my life", "headache"),
]


@pytest.mark.parametrize("text,category", EMERGENCIES)
def test_emergencies_are_detected(text, category):
    assert category in [flag.category for flag in detect_red_flags(text)]
    assert red_flag_guidance(text)


@pytest.mark.parametrize("text", ["What does a high HbA1c mean?", "Mon taux de fer est bas, que manger ?",
                                  "Is 5.2 mmol/L cholesterol normal?", "How do I read my thyroid results?"])
def test_ordinary_questions_are_not_flagged(text):
    assert detect_red_flags(text) == []
    assert red_flag_guidance(text) == ""


def test_guidance_follows_the_language_and_names_what_to_do():
    english = red_flag_guidance("I have chest pain and I can't breathe")
    assert "emergency" in english and "112" in english and "911" in english
    assert "chest pain" in english and "difficulty breathing" in english
    assert "secours" in red_flag_guidance("Je n'arrive plus à respirer")
    french = red_flag_guidance("J'ai mal à la poitrine")
    assert "secours" in french and "15" in french
    crisis = red_flag_guidance("I keep thinking about suicide")
    assert "988" in crisis
    assert "3114" in red_flag_guidance("Je pense au suicide")
