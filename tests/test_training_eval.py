"""The explainer metrics: ROUGE-L, invented numbers, coverage with direction."""
from __future__ import annotations

from training.eval_explainer import mentioned_with_direction, rouge_l, score, summarize

EXAMPLE = {
    "messages": [
        {"role": "system", "content": "rules"},
        {"role": "user", "content": "Patient: age 64, female\nFindings:\n- Potassium: 5.9 mmol/L (reference 3.5 - 5.1, "
                                    "from the report) - high\n- Hemoglobin: 9.8 g/dL (reference 12 - 15.5, from the "
                                    "report) - low\n- MCHC: 33 g/dL (reference 32 - 36, from the report) - normal\n\n"
                                    "2 result(s) are outside the reference range. Write the summary for the patient."},
        {"role": "assistant", "content": "Your potassium is high. Your hemoglobin is low. MCHC is normal."},
    ],
    "meta": {"report": "r1", "abnormal": [{"test": "Potassium", "analyte": "potassium", "flag": "high"},
                                          {"test": "Hemoglobin", "analyte": "hemoglobin", "flag": "low"}]},
}


def test_rouge_l_is_lcs_f1():
    assert rouge_l("the cat sat", "the cat sat") == 1.0
    assert rouge_l("the cat sat", "the cat sat on") == 2 * 1 * 0.75 / 1.75
    assert rouge_l("", "anything") == 0.0
    assert rouge_l("a b c d", "d c b a") == 0.25


def test_numbers_from_the_findings_are_allowed_others_are_invented():
    assert score(EXAMPLE, "Potassium is 5.9, above 5.1. Hemoglobin 9.8 is low.").faithful
    bad = score(EXAMPLE, "Your potassium is 6.4 mmol/L, which is high.")
    assert not bad.faithful and bad.invented == ["6.4"]


def test_coverage_needs_the_right_direction():
    assert score(EXAMPLE, EXAMPLE["messages"][-1]["content"]).covered == 2
    assert score(EXAMPLE, "Your potassium is low. Your hemoglobin is low.").covered == 1
    assert score(EXAMPLE, "Everything looks fine.").covered == 0
    # synonyms from the catalogue count; a contradiction does not
    assert mentioned_with_direction("Your haemoglobin is below the usual range.", "Hemoglobin", "hemoglobin", "low")
    assert not mentioned_with_direction("Potassium is high. Later: potassium is low.", "Potassium", "potassium", "high")


def test_a_name_inside_a_longer_test_name_is_not_a_mention():
    text = "Mean corpuscular hemoglobin concentration is high."
    assert not mentioned_with_direction(text, "Hemoglobin", "hemoglobin", "low",
                                        ["Hemoglobin", "Mean corpuscular hemoglobin concentration"])


def test_summary_aggregates_over_outputs():
    scored = [score(EXAMPLE, EXAMPLE["messages"][-1]["content"], 20, 1.0),
              score(EXAMPLE, "Potassium is 7 and high.", 10, 1.0)]
    summary = summarize(scored)
    assert summary["faithfulness"] == 0.5 and summary["coverage"] == 0.75 and summary["tokens_per_s"] == 15.0
