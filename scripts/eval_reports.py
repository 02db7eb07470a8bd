"""Healytics extraction eval: every report in tests/data/reports against its ground-truth JSON.

Prints extraction precision/recall/F1, flag accuracy on matched rows, critical-value recall and the
number of numbers in the displayed explanations that are not in the findings.

    python scripts/eval_reports.py [--dir tests/data/reports] [--llm] [-v]
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from reports.analysis import analyze_file  # noqa: E402
from reports.evaluation import match_rows  # noqa: E402
from reports.flags import CRITICAL_FLAGS  # noqa: E402
from safety.guard import unsupported_numbers  # noqa: E402
from settings import get_settings  # noqa: E402


def evaluate(folder: Path, use_llm: bool, verbose: bool) -> dict:
    totals = Counter()
    layouts = Counter()
    for truth_path in sorted(folder.glob("*.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        analysis = analyze_file(folder / truth["file"], settings=get_settings(), use_llm=use_llm)
        results = analysis.parsed.results
        pairs = match_rows(truth["results"], results)
        layouts[truth["layout"]] += 1
        totals["truth"] += len(truth["results"])
        totals["parsed"] += len(results)
        totals["matched"] += len(pairs)
        totals["flag_ok"] += sum(t["flag"] == g.flag for t, g in pairs)
        totals["critical"] += sum(t["flag"] in CRITICAL_FLAGS for t in truth["results"])
        totals["critical_found"] += sum(t["flag"] in CRITICAL_FLAGS and g.flag == t["flag"] for t, g in pairs)
        findings = analysis.findings_text
        totals["unsupported"] += len(unsupported_numbers(analysis.displayed_explanation, findings))
        totals["ocr"] += analysis.document.ocr_used
        if verbose:
            matched_truth = {id(t) for t, _ in pairs}
            matched_got = {id(g) for _, g in pairs}
            for t in truth["results"]:
                if id(t) not in matched_truth:
                    print(f"  MISSED   {truth['file']}: {t['test']} = {t['value_text']}")
            for g in results:
                if id(g) not in matched_got:
                    print(f"  EXTRA    {truth['file']}: {g.test} = {g.value_text}")
            for t, g in pairs:
                if t["flag"] != g.flag:
                    print(f"  FLAG     {truth['file']}: {t['test']} {t['value_text']}: want {t['flag']} got {g.flag}")
    precision = totals["matched"] / max(1, totals["parsed"])
    recall = totals["matched"] / max(1, totals["truth"])
    return {
        "reports": sum(layouts.values()), "layouts": dict(layouts), "ocr_reports": totals["ocr"],
        "rows": totals["truth"], "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(2 * precision * recall / max(1e-9, precision + recall), 4),
        "flag_accuracy": round(totals["flag_ok"] / max(1, totals["matched"]), 4),
        "critical_rows": totals["critical"],
        "critical_recall": round(totals["critical_found"] / max(1, totals["critical"]), 4),
        "unsupported_numbers_in_explanations": totals["unsupported"],
        "llm": use_llm,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "tests" / "data" / "reports")
    parser.add_argument("--llm", action="store_true", help="also generate (guarded) LLM explanations")
    parser.add_argument("-v", "--verbose", action="store_true", help="list misses, extras and flag errors")
    args = parser.parse_args()
    scores = evaluate(args.dir, args.llm, args.verbose)
    for key, value in scores.items():
        print(f"{key:38} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
