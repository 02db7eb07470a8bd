"""SkinGuard evaluation metrics (numpy only) and the confusion-matrix plot."""
from __future__ import annotations

from pathlib import Path

import numpy as np


def expected_calibration_error(labels: np.ndarray, probs: np.ndarray, bins: int = 15) -> float:
    """ECE of the top-1 confidence over `bins` equal-width bins."""
    confidence = probs.max(1)
    correct = (probs.argmax(1) == labels).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    ece = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            ece += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(ece)


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def compute(labels: np.ndarray, probs: np.ndarray, classes: list[str]) -> dict:
    """accuracy, balanced_accuracy, macro_f1, recall, precision, mel_sensitivity, ece, confusion."""
    labels = np.asarray(labels)
    predicted = probs.argmax(1)
    matrix = confusion_matrix(labels, predicted, len(classes))
    support = matrix.sum(1)
    predicted_count = matrix.sum(0)
    true_positive = np.diag(matrix).astype(float)
    recall = np.divide(true_positive, support, out=np.zeros(len(classes)), where=support > 0)
    precision = np.divide(true_positive, predicted_count, out=np.zeros(len(classes)), where=predicted_count > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(len(classes)), where=(precision + recall) > 0)
    present = support > 0
    return {
        "n": int(len(labels)),
        "accuracy": float((predicted == labels).mean()) if len(labels) else 0.0,
        "balanced_accuracy": float(recall[present].mean()) if present.any() else 0.0,
        "macro_f1": float(f1[present].mean()) if present.any() else 0.0,
        "recall": {name: float(r) for name, r in zip(classes, recall)},
        "precision": {name: float(p) for name, p in zip(classes, precision)},
        "mel_sensitivity": float(recall[classes.index("mel")]) if "mel" in classes else 0.0,
        "ece": expected_calibration_error(labels, probs),
        "support": {name: int(s) for name, s in zip(classes, support)},
        "confusion": matrix.tolist(),
    }


def plot_confusion(matrix: list[list[int]], classes: list[str], path: str | Path, title: str = "SkinGuard, val split") -> Path:
    """Save a row-normalised confusion-matrix heat map with raw counts and shares, as PNG (Pillow only)."""
    from PIL import Image, ImageDraw, ImageFont

    counts = np.asarray(matrix)
    rates = counts / np.maximum(counts.sum(1, keepdims=True), 1)
    cell, left, top = 84, 70, 60
    n = len(classes)
    image = Image.new("RGB", (left + n * cell + 20, top + n * cell + 50), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=14)
    draw.text((left, 12), title + " (rows: true, columns: predicted)", fill="black", font=font)
    for i in range(n):
        draw.text((10, top + i * cell + cell // 2 - 8), classes[i], fill="black", font=font)
        draw.text((left + i * cell + cell // 2 - 14, top + n * cell + 10), classes[i], fill="black", font=font)
        for j in range(n):
            shade = int(255 - 200 * rates[i, j])
            box = (left + j * cell, top + i * cell, left + (j + 1) * cell - 2, top + (i + 1) * cell - 2)
            draw.rectangle(box, fill=(shade, shade, 255))
            colour = "white" if rates[i, j] > 0.5 else "black"
            draw.text((box[0] + 8, box[1] + 22), f"{counts[i, j]}", fill=colour, font=font)
            draw.text((box[0] + 8, box[1] + 44), f"{rates[i, j]:.0%}", fill=colour, font=font)
    path = Path(path)
    image.save(path)
    return path
