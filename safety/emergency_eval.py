"""Scoring the red-flag detector on a labelled message set (the evaluation script and the tests share it)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from safety.emergency_semantic import NO_EMERGENCY, LabelledMessage
from safety.redflags import SEMANTIC_GUARDED_MARGIN, SEMANTIC_MIN_MARGIN, SEMANTIC_MIN_SCORE, Analysis, decide


@dataclass(frozen=True)
class Evaluation:
    recall: float                   # emergencies with at least one flag
    category_recall: float          # emergencies whose expected category is among the flags
    false_alarm_rate: float         # non-emergency messages with a flag
    per_category: dict[str, tuple[int, int]]   # category -> (detected, total)
    misses: list[LabelledMessage]
    wrong_category: list[tuple[LabelledMessage, list[str]]]
    false_alarms: list[tuple[LabelledMessage, list[str]]]


def evaluate(messages: list[LabelledMessage], analyses: list[Analysis], min_score: float = SEMANTIC_MIN_SCORE,
             min_margin: float = SEMANTIC_MIN_MARGIN, guarded_margin: float = SEMANTIC_GUARDED_MARGIN) -> Evaluation:
    """Score the detector's decisions (with these semantic thresholds) on the analysed messages."""
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses, wrong, false_alarms = [], [], []
    emergencies = negatives = flagged = right_category = alarms = 0
    for message, analysis in zip(messages, analyses):
        categories = [f.category for f in decide(analysis, min_score, min_margin, guarded_margin)]
        if message.category == NO_EMERGENCY:
            negatives += 1
            if categories:
                alarms += 1
                false_alarms.append((message, categories))
            continue
        emergencies += 1
        per_category[message.category][1] += 1
        if categories:
            flagged += 1
            per_category[message.category][0] += 1
        else:
            misses.append(message)
        if message.category in categories:
            right_category += 1
        elif categories:
            wrong.append((message, categories))
    return Evaluation(flagged / max(emergencies, 1), right_category / max(emergencies, 1), alarms / max(negatives, 1),
                      {c: (d, t) for c, (d, t) in sorted(per_category.items())}, misses, wrong, false_alarms)
