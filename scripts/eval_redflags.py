"""Evaluate the red-flag detector on data/redflags/heldout.tsv (default), another held-out set or the tuning sets.

Held-out sets (reported, never tuned on): heldout.tsv, and heldout5-7.tsv by three independent writers.
Tuning sets: tune.tsv, and tune2-4.tsv by three other independent writers (each first run as a held-out set,
then read). `--set tuning` runs all four.
Prints recall on emergencies (any flag raised), category recall (the expected category among the
flags), per-category recall, the false-alarm rate on non-emergency messages, and lists every miss and
false alarm. `--grid` (tuning set only) prints the figures for a grid of semantic thresholds: that is
how the SEMANTIC_* thresholds in safety/redflags.py were chosen.

    .venv/bin/python scripts/eval_redflags.py [--set heldout|heldout5|heldout6|heldout7|tune|tune2|tune3|tune4|tuning] [--grid]
"""
from __future__ import annotations

import argparse

from safety.emergency_eval import Evaluation, evaluate
from safety.emergency_semantic import HELD_OUT_SETS, NO_EMERGENCY, TUNING_SETS, LabelledMessage, load_set
from safety.redflags import SEMANTIC_GUARDED_MARGIN, SEMANTIC_MIN_MARGIN, SEMANTIC_MIN_SCORE, Analysis, analyse


def print_report(name: str, messages: list[LabelledMessage], result: Evaluation) -> None:
    emergencies = sum(m.category != NO_EMERGENCY for m in messages)
    print(f"set: {name} ({len(messages)} messages: {emergencies} emergencies, {len(messages) - emergencies} "
          f"non-emergency; {sum(m.lang == 'fr' for m in messages)} in French)")
    print(f"thresholds: semantic min_score={SEMANTIC_MIN_SCORE} min_margin={SEMANTIC_MIN_MARGIN} "
          f"guarded_margin={SEMANTIC_GUARDED_MARGIN}")
    print(f"recall (any flag): {result.recall:.3f}   (target >= 0.97)")
    print(f"category recall:   {result.category_recall:.3f}")
    print(f"false-alarm rate:  {result.false_alarm_rate:.3f}   (target <= 0.08)")
    print("per-category recall (any flag):")
    for category, (detected, total) in result.per_category.items():
        print(f"  {category:20s} {detected}/{total}")
    print(f"misses ({len(result.misses)}):")
    for message in result.misses:
        print(f"  [{message.category}/{message.lang}] {message.text}")
    print(f"flagged under another category ({len(result.wrong_category)}):")
    for message, categories in result.wrong_category:
        print(f"  [{message.category} -> {','.join(categories)}] {message.text}")
    print(f"false alarms ({len(result.false_alarms)}):")
    for message, categories in result.false_alarms:
        print(f"  [{','.join(categories)}] {message.text}")


def print_grid(messages: list[LabelledMessage], analyses: list[Analysis]) -> None:
    """Recall and false alarms over a grid of semantic thresholds."""
    print("min_score min_margin guarded  recall  cat_recall  false_alarms")
    for min_score in (0.30, 0.35, 0.40, 0.45):
        for min_margin in (-0.02, 0.0, 0.01, 0.02, 0.03):
            for guarded in (0.0, 0.02, 0.04, 0.06, 0.08):
                result = evaluate(messages, analyses, min_score, min_margin, guarded)
                print(f"{min_score:9.2f} {min_margin:10.3f} {guarded:7.2f}  {result.recall:6.3f}  "
                      f"{result.category_recall:10.3f}  {result.false_alarm_rate:12.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=(*HELD_OUT_SETS, *TUNING_SETS, "tuning"), default="heldout",
                        help="a held-out set to report, a tuning set, or 'tuning' (all the tuning sets)")
    parser.add_argument("--grid", action="store_true", help="threshold grid (tuning sets only)")
    args = parser.parse_args()
    if args.grid and args.set in HELD_OUT_SETS:
        parser.error("--grid chooses thresholds, so it runs on tuning data only (--set tune|tune2|tuning)")
    names = TUNING_SETS if args.set == "tuning" else (args.set,)
    messages = [message for name in names for message in load_set(name)]
    analyses = [analyse(message.text) for message in messages]
    if args.grid:
        print_grid(messages, analyses)
    else:
        print_report(args.set, messages, evaluate(messages, analyses))


if __name__ == "__main__":
    main()
