"""Evaluate the red-flag detector on data/redflags/heldout.tsv (default) or the tuning set.

Prints recall on emergencies (any flag raised), category recall (the expected category among the
flags), per-category recall, the false-alarm rate on non-emergency messages, and lists every miss and
false alarm. `--grid` (tuning set only) prints the figures for a grid of semantic thresholds: that is
how SEMANTIC_MIN_SCORE and SEMANTIC_MIN_MARGIN in safety/redflags.py were chosen.

    .venv/bin/python scripts/eval_redflags.py [--set heldout|tune] [--grid]
"""
from __future__ import annotations

import argparse

from safety.emergency_eval import Evaluation, evaluate
from safety.emergency_semantic import NO_EMERGENCY, LabelledMessage, load_set
from safety.redflags import SEMANTIC_MIN_MARGIN, SEMANTIC_MIN_SCORE, Analysis, analyse


def print_report(name: str, messages: list[LabelledMessage], result: Evaluation) -> None:
    emergencies = sum(m.category != NO_EMERGENCY for m in messages)
    print(f"set: {name} ({len(messages)} messages: {emergencies} emergencies, {len(messages) - emergencies} "
          f"non-emergency; {sum(m.lang == 'fr' for m in messages)} in French)")
    print(f"thresholds: semantic min_score={SEMANTIC_MIN_SCORE} min_margin={SEMANTIC_MIN_MARGIN}")
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
    print("min_score min_margin  recall  cat_recall  false_alarms")
    for min_score in (0.30, 0.35, 0.40, 0.45, 0.50, 0.55):
        for min_margin in (-0.02, 0.0, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.06):
            result = evaluate(messages, analyses, min_score, min_margin)
            print(f"{min_score:9.2f} {min_margin:10.3f}  {result.recall:6.3f}  {result.category_recall:10.3f}  "
                  f"{result.false_alarm_rate:12.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=("heldout", "tune"), default="heldout")
    parser.add_argument("--grid", action="store_true", help="threshold grid (tuning set only)")
    args = parser.parse_args()
    if args.grid and args.set != "tune":
        parser.error("--grid chooses thresholds, so it runs on the tuning set only (--set tune)")
    messages = load_set(args.set)
    analyses = [analyse(message.text) for message in messages]
    if args.grid:
        print_grid(messages, analyses)
    else:
        print_report(args.set, messages, evaluate(messages, analyses))


if __name__ == "__main__":
    main()
