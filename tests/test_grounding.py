"""Grounding guard: invented words and unsupported claims are dropped silently; supported text stays."""
import pytest

from safety.grounding import content_stems, grounded_sentences, stem

SHINGLES = ("Shingles is a disease caused by the varicella-zoster virus, the same virus that causes chickenpox. "
            "After you have chickenpox, the virus stays in your body. As you get older, the virus may reappear "
            "as shingles. You can't catch shingles from someone who has it.")
CREATININE = ("Creatinine is a waste product from muscles, removed by the kidneys. A high value can come from "
              "dehydration or kidney problems.")


def test_invented_word_is_dropped_without_a_stub():
    text = ("A high value can come from dehydration. "
            "A high value can come from dehydration, lack of water or anteprolizondo protein.")
    kept, dropped = grounded_sentences(text, [CREATININE])
    assert kept == "A high value can come from dehydration."
    assert dropped == ["A high value can come from dehydration, lack of water or anteprolizondo protein."]
    assert "removed" not in kept.lower()


def test_unsupported_claim_is_dropped():
    text = ("Shingles are caused by bacteria (e.g., Varroa mites). "
            "Shingles is caused by the varicella-zoster virus, the same virus that causes chickenpox.")
    kept, dropped = grounded_sentences(text, [SHINGLES], question="What causes shingles?")
    assert kept == "Shingles is caused by the varicella-zoster virus, the same virus that causes chickenpox."
    assert len(dropped) == 1 and "bacteria" in dropped[0]


def test_supported_paraphrase_is_kept():
    kept, dropped = grounded_sentences("After chickenpox the virus stays in the body, and when you are older it "
                                       "may reappear as shingles.", [SHINGLES])
    assert dropped == [] and kept.startswith("After chickenpox")


def test_paraphrase_adding_an_uncommon_word_is_dropped():
    """The guard's known cost (see COMMON_SHARE): 'come back' is not in the passage and 'come' is in fewer than
    5% of knowledge-base passages, so this fair paraphrase is dropped too."""
    _, dropped = grounded_sentences("After chickenpox, the virus stays in the body and can come back as shingles.",
                                    [SHINGLES])
    assert len(dropped) == 1


@pytest.mark.parametrize("claim", ["Shingles usually starts after age 30.", "Zentravimab cures shingles.",
                                   "Shingles spreads through the air like influenza."])
def test_wrong_number_unknown_drug_and_foreign_claim_are_dropped(claim):
    kept, dropped = grounded_sentences(claim, [SHINGLES])
    assert kept == "" and dropped == [claim]


def test_question_words_count_as_support():
    kept, _ = grounded_sentences("Creatinine and dehydration are linked.", [CREATININE], question="Is it linked?")
    assert kept


def test_light_stemming_joins_word_forms():
    assert stem("infections") == stem("infection")
    assert stem("caused") == stem("causes") == stem("cause")
    assert content_stems("The virus stays in your body") == ["virus", "stay", "body"]
