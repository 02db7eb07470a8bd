"""The eval set's text and PDF reports (OCR ones are in the slow test) meet the issue's targets."""
import json
from pathlib import Path

import pytest

from reports.analysis import read_and_parse
from reports.evaluation import match_rows
from settings import Settings

ROOT = Path(__file__).resolve().parent.parent

FOLDER = ROOT / "tests" / "data" / "reports"


def _scores(include_ocr: bool):
    truth_rows = parsed_rows = matched = flag_ok = 0
    for path in sorted(FOLDER.glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        if not include_ocr and Path(truth["file"]).suffix == ".png" or (not include_ocr and "scan" in truth["file"]):
            continue
        _, parsed = read_and_parse(FOLDER / truth["file"], Settings())
        pairs = match_rows(truth["results"], parsed.results)
        truth_rows += len(truth["results"])
        parsed_rows += len(parsed.results)
        matched += len(pairs)
        flag_ok += sum(t["flag"] == g.flag for t, g in pairs)
    precision, recall = matched / parsed_rows, matched / truth_rows
    return 2 * precision * recall / (precision + recall), flag_ok / matched


def test_eval_set_size_and_layouts():
    truths = [json.loads(p.read_text(encoding="utf-8")) for p in FOLDER.glob("*.json")]
    assert len(truths) >= 30 and len({t["layout"] for t in truths}) >= 6
    assert any(t["language"] == "fr" for t in truths) and any("scan" in t["file"] for t in truths)


def test_text_reports_meet_targets():
    f1, flag_accuracy = _scores(include_ocr=False)
    assert f1 >= 0.97 and flag_accuracy == 1.0


@pytest.mark.slow
def test_all_reports_including_ocr_meet_targets():
    f1, flag_accuracy = _scores(include_ocr=True)
    assert f1 >= 0.97 and flag_accuracy == 1.0
