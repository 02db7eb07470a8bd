"""SkinGuard metrics against hand-computed values, and the calibration maths."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from models.skin import CLASSES, calibrated_probs, fit_temperature
from skin.metrics import compute, expected_calibration_error, plot_confusion
from training.train_skin import choose_decision_rule, target_margins


def one_hot_probs(predicted, confidence=0.9):
    probs = np.full((len(predicted), 5), (1 - confidence) / 4)
    probs[np.arange(len(predicted)), predicted] = confidence
    return probs


def test_metrics_on_a_known_confusion():
    labels = np.array([0, 0, 1, 2, 2, 2, 2, 3, 3, 4])
    predicted = np.array([0, 3, 1, 2, 2, 2, 3, 3, 3, 2])
    m = compute(labels, one_hot_probs(predicted), CLASSES)
    assert m["accuracy"] == 0.7
    assert m["recall"] == {"bcc": 0.5, "df": 1.0, "mel": 0.75, "nv": 1.0, "vasc": 0.0}
    assert np.isclose(m["balanced_accuracy"], (0.5 + 1 + 0.75 + 1 + 0) / 5)
    assert m["mel_sensitivity"] == 0.75
    assert m["confusion"][2] == [0, 0, 3, 1, 0] and m["confusion"][4] == [0, 0, 1, 0, 0]
    precision_mel, recall_mel = 3 / 4, 0.75
    f1 = [2 * 1 * 0.5 / 1.5, 1.0, 2 * precision_mel * recall_mel / (precision_mel + recall_mel), 2 * 0.5 * 1 / 1.5, 0.0]
    assert np.isclose(m["macro_f1"], np.mean(f1))
    assert np.isclose(m["ece"], abs(0.9 - 0.7))  # every confidence is 0.9, accuracy 0.7: one bin


def test_ece_is_zero_when_confidence_matches_accuracy():
    labels = np.array([0, 0, 0, 0, 1])
    probs = one_hot_probs(np.array([0, 0, 0, 0, 0]), confidence=0.8)
    assert expected_calibration_error(labels, probs) < 1e-9


def test_temperature_scaling_recovers_the_true_temperature():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(4000, 5))
    true = calibrated_probs(logits, 2.5, np.zeros(5))
    labels = np.array([rng.choice(5, p=p) for p in true])
    assert abs(fit_temperature(logits, labels, np.zeros(5)) - 2.5) < 0.25
    assert np.allclose(calibrated_probs(logits[:3], 2.0, np.zeros(5)).sum(1), 1)


def test_confusion_plot_is_a_png(tmp_path):
    path = plot_confusion([[5, 1, 0, 0, 0]] * 5, CLASSES, tmp_path / "cm.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 300


def test_target_margins_are_signed_standard_errors():
    labels = np.repeat(np.arange(5), [78, 18, 173, 1009, 21])
    on_target = target_margins({"accuracy": 0.80, "balanced_accuracy": 0.70, "mel_sensitivity": 0.75, "ece": 0.08}, labels)
    assert all(abs(margin) < 1e-9 for margin in on_target.values())
    margins = target_margins({"accuracy": 0.85, "balanced_accuracy": 0.65, "mel_sensitivity": 0.75, "ece": 0.06}, labels)
    assert margins["accuracy"] > 0 > margins["balanced_accuracy"] and margins["ece"] == pytest.approx(2.0)
    assert margins["accuracy"] == pytest.approx(0.05 / np.sqrt(0.8 * 0.2 / len(labels)))


def test_decision_rule_boosts_melanoma_until_it_is_found():
    """Melanomas score a little below moles: only a melanoma boost reaches 75% sensitivity, and the rule finds it."""
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(5), [40, 20, 100, 400, 20])
    logits = rng.normal(0, 1, (len(labels), 5))
    logits[np.arange(len(labels)), labels] += 3.0
    melanoma = labels == 2
    logits[melanoma, 3] = logits[melanoma, 2] + rng.normal(0.3, 0.4, melanoma.sum())  # looks like a mole
    unboosted = compute(labels, calibrated_probs(logits, 1.0, np.zeros(5)), CLASSES)
    assert unboosted["mel_sensitivity"] < 0.5
    rule = choose_decision_rule(logits, labels, np.bincount(labels) / len(labels))
    chosen = compute(labels, calibrated_probs(logits, rule["temperature"], rule["bias"]), CLASSES)
    assert rule["beta"] > 0 and chosen["mel_sensitivity"] >= 0.75
