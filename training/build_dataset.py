"""The Healytics explainer dataset: mimetic MIMIC-III demo reports -> (app prompt, faithful explanation).

    .venv/bin/python training/build_dataset.py --out training/out/healytics --seed 13 \
        --sample-dir data/datasets/healytics

Each example starts from a report made by `training.make_reports.generate_reports` (real lab draws of
the MIMIC-III demo printed in the layouts Healytics reads). The report text goes through the app's
own parser (`reports.parser.parse_report`), and the prompt is the app's `reports.explain.build_messages`
on those findings, so the adapter learns on exactly what it sees in the app. The target is composed
here from the computed flags and the analyte catalogue's wording, never by a model: critical results
first with the urgent advice, then the other abnormal results with what they usually mean, the
normal ones in one sentence, and two or three questions for the doctor. Phrasing is varied by a
seeded random choice among templates. Targets name no numbers at all (the results table shows them),
so they cannot misquote one.

Patients (MIMIC subject_id) are split train/val/test with the seed, so no patient's draws are in two
splits. The same seed gives byte-identical files.
"""
from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from reports.catalogue import Catalogue, get_catalogue  # noqa: E402
from reports.explain import (  # noqa: E402 - the summary templates are the ones the explainer learns to write
    MAX_FINDINGS_IN_PROMPT,
    QUESTIONS_HEADING,
    SUMMARY_ALL_NORMAL,
    SUMMARY_CLOSINGS,
    SUMMARY_CRITICAL,
    SUMMARY_INTROS,
    SUMMARY_LEADS,
    SUMMARY_MEANING,
    SUMMARY_MORE,
    SUMMARY_NORMAL,
    SUMMARY_QUESTIONS_ABNORMAL,
    SUMMARY_QUESTIONS_GENERAL,
    SUMMARY_STATE,
    SUMMARY_UNKNOWN,
    URGENT_ADVICE,
    build_messages,
    ordered,
)
from reports.parser import LabResult, parse_report  # noqa: E402

SPLITS = ("train", "val", "test")
DEFAULT_OUT = ROOT / "training" / "out" / "healytics"
DETAILED_ABNORMAL = 2  # abnormal results explained in full; later ones are named with their direction


@dataclass
class Example:
    split: str
    messages: list[dict]
    meta: dict

    def to_json(self) -> str:
        return json.dumps({"messages": self.messages, "meta": self.meta}, ensure_ascii=False)


def direction(result: LabResult) -> str:
    """'high', 'low' or 'abnormal' (flagged by the lab without a direction)."""
    if result.flag in ("high", "critical_high"):
        return "high"
    if result.flag in ("low", "critical_low"):
        return "low"
    return "abnormal"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _name_list(names: list[str], limit: int = 6) -> str:
    shown = names[:limit] + (["a few others"] if len(names) > limit else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _meaning(result: LabResult, catalogue: Catalogue, rng: random.Random) -> str:
    analyte = catalogue.get(result.analyte) if result.analyte else None
    if analyte is None:
        return "This test is not in Healify's reference catalogue; ask your doctor what it means for you."
    dir_ = direction(result)
    if dir_ == "abnormal":
        meaning = "Ask your doctor what this means for you."
    else:
        text = analyte.high_text if dir_ == "high" else analyte.low_text
        meaning = f"A {dir_} value: {text[:1].lower()}{text[1:]}"
    return rng.choice(SUMMARY_MEANING).format(what=analyte.what, meaning=meaning).strip()


def compose_target(results: list[LabResult], rng: random.Random, catalogue: Catalogue | None = None) -> str:
    """The faithful explanation of the findings the prompt shows (the first MAX_FINDINGS_IN_PROMPT, ordered)."""
    catalogue = catalogue or get_catalogue()
    shown = ordered(results)[:MAX_FINDINGS_IN_PROMPT]
    abnormal = [r for r in shown if r.is_abnormal]
    critical = [r for r in shown if r.is_critical]
    normal = [r.test for r in shown if r.flag == "normal"]
    unknown = [r.test for r in shown if r.flag == "unknown"]
    parts = [rng.choice(SUMMARY_INTROS)]
    if critical:
        names = _name_list([r.test for r in critical])
        parts.append(SUMMARY_CRITICAL.format(names=names, verb="is" if len(critical) == 1 else "are") + " "
                     + URGENT_ADVICE)
    for result in abnormal[:DETAILED_ABNORMAL]:
        state = rng.choice(SUMMARY_STATE[direction(result)])
        lead = rng.choice(SUMMARY_LEADS).format(test=result.test, Test=_cap(result.test), state=state)
        parts.append(f"{lead} {_meaning(result, catalogue, rng)}")
    if abnormal[DETAILED_ABNORMAL:]:
        items = ", ".join(f"{r.test} ({direction(r)})" for r in abnormal[DETAILED_ABNORMAL:])
        parts.append(rng.choice(SUMMARY_MORE).format(items=items))
    if normal:
        template = rng.choice(SUMMARY_ALL_NORMAL if not abnormal else SUMMARY_NORMAL)
        parts.append(template.format(names=_name_list(normal), Names=_cap(_name_list(normal))))
    if unknown:
        parts.append(rng.choice(SUMMARY_UNKNOWN).format(names=_name_list(unknown), Names=_cap(_name_list(unknown))))
    templates = rng.sample(SUMMARY_QUESTIONS_ABNORMAL, 2)
    questions = [t.format(test=r.test, dir=direction(r)) for t, r in zip(templates, abnormal[:2])]
    questions += rng.sample(SUMMARY_QUESTIONS_GENERAL, 3 - len(questions) if len(questions) < 2 else 1)
    parts.append(QUESTIONS_HEADING + "\n" + "\n".join(f"- {q}" for q in questions))
    parts.append(rng.choice(SUMMARY_CLOSINGS))
    return "\n\n".join(p for p in parts if p)


def patient_splits(subject_ids: list[str], seed: int, val_share: float, test_share: float) -> dict[str, str]:
    """subject_id -> split, a seeded shuffle of the sorted patients cut by share."""
    subjects = sorted(set(subject_ids), key=int)
    random.Random(seed).shuffle(subjects)
    n_test = max(1, round(len(subjects) * test_share))
    n_val = max(1, round(len(subjects) * val_share))
    return {s: "test" if i < n_test else "val" if i < n_test + n_val else "train" for i, s in enumerate(subjects)}


def build_examples(seed: int, n_reports: int, val_share: float = 0.1, test_share: float = 0.2) -> list[Example]:
    """Up to `n_reports` examples (reports with no parsed result are skipped), each tagged with its split."""
    from training.make_reports import _mimic, generate_reports

    admissions = _mimic()[2]
    catalogue = get_catalogue()
    reports = generate_reports(seed, n_reports)
    subject_of = {r.name: admissions[r.meta["hadm_id"]]["subject_id"] for r in reports}
    split_of = patient_splits(list(subject_of.values()), seed, val_share, test_share)
    examples = []
    for index, report in enumerate(reports):
        parsed = parse_report(report.pages)
        if not parsed.results:
            continue
        rng = random.Random(f"{seed}:{index}")
        messages = build_messages(parsed.results, parsed.age, parsed.sex)
        messages.append({"role": "assistant", "content": compose_target(parsed.results, rng, catalogue)})
        shown = ordered(parsed.results)[:MAX_FINDINGS_IN_PROMPT]
        meta = {"report": report.name, "layout": report.layout, "subject_id": subject_of[report.name],
                "abnormal": [{"test": r.test, "analyte": r.analyte, "flag": r.flag} for r in shown if r.is_abnormal]}
        examples.append(Example(split_of[subject_of[report.name]], messages, meta))
    return examples


def dataset_card(examples: list[Example], seed: int, n_reports: int) -> str:
    """DATASET_CARD.md: provenance, construction, splits and statistics."""
    by_split = {s: [e for e in examples if e.split == s] for s in SPLITS}
    layouts = Counter(e.meta["layout"] for e in examples)
    flags = Counter(a["flag"] for e in examples for a in e.meta["abnormal"])
    rows = "\n".join(f"| {s} | {len(by_split[s])} | {len({e.meta['subject_id'] for e in by_split[s]})} | "
                     f"{sum(len(e.meta['abnormal']) for e in by_split[s])} |" for s in SPLITS)
    target_words = sorted(len(e.messages[-1]["content"].split()) for e in examples)
    return f"""# Healytics explainer dataset (synthetic, from the MIMIC-III demo)

Built by `training/build_dataset.py --seed {seed} --n-reports {n_reports}`; the same seed gives byte-identical files.

## Source
Lab draws (values, units, MIMIC abnormal flags, patient age/sex) of the MIMIC-III Clinical Database Demo v1.4
(100 de-identified patients, ODbL licence), printed as mimetic reports by `training/make_reports.py` in the
layouts Healytics reads: {', '.join(f'{k} ({v})' for k, v in sorted(layouts.items()))}.

## Construction
- **Prompt**: the report text is parsed by the app's parser and turned into the app's exact prompt,
  `reports.explain.build_messages` (system rules + structured findings only, grouped as outside / within the reference range, at most
  {MAX_FINDINGS_IN_PROMPT} results).
- **Target**: composed from the computed flags and the analyte catalogue's wording (`data/analytes.json`,
  MedlinePlus-based), with templates chosen by a seeded random generator: critical results first with the
  urgent advice, up to {DETAILED_ABNORMAL} abnormal results explained (direction + what a high/low value
  usually means), further abnormal ones named with their direction, the normal ones in one sentence, then
  two or three questions for the doctor. No model writes any target; targets name no numbers, so every
  target is faithful to its findings by construction.
- **Split by patient** (MIMIC `subject_id`, seeded shuffle): no patient appears in two splits.

## Format
JSONL, one object per line: `{{"messages": [system, user, assistant], "meta": {{"report", "layout",
"subject_id", "abnormal": [{{"test", "analyte", "flag"}}]}}}}`. `meta.abnormal` lists the abnormal results the
prompt shows (used by `training/eval_explainer.py` for coverage).

## Statistics
| split | examples | patients | abnormal results |
|---|---|---|---|
{rows}

Abnormal flags: {', '.join(f'{k} {v}' for k, v in sorted(flags.items()))}.
Target length: median {target_words[len(target_words) // 2]} words (min {target_words[0]}, max {target_words[-1]}).

## Limits
- English targets only (French reports get English explanations, as the app's prompt is English).
- The catalogue ranges used to print reports are typical adult ranges; the values are real ICU draws,
  so abnormal results are frequent.
- Synthetic wording: fluent but template-based; it teaches structure and faithfulness, not clinical reasoning.
"""


def write_dataset(examples: list[Example], out: Path, card: str) -> dict[str, Path]:
    """One JSONL file per split plus the card; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for split in SPLITS:
        path = out / f"{split}.jsonl"
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            for example in examples:
                if example.split == split:
                    handle.write(example.to_json() + "\n")
        paths[split] = path
    (out / "DATASET_CARD.md").write_text(card, encoding="utf-8")
    return paths


def write_sample(examples: list[Example], folder: Path, card: str, per_split: int) -> None:
    """The small committed sample: the first `per_split` examples of each split, plus the card."""
    sample = [e for split in SPLITS for e in [x for x in examples if x.split == split][:per_split]]
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "sample.jsonl", "w", encoding="utf-8", newline="\n") as handle:
        for example in sample:
            handle.write(json.dumps({"split": example.split, "messages": example.messages, "meta": example.meta},
                                    ensure_ascii=False) + "\n")
    (folder / "DATASET_CARD.md").write_text(card, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--n-reports", type=int, default=2000, help="reports to draw (capped by the MIMIC demo)")
    parser.add_argument("--val-share", type=float, default=0.1, help="share of patients in val")
    parser.add_argument("--test-share", type=float, default=0.2, help="share of patients in test")
    parser.add_argument("--sample-dir", type=Path, default=None, help="also write a small sample (committed)")
    parser.add_argument("--sample-per-split", type=int, default=4)
    args = parser.parse_args(argv)
    examples = build_examples(args.seed, args.n_reports, args.val_share, args.test_share)
    card = dataset_card(examples, args.seed, args.n_reports)
    paths = write_dataset(examples, args.out, card)
    if args.sample_dir:
        write_sample(examples, args.sample_dir, card, args.sample_per_split)
    for split, path in paths.items():
        print(f"{split}: {sum(1 for e in examples if e.split == split)} examples -> {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
