"""Matching parsed lab results against ground-truth rows (the evaluation script and its tests share it)."""
from __future__ import annotations

from reports.catalogue import normalize_name


def _same_value(truth: dict, got) -> bool:
    if truth["value"] is None or got.value is None:
        return truth["value"] is None and got.value is None and \
            normalize_name(truth["value_text"]) == normalize_name(got.value_text)
    return abs(truth["value"] - got.value) <= 1e-6 * max(1.0, abs(truth["value"]))


def match_rows(truth_rows: list[dict], results) -> list[tuple[dict, object]]:
    """Greedy one-to-one matching: same test (name or analyte) and same value."""
    free = list(results)
    pairs = []
    for truth in truth_rows:
        for got in free:
            same_test = normalize_name(truth["test"]) == normalize_name(got.test) or (
                truth["analyte"] is not None and truth["analyte"] == got.analyte)
            if same_test and _same_value(truth, got):
                pairs.append((truth, got))
                free.remove(got)
                break
    return pairs
