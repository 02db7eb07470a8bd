"""Typos in a HealyChat question are fixed against the records' words, the health KB's and everyday English."""
from rag.spelling import corrected, one_edit
from tests.test_rag_real_records import one_record


def test_one_edit_is_an_added_dropped_changed_or_swapped_letter():
    assert one_edit("potasium", "potassium") and one_edit("hgih", "high") and one_edit("scool", "school")
    assert not one_edit("potassium", "potassium") and not one_edit("febuary", "february!!")


def test_unknown_words_take_the_likeliest_known_neighbour_and_known_words_stay():
    assert corrected("how hgih was his potasium in febuary", []) == "how high was his potassium in february"
    assert corrected("wat dose does he get for lunch at scool", []) == "wat dose does he get for lunch at school"
    assert corrected("Lachlans bloods", ["lachlan"]) == "Lachlans bloods"  # a plural or possessive is known
    assert corrected("my hba1c and tacrolimos", ["tacrolimus"]) == "my hba1c and tacrolimus"  # records first


def test_a_misspelt_question_is_answered(tmp_path):
    service, session = one_record(tmp_path, "renal_clinic.txt", [
        "RENAL CLINIC LETTER\nBloods 12/02/2025: Potassium 6.1 mmol/L (high), creatinine 412 umol/L, "
        "phosphate 2.1 mmol/L.\nPlan: low potassium diet; repeat bloods in one week.\n"])
    answer = service.answer(session, "how hgih was his potasium at the kidney clinic bloods in febuary")
    assert not answer.abstained and "Potassium 6.1 mmol/L" in answer.answer
