"""The explainer dataset builder: reproducible, split by patient, prompts = the app's, targets faithful."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reports.explain import build_messages
from reports.parser import parse_report
from safety.guard import unsupported_numbers
from training.eval_explainer import findings_source, score
from training.make_reports import MIMIC_DIR

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "datasets" / "healytics" / "sample.jsonl"
needs_mimic = pytest.mark.skipif(not MIMIC_DIR.is_dir(), reason="the shared MIMIC-III demo tables are not on this machine")


def _build(out: Path, hash_seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    subprocess.run([sys.executable, "training/build_dataset.py", "--out", str(out), "--seed", "5", "--n-reports", "24"],
                   cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)


@needs_mimic
def test_same_seed_gives_byte_identical_files(tmp_path):
    _build(tmp_path / "a", "1")
    _build(tmp_path / "b", "2")  # a different hash seed: set/dict ordering must not leak into the files
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["DATASET_CARD.md", "test.jsonl", "train.jsonl", "val.jsonl"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    lines = sum(len((tmp_path / "a" / f"{s}.jsonl").read_text().splitlines()) for s in ("train", "val", "test"))
    assert lines >= 20


@needs_mimic
def test_splits_are_disjoint_by_patient_and_prompts_are_the_apps():
    from training.build_dataset import build_examples
    from training.make_reports import generate_reports

    examples = build_examples(seed=5, n_reports=40)
    subjects = {split: {e.meta["subject_id"] for e in examples if e.split == split} for split in ("train", "val", "test")}
    assert all(subjects.values()), "every split gets patients"
    assert not subjects["train"] & subjects["test"] and not subjects["train"] & subjects["val"] \
        and not subjects["val"] & subjects["test"]
    reports = {r.name: r for r in generate_reports(5, 40)}
    for example in examples[:5]:
        parsed = parse_report(reports[example.meta["report"]].pages)
        assert example.messages[:-1] == build_messages(parsed.results, parsed.age, parsed.sex)


def test_committed_sample_targets_are_faithful_and_cover_every_abnormal_result():
    examples = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    assert {e["split"] for e in examples} == {"train", "val", "test"}
    for example in examples:
        system, user, target = (m["content"] for m in example["messages"])
        assert "Findings:" in user and target.strip()
        assert not unsupported_numbers(target, findings_source(user))
        result = score(example, target)
        assert result.covered == result.abnormal > 0 or not example["meta"]["abnormal"]
        assert "Questions to ask your doctor" in target
        # abnormal results come first: the first abnormal test is named before any question
        if example["meta"]["abnormal"]:
            assert target.index(example["meta"]["abnormal"][0]["test"]) < target.index("Questions")
