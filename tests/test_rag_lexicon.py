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
    [antibiotic, *_] = question_concepts("What antibiotic did they run through my drip?")
    assert antibiotic.covered_by(set(tokenize("Medication: AMPICILLIN-SULBAC INJ (Unasyn) | Dose: 1.5 GM")))


def test_phrases_match_in_any_order_and_keep_the_question_order():
    concepts = question_concepts("What did the ultrasound of my heart show about the pumping?")
    assert set(concepts[0].words) == {"ultrasound", "heart"}
    assert concepts[0].covered_by(set(tokenize("Echocardiogram: ejection fraction 55%.")))


def test_synonym_groups_are_symmetric_and_related_tests_are_not_synonyms():
    lexicon = load_lexicon()
    assert ("haemoglobin",) in lexicon.synonyms["hgb"] and ("hgb",) in lexicon.synonyms["hemoglobin"]
    [egfr] = question_concepts("eGFR?")
    assert not egfr.covered_by(set(tokenize("Creatinine 1.3 mg/dL, kidney function stable")))


def test_question_fillers_are_no_topic():
    """A stray letter ("what's", "A&E"), a filler ("the name of", "the biggest") or the "back" of a return or a
    time is nothing a record must hold; the back that hurts still is."""
    def words(question):
        return [c.words for c in question_concepts(question)]

    assert words("What's my score for the risk of having a stroke?")[0] == ("score",)
    assert ("accident", "emergency") in words("When I came into A&E, what was my bilirubin?")
    assert set(tokenize("Seen in A&E")) >= {"accident", "emergency"}
    assert words("What was the name of the surgeon?") == [("surgeon",)]
    assert words("How big was the biggest gallstone?") == [("gallstone",)]
    assert ("back",) not in words("What was my potassium back in March?")
    assert ("back",) not in words("When can he get back behind the wheel?")
    assert ("back",) in words("Did the X-ray show why my back hurts?")
