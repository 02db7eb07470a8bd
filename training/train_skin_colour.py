"""Fit SkinGuard's colour expert and its fusion with the CNN, then re-choose the decision rule on val.

    .venv/bin/python training/train_skin_colour.py --data ../shared/data/skin --out data/skin

Runs after `train_skin.py` on the model in OUT (skinguard.keras + skinguard.json), and updates OUT in place:
1. colour statistics of every train photo (`models.skin_colour.colour_features`, the same cached arrays and
   code as inference);
2. gradient-boosted trees on them, the number of trees chosen by 5-fold cross-validation on train grouped
   by lesion (`manifest.csv`, so no lesion is in both halves of a fold) on temperature-scaled log-loss;
3. the fusion, a class-weighted logistic regression on [CNN logits, out-of-fold colour log-probabilities] of
   the train photos (the CNN's logits on train are as good as on val: it does not overfit them);
4. on val only, the decision rule (temperature, prior and melanoma bias) as in `train_skin.py`.
Writes skinguard_colour.npz (the trees as arrays), the fusion and the rule into skinguard.json, metrics.json
and the confusion plot. Val is never used to fit the trees or the fusion.
"""
from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

from models.skin import CLASSES, calibrated_probs, fit_temperature  # noqa: E402
from models.skin_colour import TreeEnsemble, colour_features, fuse, fusion_inputs  # noqa: E402
from training.train_skin import (  # noqa: E402
    cached_split,
    choose_decision_rule,
    list_split,
    predict_logits,
    start_tensorflow,
    write_metrics,
)

log = logging.getLogger("train_skin_colour")
COLOUR_FILE = "skinguard_colour.npz"


def lesion_groups(data: Path, split: str, skip_variants: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """For the files of `split` (in `list_split` order): their lesion ids, and which ones to fit on
    (those whose manifest variant is not skipped). Without a manifest, every file is its own lesion."""
    files, _ = list_split(data / split)
    relative = [path.relative_to(data).as_posix() for path in files]
    manifest = data / "manifest.csv"
    if not manifest.is_file():
        return np.array(relative), np.ones(len(files), bool)
    rows = {row["path"]: row for row in csv.DictReader(manifest.open())}
    groups = np.array([rows[path]["lesion_id"] if path in rows else path for path in relative])
    keep = np.array([rows.get(path, {}).get("variant") not in skip_variants for path in relative])
    return groups, keep


def sample_weights(labels: np.ndarray, power: float) -> np.ndarray:
    """(1/frequency)^power per sample, averaging 1."""
    counts = np.bincount(labels, minlength=len(CLASSES)).astype(float)
    per_class = (counts.sum() / np.maximum(counts, 1)) ** power
    weights = per_class[labels]
    return weights / weights.mean()


def gradient_boosting(iterations: int, seed: int):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=iterations, learning_rate=0.05, max_leaf_nodes=31,
                                          l2_regularization=1.0, early_stopping=False, random_state=seed)


def out_of_fold(features, labels, groups, weights, max_trees: int, folds: int, seed: int) -> tuple[int, np.ndarray, list]:
    """Cross-validate by lesion, every 25 trees: the number of trees whose out-of-fold probabilities have the
    lowest weighted log-loss once a fitted temperature removes their overconfidence (the fusion rescales them
    anyway), and those out-of-fold probabilities."""
    from sklearn.model_selection import GroupKFold

    checkpoints = list(range(25, max_trees + 1, 25))
    staged = np.zeros((len(checkpoints), len(labels), len(CLASSES)))
    for train_rows, held_rows in GroupKFold(n_splits=folds).split(features, labels, groups):
        model = gradient_boosting(max_trees, seed).fit(features[train_rows], labels[train_rows], sample_weight=weights[train_rows])
        for trees, probs in enumerate(model.staged_predict_proba(features[held_rows]), start=1):
            if trees in checkpoints:
                staged[checkpoints.index(trees)][np.ix_(held_rows, model.classes_)] = probs
    curve = []
    for trees, probs in zip(checkpoints, staged):
        log_probs = np.log(np.clip(probs, 1e-12, 1))
        temperature = fit_temperature(log_probs, labels, np.zeros(len(CLASSES)))
        picked = calibrated_probs(log_probs, temperature, np.zeros(len(CLASSES)))[np.arange(len(labels)), labels]
        curve.append({"trees": trees, "temperature": round(temperature, 3),
                      "log_loss": round(float(-(np.log(picked + 1e-12) * weights).sum() / weights.sum()), 4)})
    best = int(np.argmin([row["log_loss"] for row in curve]))
    return checkpoints[best], staged[best], curve


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "skin"))
    parser.add_argument("--out", default=str(ROOT / "data" / "skin"), help="folder of the trained CNN; updated in place")
    parser.add_argument("--cache", default="/tmp/skinguard_cache")
    parser.add_argument("--max-trees", type=int, default=400, help="most trees per class tried by cross-validation")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--weight-power", type=float, default=0.5,
                        help="class weight = (1/freq)^power, for the trees and the fusion")
    parser.add_argument("--skip-variants", default="squashed_180x180_full_view",
                        help="manifest variants left out of the colour expert and the fusion (comma-separated): the "
                             "180x180 ISIC-archive photos come from another source and are squashed to a square")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.max_trees < 25:
        parser.error("--max-trees must be at least 25 (cross-validation checks every 25 trees)")

    import keras
    from sklearn.linear_model import LogisticRegression

    start_tensorflow(args.threads, args.seed)
    data, out, cache = Path(args.data), Path(args.out), Path(args.cache)
    config = json.loads((out / "skinguard.json").read_text())
    model = keras.models.load_model(out / "skinguard.keras", compile=False)
    train_x, train_y = cached_split(data / "train", config["image_size"], cache)
    val_x, val_y = cached_split(data / "val", config["image_size"], cache)
    groups, keep = lesion_groups(data, "train", set(filter(None, args.skip_variants.split(","))))
    started = time.time()
    train_logits = predict_logits(model, train_x, config["tta"])[keep]
    val_logits = predict_logits(model, val_x, config["tta"])
    train_features, val_features = colour_features(train_x[keep]), colour_features(val_x)
    labels, groups = train_y[keep], groups[keep]
    log.info("CNN logits and colour features of %d train (%d skipped) and %d val photos in %.0fs",
             len(labels), int((~keep).sum()), len(val_y), time.time() - started)

    weights = sample_weights(labels, args.weight_power)
    trees, out_of_fold_probs, curve = out_of_fold(train_features, labels, groups, weights, args.max_trees, args.folds, args.seed)
    log.info("cross-validated by lesion: %d trees per class (log-loss curve %s)", trees, curve)
    ensemble = TreeEnsemble.from_sklearn(gradient_boosting(trees, args.seed).fit(train_features, labels, sample_weight=weights))
    ensemble.save(out / COLOUR_FILE)

    fusion = LogisticRegression(C=0.1, max_iter=5000).fit(
        fusion_inputs(train_logits, np.log(np.clip(out_of_fold_probs, 1e-12, 1))), labels, sample_weight=weights)
    val_fused = fuse(val_logits, ensemble.log_proba(val_features), fusion.coef_, fusion.intercept_)
    prior = np.bincount(labels, minlength=len(CLASSES)) / len(labels)
    rule = choose_decision_rule(val_fused, val_y, prior)
    log.info("chosen rule %s", rule)

    config.update({"temperature": rule["temperature"], "bias": rule["bias"], "prior_alpha": rule["alpha"],
                   "mel_boost": rule["beta"],
                   "colour": {"file": COLOUR_FILE, "trees_per_class": trees, "cross_validation": curve,
                              "fitted_on": int(len(labels)), "args": vars(args)},
                   "fusion": {"weights": fusion.coef_.tolist(), "intercept": fusion.intercept_.tolist()}})
    (out / "skinguard.json").write_text(json.dumps(config, indent=1))
    write_metrics(out, data / "val")
    return 0


if __name__ == "__main__":
    sys.exit(main())
