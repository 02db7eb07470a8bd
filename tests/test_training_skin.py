"""SkinGuard training runs end to end on a tiny image set: model, colour expert, rule, metrics and logs land where
the app reads them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from models.skin import CLASSES, SkinClassifier

TRAINING = Path(__file__).resolve().parents[1] / "training"

pytestmark = pytest.mark.slow


def write_images(folder, per_class: int, rng) -> None:
    """Each class a different mean colour (skin-like), so a two-epoch CNN has something to learn."""
    for index, name in enumerate(CLASSES):
        (folder / name).mkdir(parents=True)
        base = np.array([200 - 25 * index, 140 - 10 * index, 110 + 8 * index])
        for n in range(per_class):
            pixels = np.clip(base + rng.normal(0, 12, (48, 48, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(folder / name / f"{name}_{n}.jpg")


def test_one_command_trains_calibrates_and_evaluates(tmp_path):
    rng = np.random.default_rng(0)
    write_images(tmp_path / "data" / "train", 30, rng)
    write_images(tmp_path / "data" / "val", 6, rng)
    out = tmp_path / "out"
    # Its own process, as from the command line (TensorFlow's thread settings are fixed once it starts).
    run = subprocess.run([sys.executable, str(TRAINING / "train_skin.py"), "--data", str(tmp_path / "data"), "--out", str(out),
                          "--cache", str(tmp_path / "cache"), "--size", "32", "--widths", "8,8,8,8,8,8",
                          "--epochs", "2", "--batch", "8", "--max-minutes", "5", "--no-tta"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    log = json.loads((out / "training_log.json").read_text())
    assert [row["epoch"] for row in log] == [1, 2] and all("val_balanced_accuracy" in row for row in log)
    config = json.loads((out / "skinguard.json").read_text())
    assert config["image_size"] == 32 and config["classes"] == CLASSES and config["temperature"] > 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["n"] == 6 * len(CLASSES)
    for key in ("accuracy", "balanced_accuracy", "macro_f1", "mel_sensitivity", "ece"):
        assert 0.0 <= metrics[key] <= 1.0
    assert sorted(metrics["recall"]) == sorted(CLASSES)
    assert (out / "confusion_val.png").stat().st_size > 0

    cnn_only = metrics
    # The colour expert and the fusion, fitted on the same photos; the app then reads them with the CNN.
    run = subprocess.run([sys.executable, str(TRAINING / "train_skin_colour.py"), "--data", str(tmp_path / "data"),
                          "--out", str(out), "--cache", str(tmp_path / "cache"), "--max-trees", "50", "--folds", "3"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    config = json.loads((out / "skinguard.json").read_text())
    assert np.array(config["fusion"]["weights"]).shape == (len(CLASSES), 2 * len(CLASSES))
    assert config["colour"]["trees_per_class"] in range(25, 51, 25) and config["colour"]["fitted_on"] == 30 * len(CLASSES)
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["colour_expert"]["trees_per_class"] == config["colour"]["trees_per_class"]
    # Each class has its own colour here, so colour alone tells them apart once the expert is fused in.
    assert metrics["accuracy"] >= cnn_only["accuracy"] and metrics["accuracy"] >= 0.8
    classifier = SkinClassifier(out / "skinguard.keras")
    assert classifier.colour is not None and "colour expert" in classifier.source
