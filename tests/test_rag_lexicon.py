"""The lay -> clinical lexicon: lay phrases become concepts whose record words cover a passage."""
from rag.index import tokenize
from rag.lexicon import expansion, load_lexicon, question_concepts


def test_a_lay_phrase_is_one_concept_covered_by_the_record_word():
    concepts = question_concepts("What water pill do I take and how much?")
    water_pill = concepts[0]
    assert water_pill.words == ("water", "pill")
    assert water_pill.covered_by(set(tokenize("torsemide 20 MG Oral Tablet")))
    assert not water_pill.covered_by(set(tokenize("Drink more water.")))
    assert "furosemide" in expansion(concepts)


def test_phrases_match_in_any_order_and_keep_the_question_order():
    concepts = question_concepts("What did the ultrasound of my heart show about the pumping?")
    assert set(concepts[0].words) == {"ultrasound", "heart"}
    assert concepts[0].covered_by(set(tokenize("Echocardiogram: ejection fraction 55%.")))


def test_synonym_groups_are_symmetric_and_related_tests_are_not_synonyms():
    lexicon = load_lexicon()
    assert ("haemoglobin",) in lexicon.synonyms["hgb"] and ("hgb",) in lexicon.synonyms["hemoglobin"]
    [egfr] = question_concepts("eGFR?")
    assert not egfr.covered_by(set(tokenize("Creatinine 1.3 mg/dL, kidney function stable")))
