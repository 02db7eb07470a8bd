"""`python app.py classify IMAGE... [--json]` and `python app.py eval-skin DIR [--json]`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from models.skin import CLASS_NAMES, CLASSES, ImageError, SkinClassifier
from models.skin_image import load_rgb, to_array

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _classifier():
    from models.registry import ModelUnavailable
    from models.skin import get_skin_classifier
    from settings import get_settings

    try:
        return get_skin_classifier(get_settings())
    except ModelUnavailable as error:
        raise SystemExit(_fail(str(error))) from None


def classify_command(args) -> int:
    """Print one JSON object per image (JSON Lines with --json); unreadable files get an "error" and exit 1."""
    classifier = _classifier()
    failed = 0
    for file in args.images:
        try:
            record = classifier.classify(file).to_json(file)
        except ImageError as error:
            failed += 1
            record = {"file": file, "label": None, "confidence": None, "probs": {}, "uncertain": True, "error": str(error)}
            print(f"error: {file}: {error}", file=sys.stderr)
        if args.json:
            print(json.dumps(record))
        elif "error" not in record:
            verdict = f"can't tell ({record['reason']})" if record["uncertain"] else CLASS_NAMES[record["label"]]
            probs = ", ".join(f"{k} {v:.0%}" for k, v in record["probs"].items())
            print(f"{file}: {verdict}; confidence {record['confidence']:.0%}; {probs}")
    return 1 if failed else 0


def labelled_images(directory: Path) -> tuple[list[Path], np.ndarray]:
    """DIR/<class>/*.jpg (also .jpeg/.png) for the five SkinGuard classes."""
    files, labels = [], []
    for index, name in enumerate(CLASSES):
        for path in sorted((directory / name).glob("*")):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                files.append(path)
                labels.append(index)
    return files, np.array(labels, dtype=np.int64)


def evaluate(classifier: SkinClassifier, directory: str | Path, batch: int = 256) -> dict:
    """The eval-skin metrics of `classifier` on DIR/<class>/*.jpg; unreadable images are counted, not scored."""
    from skin import metrics as skin_metrics

    directory = Path(directory)
    files, labels = labelled_images(directory)
    if not files:
        raise ValueError(f"no images found under {directory}/<class>/ for classes {', '.join(CLASSES)}")
    arrays, kept, skipped = [], [], []
    for path, label in zip(files, labels):
        try:
            arrays.append(to_array(load_rgb(path), classifier.size))
            kept.append(label)
        except ImageError:
            skipped.append(str(path))
    probs, uncertain = [], 0
    for start in range(0, len(arrays), batch):
        chunk = np.stack(arrays[start:start + batch])
        predictions = classifier.classify_arrays(chunk)
        probs.extend([[p.probs[c] for c in CLASSES] for p in predictions])
        uncertain += sum(p.uncertain for p in predictions)
    metrics = skin_metrics.compute(np.array(kept), np.array(probs), CLASSES)
    metrics.update({"classes": CLASSES, "uncertain_rate": uncertain / max(len(kept), 1), "skipped": skipped,
                    "dir": str(directory)})
    return metrics


def eval_command(args) -> int:
    directory = Path(args.dir)
    if not directory.is_dir():
        return _fail(f"{directory} is not a folder")
    classifier = _classifier()
    try:
        metrics = evaluate(classifier, directory)
    except ValueError as error:
        return _fail(str(error))
    if args.json:
        print(json.dumps(metrics))
        return 0
    print(f"{metrics['n']} images in {directory}")
    for key in ("accuracy", "balanced_accuracy", "macro_f1", "mel_sensitivity", "ece", "uncertain_rate"):
        print(f"  {key:18s} {metrics[key]:.3f}")
    print("  recall:", ", ".join(f"{k} {v:.2f}" for k, v in metrics["recall"].items()))
    print("  confusion (rows true, columns predicted):", CLASSES)
    for name, row in zip(CLASSES, metrics["confusion"]):
        print(f"    {name:5s} {row}")
    return 0
