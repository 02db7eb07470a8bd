"""Healytics summaries may not call a result high, low or normal against its computed flag."""
from pathlib import Path

from reports.analysis import read_and_parse
from reports.explain import direction_check, stream_llm_explanation
from settings import Settings

SAMPLE = Path(__file__).parents[1] / "data" / "samples" / "us_table_report.pdf"


def results():
    return read_and_parse(SAMPLE, Settings())[1].results


def test_wrong_directions_are_caught_and_right_ones_pass():
    consistent = direction_check(results())
    assert consistent("Other results outside the range: RDW (high), Haemoglobin (low).")
    assert consistent("Hematocrit came back below the usual range.")
    assert consistent("Platelets are normal.")
    assert not consistent("The rest of your results, including Platelets (low), MCV (normal).")
    assert not consistent("Hematocrit is high.")


class ScriptedLLM:
    def __init__(self, reply):
        self.reply = reply

    def stream_chat(self, messages, **kwargs):
        yield from (word + " " for word in self.reply.split(" "))


def test_the_streamed_summary_replaces_a_sentence_with_a_wrong_direction():
    llm = ScriptedLLM("Your hematocrit is below the usual range. Your platelets are low. Ask your doctor why.")
    *_, final = stream_llm_explanation(results(), llm)
    assert "hematocrit is below" in final and "Ask your doctor why." in final
    assert "platelets are low" not in final.lower()
    assert "Platelets: 372 K/uL" in final  # the catalogue wording took its place


class CappedLLM(ScriptedLLM):
    """Streams its reply and reports it used the whole token budget (cut off mid-sentence)."""

    def stream_chat(self, messages, max_new_tokens=256, **kwargs):
        self.last_stats = type("Stats", (), {"new_tokens": max_new_tokens})()
        yield from super().stream_chat(messages)


def test_a_summary_cut_by_the_token_budget_loses_its_unfinished_sentence():
    reply = "Your hematocrit is below the usual range.\n\nQuestions to ask your doctor:\n- Why is it low?\n\nThis"
    *_, final = stream_llm_explanation(results(), CappedLLM(reply), max_new_tokens=40)
    assert final.endswith("- Why is it low?") and "This" not in final
    *_, uncapped = stream_llm_explanation(results(), ScriptedLLM(reply))
    assert uncapped.rstrip().endswith("This")


def test_a_critical_value_is_called_critical_never_on_the_high_side():
    from reports.parser import parse_report

    found = parse_report("Potassium 7.3 mmol/L (3.5-5.1)\nSodium 140 mmol/L (135-145)").results
    assert found[0].flag == "critical_high"
    *_, text = stream_llm_explanation(found, ScriptedLLM("Your potassium is on the high side. Sodium is normal."))
    assert "on the high side" not in text and "critical" in text and "Sodium is normal." in text


def test_an_unsupported_sentence_is_dropped_without_a_note():
    *_, text = stream_llm_explanation(results(), ScriptedLLM("Your ferritin is 999 ng/mL. Platelets are normal."))
    assert "999" not in text and "removed" not in text and "Platelets are normal." in text


def test_an_invented_word_or_claim_in_the_summary_is_dropped():
    reply = ("A high value can come from dehydration, lack of water or anteprolizondo protein. "
             "Platelets are normal. Low platelets are caused by eating too many carrots.")
    *_, text = stream_llm_explanation(results(), ScriptedLLM(reply))
    assert "anteprolizondo" not in text and "carrots" not in text and "Platelets are normal." in text


def test_a_model_summary_that_says_nothing_of_the_results_gives_way_to_the_computed_one(monkeypatch):
    import models.registry
    from reports.analysis import summary_stream

    document, parsed = read_and_parse(SAMPLE, Settings())
    reply = "Here is a summary.\n\nQuestions to ask your doctor:\n- Why is my hematocrit low?"
    monkeypatch.setattr(models.registry, "get_report_llm", lambda settings: ScriptedLLM(reply))
    *_, final = summary_stream(parsed, Settings())
    assert final.startswith(f"{sum(r.is_abnormal for r in parsed.results)} of your {len(parsed.results)} results")
    reply = "Your hematocrit is below the usual range.\n\nQuestions to ask your doctor:\n- Why is it low?"
    monkeypatch.setattr(models.registry, "get_report_llm", lambda settings: ScriptedLLM(reply))
    *_, final = summary_stream(parsed, Settings())
    assert final.startswith("Your hematocrit is below the usual range.")


def test_a_heading_left_without_its_lines_is_dropped():
    reply = "Your hematocrit is below the usual range.\n\nQuestions to ask your doctor:\n- Is my ferritin of 999 ng/mL why?"
    *_, text = stream_llm_explanation(results(), ScriptedLLM(reply))
    assert text == "Your hematocrit is below the usual range."
    reply = "Your hematocrit is below the usual range.\n\nQuestions to ask your doctor:\n- Why is it low?"
    *_, text = stream_llm_explanation(results(), ScriptedLLM(reply))
    assert text.endswith("Questions to ask your doctor:\n- Why is it low?")


def test_a_misspelt_test_name_is_dropped_even_when_it_shares_the_root():
    reply = ("Your Hematocrit is below the usual range. Your Hematocrite and Platelets are within range. "
             "Platelets are normal.")
    *_, text = stream_llm_explanation(results(), ScriptedLLM(reply))
    assert "Hematocrite" not in text and text.startswith("Your Hematocrit is below") and "Platelets are normal." in text


def test_abnormal_results_the_model_summary_left_out_are_named_by_code(monkeypatch):
    import models.registry
    from reports.analysis import summary_stream

    document, parsed = read_and_parse(SAMPLE, Settings())
    abnormal = [r for r in parsed.results if r.is_abnormal]
    first = abnormal[0]
    reply = (f"Your {first.test} is {'above' if 'high' in first.flag else 'below'} the usual range.\n\n"
             "Questions to ask your doctor:\n- Why is it so?")
    monkeypatch.setattr(models.registry, "get_report_llm", lambda settings: ScriptedLLM(reply))
    *_, final = summary_stream(parsed, Settings())
    summary, questions = final.split("Questions to ask your doctor:")
    assert len(abnormal) > 1 and "Also outside the range: " in summary
    assert all(f"{r.test} ({r.flag.replace('_', ' ')})" in summary for r in abnormal[1:])
    assert f"{first.test} (" not in summary and "Why is it so?" in questions
