"""Knowledge service on the committed artefact (data/knowledge) with the embedded MiniLM."""
import re

import numpy as np
import pytest

from knowledge import corpus, store
from knowledge.service import ABSTAIN_EN, ABSTAIN_FR, DATA_DIR, KnowledgeService, guard_generated
from safety.grounding import grounded_sentences


@pytest.fixture(scope="module")
def service():
    return KnowledgeService()


def _quoted(answer):
    """(sentence, cited passage) for each quoted sentence of an answer."""
    body = answer.text.split("\n\n", 1)[1]
    pairs = []
    for sentence in re.split(r"(?<=\])\s+", body):
        match = re.match(r"^(.*?)\s*\[(\d+)\]$", sentence.strip())
        assert match, f"uncited sentence: {sentence!r}"
        pairs.append((match.group(1), answer.sources[int(match.group(2)) - 1].passage))
    return pairs


def test_artefact_is_compact_and_complete():
    files = {f.name: f.stat().st_size for f in DATA_DIR.iterdir()}
    assert sum(files.values()) <= 15 * 2**20
    passages, vectors, meta = store.load(DATA_DIR)
    assert len(passages) == len(vectors) == meta["passages"]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    publishers = {p.publisher for p in passages}
    assert {"MedlinePlus, National Library of Medicine", "CDC", "Healify lab-test catalogue",
            "Healify SkinGuard condition card"} <= publishers
    cdc = next(p for p in passages if p.publisher == "CDC")
    assert "Source: CDC." in cdc.attribution and "does not imply endorsement" in cdc.attribution


def test_quantized_embeddings_keep_cosine():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    restored = store.dequantize(*store.quantize(vectors))
    assert np.min(np.sum(vectors * restored, axis=1)) > 0.999


def test_list_items_are_joined_to_their_lead_in():
    text = "Asthma affects your airways.    Symptoms include       - Wheezing    - Chest tightness       Not all do."
    assert corpus.sentences(text) == ["Asthma affects your airways.", "Symptoms include: wheezing; chest tightness.",
                                      "Not all do."]


def test_answer_quotes_and_cites_medlineplus(service):
    answer = service.answer("What does the A1C test measure?")
    assert not answer.abstained and answer.lang == "en"
    assert "3 months" in answer.text
    first = answer.sources[0]
    assert first.publisher.startswith("MedlinePlus") and first.url == "https://medlineplus.gov/a1c.html"
    for sentence, passage in _quoted(answer):
        assert sentence in passage  # quoted verbatim
        assert grounded_sentences(sentence, [passage])[1] == []


@pytest.mark.parametrize("question,fact", [("What is a sugar test?", "A1C"), ("What is a water pill?", "diuretic")])
def test_lay_words_reach_the_topic(service, question, fact):
    answer = service.answer(question)
    assert not answer.abstained and fact.lower() in answer.text.lower()


@pytest.mark.parametrize("question", ["What is zentravimab used for?", "Is zentravimab approved by the FDA for eczema?",
                                      "What is the capital of Australia?"])
def test_unknown_drug_or_off_topic_question_abstains(service, question):
    answer = service.answer(question)
    assert answer.abstained and answer.text == ABSTAIN_EN and answer.sources == []
    assert "zentravimab" not in answer.text.lower()


def test_follow_up_keeps_the_previous_topic(service):
    history = [{"role": "user", "content": "What is shingles?"}, {"role": "assistant", "content": "..."}]
    answer = service.answer("Is it contagious?", history)
    assert not answer.abstained and "shingles" in answer.text.lower()
    alone = service.answer("Is it contagious?")
    assert "shingles" not in alone.text.lower()


def test_french_question_reaches_english_source_and_says_so(service):
    answer = service.answer("Qu'est-ce que le zona ?")
    assert answer.lang == "fr" and not answer.abstained
    assert answer.text.startswith("Je cite une source en anglais")
    assert "varicella-zoster" in answer.text
    assert service.answer("Qu'est-ce que le zentravimab ?").text == ABSTAIN_FR


def test_passages_for_topics_and_queries(service):
    melanoma = service.passages_for(["condition:mel"])
    assert melanoma and "ABCDE" in melanoma[0].text and melanoma[0].publisher == "Healify SkinGuard condition card"
    potassium = service.passages_for(["analyte:potassium"])
    assert potassium and potassium[0].title.lower().startswith("potassium")
    found = service.passages_for("basal cell carcinoma", k=3)
    assert any("basal cell" in p.text.lower() for p in found)


def test_generated_text_is_guarded_against_the_cited_passages(service):
    question = "What causes shingles?"
    answer = service.answer(question)
    generated = ("Shingles are caused by bacteria (e.g., Varroa mites). Shingles is caused by the same virus that "
                 "causes chickenpox. " + "The elephant is feeling unwell. " * 20)
    assert guard_generated(generated, answer, question) == "Shingles is caused by the same virus that causes chickenpox."
    assert guard_generated(generated, service.answer("What is zentravimab?"), question) == ""
