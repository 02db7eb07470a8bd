"""Explanations of lab results.

Two kinds, both built only from the structured findings (never from the report's raw text, which may
carry prompt injection):
- `catalogue_explanation`: deterministic, per result, from the analyte catalogue; always shown.
- the LLM summary: `build_messages` makes the prompt, `stream_llm_explanation` streams it through the
  numeric faithfulness guard, replacing any sentence that names a number absent from the findings by
  the catalogue wording for that result.
The LoRA dataset builder reuses `build_messages` and `catalogue_explanation` for its targets.
"""
from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator

from reports.catalogue import Catalogue, get_catalogue, normalize_name
from reports.parser import FLAG_WORDS_FR, LabResult
from safety.guard import SENTENCE_BREAK, StreamGuard
from safety.repetition import RepetitionStoppingCriteria, strip_repetition

URGENT_ADVICE = ("Contact your doctor today, or seek urgent care (call your local emergency number) "
                 "if you feel unwell.")
SYSTEM_PROMPT = (
    "You explain blood and urine test results to a patient in plain, kind language. "
    "Use only the findings given. Do not invent numbers or tests. Do not diagnose. "
    "Start with the results that are not normal and say what they usually mean. "
    "Then say briefly that the other results are normal. "
    "End with two or three questions the patient could ask their doctor."
)
URGENT_ADVICE_FR = ("Contactez votre médecin aujourd'hui, ou consultez en urgence (appelez le numéro d'urgence local) "
                    "si vous ne vous sentez pas bien.")
MAX_FINDINGS_IN_PROMPT = 14
# The sentence templates the Healytics explainer was fine-tuned to write (training/build_dataset.py builds its
# targets from them with catalogue wording); their words count as support in the summary's grounding check.
SUMMARY_STATE = {
    "high": ["high", "higher than the reference range", "above the usual range", "raised (high)"],
    "low": ["low", "lower than the reference range", "below the usual range", "on the low side (low)"],
    "abnormal": ["marked abnormal by the laboratory", "abnormal", "flagged as abnormal"],
}
SUMMARY_INTROS = ["Here is a plain-language summary of your results.", "Let's go through your lab results.",
           "Thank you for sharing your results; here is what they show.", ""]
SUMMARY_LEADS = ["Your {test} is {state}.", "{Test} came back {state}.", "The {test} result is {state}.",
          "{Test} is {state}."]
SUMMARY_MEANING = ["{meaning}", "{meaning}", "{what} {meaning}"]
SUMMARY_MORE = ["Also outside the range: {items}.", "Other results outside the range: {items}.",
         "A few more results are not in the usual range: {items}."]
SUMMARY_NORMAL = ["Your other results ({names}) are within the normal range.",
           "The rest of your results, including {names}, are normal.",
           "{Names} are within their reference ranges, which is reassuring."]
SUMMARY_ALL_NORMAL = ["Good news: all the results listed ({names}) are within their reference ranges.",
               "All of your results ({names}) are within the normal range."]
SUMMARY_UNKNOWN = ["{Names} could not be compared with a reference range here, so ask your doctor about them.",
            "There is no reference range for {names} in these results; your doctor can interpret them."]
SUMMARY_QUESTIONS_ABNORMAL = ["What could be causing my {test} to be {dir}?", "Do I need to repeat the {test} test, and when?",
                       "Is my {dir} {test} something to treat, or to watch?",
                       "Could any of my medicines affect my {test}?"]
SUMMARY_QUESTIONS_GENERAL = ["Should I change anything in my diet, exercise or medicines?",
                      "When should these tests be checked again?",
                      "How do these results fit with my symptoms and history?",
                      "Do I need any other tests?"]
SUMMARY_CRITICAL = "Important: {names} {verb} at a critical level."
SUMMARY_CLOSINGS = ["", "Your doctor can explain these results in the context of your health.",
             "This summary does not replace your doctor's advice."]
# Fixed sentences of the catalogue explanation, by report language.
_WORDING = {
    "en": {"none": "No lab results were found in this document.", "urgent": "**Urgent:** ", "is": "is", "are": "are",
           "critical": " at a critical level. ", "advice": URGENT_ADVICE,
           "table": " (range from Healify's standard reference table: your report printed none)",
           "unknown": "This test is not in Healify's reference catalogue; ask your doctor what it measures.",
           "abnormal": " The laboratory marked this result as abnormal.", "source": "Source", "translated": "",
           "banner": "Critical result", "banner_many": "Critical results"},
    "fr": {"none": "Aucun résultat d'analyse n'a été trouvé dans ce document.", "urgent": "**Urgent :** ",
           "is": "est", "are": "sont", "critical": " à un niveau critique. ", "advice": URGENT_ADVICE_FR,
           "table": " (plage tirée de la table de référence standard de Healify : "
                    "votre compte rendu n'en indiquait pas)",
           "unknown": "Ce test ne figure pas dans le catalogue de référence de Healify ; demandez à votre médecin "
                      "ce qu'il mesure.",
           "abnormal": " Le laboratoire a marqué ce résultat comme anormal.", "source": "Source",
           "translated": " (texte traduit par Healify)", "banner": "Résultat critique",
           "banner_many": "Résultats critiques"},
}


def report_language(results: Iterable[LabResult], catalogue: Catalogue | None = None) -> str:
    """'fr' when most results were printed under a French name of the catalogue (or with French accents), 'ru' when
    most names are in Cyrillic, else 'en'. Only English reports get the model's summary: the explainer was
    fine-tuned on English findings, and it garbles names in other scripts (it wrote 'Индеkс' for 'Индекс')."""
    catalogue = catalogue or get_catalogue()
    votes = {"fr": 0, "en": 0, "ru": 0}
    for result in results:
        analyte = catalogue.get(result.analyte) if result.analyte else None
        name = normalize_name(re.sub(r"\([^)]*\)", " ", result.test))
        if re.search(r"[\u0400-\u04ff]", result.test):
            votes["ru"] += 1
        elif re.search(r"[éèêàùç]", result.test.lower()):
            votes["fr"] += 1
        elif analyte is not None:
            french = {normalize_name(s) for s in analyte.french_synonyms}
            english = {normalize_name(s) for s in analyte.english_synonyms}
            if name in french - english:  # 'glycémie'; 'GLUCOSE' and 'SODIUM' are English as much as French
                votes["fr"] += 1
            elif name in english:
                votes["en"] += 1
    language = max(votes, key=votes.get)
    return language if votes[language] > votes["en"] else "en"



def ordered(results: Iterable[LabResult]) -> list[LabResult]:
    """Critical first, then other abnormal results, then the rest (stable within each group)."""
    rank = {"critical_low": 0, "critical_high": 0, "high": 1, "low": 1, "abnormal": 1, "normal": 2, "unknown": 3}
    return sorted(results, key=lambda r: rank.get(r.flag, 3))


def findings_lines(results: Iterable[LabResult]) -> list[str]:
    return [r.describe() for r in ordered(results)]


def findings_text(results: Iterable[LabResult], age: int | None = None, sex: str | None = None) -> str:
    """The findings as text: the source the guard checks every generated number against."""
    header = []
    if age is not None or sex:
        header.append("Patient: " + ", ".join(p for p in (f"age {age}" if age is not None else "", sex or "") if p))
    return "\n".join(header + [f"- {line}" for line in findings_lines(results)])


def build_messages(results: list[LabResult], age: int | None = None, sex: str | None = None) -> list[dict]:
    """Chat messages for the report LLM: the system rules and the structured findings only."""
    chosen = ordered(results)[:MAX_FINDINGS_IN_PROMPT]
    abnormal = [r for r in chosen if r.is_abnormal]
    groups = (("Outside the reference range", abnormal), ("Within the reference range", [r for r in chosen if r.flag == "normal"]),
              ("No reference range", [r for r in chosen if not r.is_abnormal and r.flag != "normal"]))
    # Labelled groups: a 135M model copies the right results far more reliably than from one mixed list.
    sections = [f"{title} ({len(group)}):\n" + "\n".join(f"- {r.describe()}" for r in group) for title, group in groups if group]
    user = ("Findings:\n" + "\n".join(sections) + "\n\n"
            + (f"{len(abnormal)} result(s) are outside the reference range. " if abnormal else "All results are within range. ")
            + ("Some results are critical: say clearly to contact a doctor today. " if any(r.is_critical for r in chosen) else "")
            + "Write the summary for the patient.")
    if age is not None or sex:
        user = f"Patient: {', '.join(p for p in (f'age {age}' if age is not None else '', sex or '') if p)}\n" + user
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": user}]


def result_explanation(result: LabResult, catalogue: Catalogue | None = None, language: str = "en") -> str:
    """The catalogue wording for one result: what it measures and, if out of range, what that usually means."""
    catalogue = catalogue or get_catalogue()
    wording = _WORDING.get(language, _WORDING["en"])
    analyte = catalogue.get(result.analyte) if result.analyte else None
    direction = "high" if result.flag in ("high", "critical_high") else "low" if result.flag in ("low", "critical_low") else None
    if analyte is None:
        meaning = wording["unknown"]
    else:
        meaning = analyte.explanation(direction, language)
        if result.flag == "abnormal":
            meaning += wording["abnormal"]
    return meaning


def catalogue_explanation(results: list[LabResult], catalogue: Catalogue | None = None,
                          language: str | None = None) -> str:
    """Markdown, one entry per result (abnormal first): the result line, its meaning and the source, in the
    report's language (`report_language` when not given): a French report gets French wording where the
    catalogue has it."""
    catalogue = catalogue or get_catalogue()
    language = language or report_language(results, catalogue)
    wording = _WORDING.get(language, _WORDING["en"])
    if not results:
        return wording["none"]
    parts = []
    critical = [r for r in results if r.is_critical]
    if critical:
        parts.append(wording["urgent"] + ", ".join(r.test for r in critical) + " "
                     + (wording["is"] if len(critical) == 1 else wording["are"]) + wording["critical"]
                     + wording["advice"])
    for result in ordered(results):
        analyte = catalogue.get(result.analyte) if result.analyte else None
        translated = wording["translated"] if analyte is not None and language == "fr" and analyte.explanation_fr \
            else ""
        source = f"  \n  _{wording['source']}: {analyte.source.split(', http')[0]}{translated}_" if analyte else ""
        range_note = wording["table"] if result.ref_source == "reference_table" else ""
        parts.append(f"- **{result.describe(language)}**{range_note}. "
                     f"{result_explanation(result, catalogue, language)}{source}")
    return "\n".join(parts)


def _result_names(results: list[LabResult], catalogue: Catalogue) -> list[tuple[str, LabResult]]:
    """(normalized name, result) for each printed and catalogue name, longest first."""
    names = [(normalize_name(r.test), r) for r in results]
    names += [(normalize_name(catalogue.get(r.analyte).name), r) for r in results if r.analyte and catalogue.get(r.analyte)]
    return sorted((pair for pair in names if pair[0]), key=lambda pair: -len(pair[0]))


def _named_results(text: str, results: list[LabResult], catalogue: Catalogue) -> set[int]:
    """ids of the `results` that a statement of `text` names (a question for the doctor does not count)."""
    statements = [part for part in SENTENCE_BREAK.split(text) if not part.rstrip().endswith("?")]
    padded = f" {normalize_name(' '.join(statements))} "
    return {id(result) for name, result in _result_names(results, catalogue) if f" {name} " in padded}


def names_a_result(text: str, results: list[LabResult], catalogue: Catalogue | None = None) -> bool:
    """Whether a summary says something of the results it is about: a sentence, not a question for the doctor,
    that names an abnormal result when any is abnormal, else any result."""
    wanted = [r for r in results if r.is_abnormal] or list(results)
    return bool(_named_results(text, wanted, catalogue or get_catalogue()))


QUESTIONS_HEADING = "Questions to ask your doctor:"  # as the explainer learns to write it (training/build_dataset.py)


def with_every_abnormal_result(text: str, results: list[LabResult], catalogue: Catalogue | None = None) -> str:
    """The summary, plus a sentence written by code that names each result outside its range that none of the
    summary's statements names ("Also outside the range: ALT (high), TRIGLYCERIDES (high)."), placed before the
    questions for the doctor: the guards drop what the model got wrong, and this keeps the summary complete."""
    named = _named_results(text, results, catalogue or get_catalogue())
    missing = [r for r in ordered(results) if r.is_abnormal and id(r) not in named]
    if not missing:
        return text
    sentence = "Also outside the range: " + ", ".join(f"{r.test} ({r.flag.replace('_', ' ')})" for r in missing) + "."
    at = text.find(QUESTIONS_HEADING)
    if at < 0:
        return f"{text.rstrip()}\n\n{sentence}"
    return f"{text[:at].rstrip()}\n\n{sentence}\n\n{text[at:]}"


def _fallback_for(results: list[LabResult], catalogue: Catalogue):
    """Guard fallback: the catalogue wording of the result a rejected sentence talks about."""
    names = _result_names(results, catalogue)

    def fallback(sentence: str) -> str:
        text = f" {normalize_name(sentence)} "
        for name, result in names:
            if f" {name} " in text:
                return f"{result.describe()}: {result_explanation(result, catalogue)}"
        return ""  # nothing trusted to put in its place: the sentence is simply dropped

    return fallback


_DIRECTION_WORDS = {
    "high": ("high", "higher", "above", "elevated", "raised", "increased"),
    "low": ("low", "lower", "below", "decreased", "reduced"),
    "normal": ("normal", "within"),
}


def _direction(flag: str) -> str | None:
    return {"high": "high", "critical_high": "high", "low": "low", "critical_low": "low", "normal": "normal"}.get(flag)


def direction_check(results: list[LabResult], catalogue: Catalogue | None = None):
    """A guard check: a sentence must not call a result high, low or normal against its computed flag.

    Two forms are checked: "Platelets (low)" next to a name, and a sentence that names exactly one
    result and one direction ("Your hemoglobin is below the range").
    """
    names = _result_names(results, catalogue or get_catalogue())
    word_to_direction = {w: d for d, words in _DIRECTION_WORDS.items() for w in words}

    def consistent(sentence: str) -> bool:
        text = f" {normalize_name(sentence)} "
        found: dict[tuple[int, int], LabResult] = {}
        for name, result in names:
            for match in re.finditer(rf" {re.escape(name)} ", text):
                if not any(start <= match.start() < end for start, end in found):
                    found[(match.start(), match.end())] = result
                    after = text[match.end():match.end() + 12].split()
                    said = word_to_direction.get(after[0]) if after else None
                    if said and _direction(result.flag) and said != _direction(result.flag):
                        return False
        results_named = {id(r): r for r in found.values()}
        said = {word_to_direction[w] for w in text.split() if w in word_to_direction}
        if len(results_named) == 1 and len(said) == 1:
            actual = _direction(next(iter(results_named.values())).flag)
            return actual is None or said == {actual}
        return True

    return consistent


_CRITICAL_WORDS = ("critical", "critically", "urgent", "urgently", "emergency", "dangerous", "immediately", "today")


def critical_check(results: list[LabResult], catalogue: Catalogue | None = None):
    """A guard check: a sentence that names a critical result must call it critical or urgent.

    "Potassium is on the high side" about a critical potassium fails (and is replaced by the catalogue wording,
    which names the critical flag), so the text never plays down what the banner says.
    """
    names = [(name, result) for name, result in _result_names(results, catalogue or get_catalogue())
             if result.is_critical]

    def says_critical(sentence: str) -> bool:
        text = f" {normalize_name(sentence)} "
        if not any(f" {name} " in text for name, _ in names):
            return True
        return any(f" {word} " in text for word in _CRITICAL_WORDS)

    return says_critical


def summary_templates() -> list[str]:
    """Every fixed sentence the explainer was fine-tuned on, placeholders removed."""
    groups = [SUMMARY_INTROS, SUMMARY_LEADS, SUMMARY_MEANING, SUMMARY_MORE, SUMMARY_NORMAL, SUMMARY_ALL_NORMAL,
              SUMMARY_UNKNOWN, SUMMARY_QUESTIONS_ABNORMAL, SUMMARY_QUESTIONS_GENERAL, SUMMARY_CLOSINGS, [SUMMARY_CRITICAL],
              *SUMMARY_STATE.values()]
    return [re.sub(r"\{\w+\}", " ", template) for group in groups for template in group]


def grounding_check(results: list[LabResult], catalogue: Catalogue | None = None):
    """A guard check: a summary sentence's content words must be supported by the findings, the catalogue entries
    of these results and the task itself (`safety.grounding`), so invented words and claims are dropped."""
    from safety.grounding import MIN_CONTENT_WORDS, content_stems, is_grounded, load_vocabulary

    catalogue = catalogue or get_catalogue()
    passages = [findings_text(results), SYSTEM_PROMPT, URGENT_ADVICE, *summary_templates(),
                *(result_explanation(r, catalogue) for r in results),
                *(catalogue.get(r.analyte).what for r in results if r.analyte and catalogue.get(r.analyte)),
                *(catalogue.get(r.analyte).name for r in results if r.analyte and catalogue.get(r.analyte))]
    support_text = "\n".join(passages)
    support, vocabulary = set(content_stems(support_text)), load_vocabulary()
    words = {word.lower() for word in _WORD.findall(support_text)}

    def grounded(sentence: str) -> bool:
        if any(name.lower() not in words for name in _named(sentence)):  # 'my Erytrocytecy' (for 'Erytrocyty')
            return False
        if len(content_stems(sentence)) < MIN_CONTENT_WORDS:  # "Hello!" or a heading: nothing to check
            return True
        return is_grounded(sentence, support_text, support, vocabulary)

    return grounded


_WORD = re.compile(r"[^\W\d_][\w'-]*")


def _named(sentence: str) -> list[str]:
    """The capitalised words of a sentence after its first word (test names as the model writes them): each must
    be written exactly so in the findings or the catalogue. The content-word check accepts a shared root, which let
    misspelt names through ('TRIGLICERODES' beside 'TRIGLICERÍDEOS', 'Erytrocytecy' for 'Erytrocyty')."""
    found = _WORD.findall(sentence.lstrip("-•* "))
    return [word for word in found[1:] if len(word) >= 4 and word[0].isupper()]


def all_checks(*checks):
    """One guard check that passes when every one of `checks` passes."""
    return lambda sentence: all(check(sentence) for check in checks)


def computed_summary(results: list[LabResult], language: str = "en") -> str:
    """A short summary written by code from the flags (used where no model summary is trusted: a French or Russian
    report); in French for a French report, else in English."""
    outside = [r for r in ordered(results) if r.is_abnormal]
    flag_word = (lambda r: FLAG_WORDS_FR.get(r.flag, r.flag)) if language == "fr" else \
        (lambda r: r.flag.replace("_", " "))
    listed = ", ".join(f"{r.test} ({flag_word(r)})" for r in outside)
    if language == "fr":
        head = (f"{len(outside)} résultat(s) sur {len(results)} sont en dehors des valeurs de référence : {listed}."
                if outside else f"Vos {len(results)} résultats sont dans les valeurs de référence.")
        return head + (" Les autres résultats sont dans les valeurs de référence." if outside else "") + \
            " Parlez de ces résultats avec votre médecin : il connaît votre histoire et peut les interpréter."
    head = (f"{len(outside)} of your {len(results)} results are outside the reference range: {listed}."
            if outside else f"All {len(results)} of your results are within the reference range.")
    return head + (" The other results are within the range." if outside else "") + \
        " Talk about these results with your doctor, who knows your history and can interpret them."


def stream_llm_explanation(results: list[LabResult], llm, *, age: int | None = None, sex: str | None = None,
                           max_new_tokens: int = 256, stop: threading.Event | None = None) -> Iterator[str]:
    """Yield the guarded summary so far while the LLM streams it (only checked sentences are shown)."""
    catalogue = get_catalogue()
    guard = StreamGuard(findings_text(results, age, sex), fallback=_fallback_for(results, catalogue),
                        check=all_checks(direction_check(results, catalogue), critical_check(results, catalogue),
                                         grounding_check(results, catalogue)))
    for chunk in llm.stream_chat(build_messages(results, age, sex), max_new_tokens=max_new_tokens,
                                 temperature=0.0, stop=stop, stopping=(RepetitionStoppingCriteria,)):
        yield strip_repetition(guard.feed(chunk))  # a loop is cut where its second copy starts
    text = strip_repetition(guard.finish().text)
    stats = getattr(llm, "last_stats", None)
    if stats is not None and stats.new_tokens >= max_new_tokens:  # cut off by the token budget
        text = drop_unfinished_sentence(text)
    yield drop_empty_headings(text)


_HEADING = re.compile(r"[^.!?\n]{1,60}:")


def drop_empty_headings(text: str) -> str:
    """The text without a heading whose lines the guards all dropped ('Questions to ask your doctor:' at the end)."""
    lines = text.split("\n")
    kept = []
    for i, line in enumerate(lines):
        if _HEADING.fullmatch(line.strip()):
            following = next((later.strip() for later in lines[i + 1:] if later.strip()), "")
            if not following or _HEADING.fullmatch(following):
                continue
        kept.append(line)
    return "\n".join(kept).strip()


def drop_unfinished_sentence(text: str) -> str:
    """The text without a trailing fragment that stops mid-sentence ('... are normal.\n\nThis' -> '... are normal.')."""
    stripped = text.rstrip()
    if not stripped or stripped[-1] in ".!?:)":
        return stripped
    ends = [match.end() for match in re.finditer(r"[.!?:](?=\s)|\n", stripped)]
    return stripped[:ends[-1]].rstrip() if ends else stripped


def urgent_banner(results: list[LabResult], language: str | None = None) -> str | None:
    """Markdown for the critical-value banner (in the report's language), or None when nothing is critical."""
    critical = [r for r in results if r.is_critical]
    if not critical:
        return None
    language = language or report_language(results)
    wording = _WORDING.get(language, _WORDING["en"])
    lines = "\n".join(f"- **{r.test}**: {r.value_text}{' ' + r.unit if r.unit else ''} "
                      f"({FLAG_WORDS_FR.get(r.flag, r.flag) if language == 'fr' else r.flag.replace('_', ' ')})"
                      for r in critical)
    title = wording["banner_many"] if len(critical) > 1 else wording["banner"]
    return f"### ⚠️ {title}\n{lines}\n\n{wording['advice']}"
