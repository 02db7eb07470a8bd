"""SkinGuard's colour expert: colour and texture statistics of a lesion photo, scored by gradient-boosted trees.

The CNN is trained with strong colour augmentation, so it sees little of the absolute colour that
dermatologists read (the "C" of the ABCD rule: several browns, blue-grey, black). These statistics
keep it. The trees are fitted by `training/train_skin_colour.py` with scikit-learn and stored as plain
arrays (`skinguard_colour.npz`), so inference needs only NumPy and OpenCV: no pickle, no version lock.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["colour_features", "TreeEnsemble", "fusion_inputs", "fuse"]


def _image_features(rgb: np.ndarray) -> list[float]:
    import cv2

    height, width = rgb.shape[:2]
    features: list[float] = []
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    for space in (rgb, hsv, cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)):
        for channel in range(3):
            values = space[..., channel].astype(np.float32)
            centre = values[height // 4:3 * height // 4, width // 4:3 * width // 4]
            low, median, high = np.percentile(values, (5, 50, 95))
            features += [values.mean(), values.std(), low, median, high,
                         centre.mean(), centre.std(), centre.mean() - values.mean()]
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    laplacian = cv2.Laplacian(gray, cv2.CV_32F)
    gradient = np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    features += [np.abs(laplacian).mean(), laplacian.std(), gradient.mean(), gradient.std(), np.percentile(gradient, 90)]
    histogram = cv2.calcHist([hsv], [0, 1, 2], None, [6, 4, 4], [0, 180, 0, 256, 0, 256]).ravel()
    features += list(histogram / histogram.sum())
    dark = gray < np.percentile(gray, 30)  # the darkest 30%: roughly the lesion
    rows, cols = np.nonzero(dark if dark.any() else gray <= gray.min())  # a flat image has no darker part
    features += [cols.std() / width, rows.std() / height, abs(cols.mean() / width - 0.5), abs(rows.mean() / height - 0.5)]
    return features


def colour_features(images: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) uint8 photos -> (N, 177) float32: per channel of RGB, HSV and Lab the mean, spread,
    5/50/95th percentiles and the centre-versus-whole contrast; edge and gradient strength; a 6x4x4 HSV
    colour histogram; and the spread and off-centre shift of the darkest pixels (asymmetry)."""
    return np.array([_image_features(np.ascontiguousarray(image)) for image in images], dtype=np.float32)


@dataclass
class TreeEnsemble:
    """A multiclass gradient-boosted tree ensemble as flat arrays; all trees are walked at once.
    Node i of the flat arrays splits on `feature[i] <= threshold[i]`; `tree_root[t]` is tree t's first
    node, and tree t adds its leaf `value` to the raw score of class `tree_class[t]`."""
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    tree_root: np.ndarray
    tree_class: np.ndarray
    baseline: np.ndarray
    depth: int

    @classmethod
    def from_sklearn(cls, model) -> TreeEnsemble:
        """Export a fitted multiclass `HistGradientBoostingClassifier` (numeric features, no missing values)."""
        parts, roots, classes, offset, depth = [], [], [], 0, 0
        for per_class in model._predictors:
            for class_index, predictor in enumerate(per_class):
                nodes = predictor.nodes
                parts.append(nodes)
                roots.append(offset)
                classes.append(class_index)
                depth = max(depth, int(nodes["depth"].max()))
                offset += len(nodes)
        nodes = np.concatenate(parts)
        shift = np.repeat(np.array(roots), [len(p) for p in parts])
        baseline = np.asarray(model._baseline_prediction, dtype=np.float64).ravel()
        return cls(feature=nodes["feature_idx"].astype(np.int32), threshold=nodes["num_threshold"].astype(np.float64),
                   left=(nodes["left"] + shift).astype(np.int32), right=(nodes["right"] + shift).astype(np.int32),
                   is_leaf=nodes["is_leaf"].astype(bool), value=nodes["value"].astype(np.float64),
                   tree_root=np.array(roots, np.int32), tree_class=np.array(classes, np.int32),
                   baseline=baseline, depth=depth)

    def raw_scores(self, features: np.ndarray) -> np.ndarray:
        """(N, F) -> (N, classes) summed tree outputs plus the baseline (the model's raw decision values)."""
        features = np.asarray(features, dtype=np.float64)
        node = np.broadcast_to(self.tree_root, (len(features), len(self.tree_root))).copy()
        rows = np.arange(len(features))[:, None]
        for _ in range(self.depth):
            go_left = features[rows, self.feature[node]] <= self.threshold[node]
            node = np.where(self.is_leaf[node], node, np.where(go_left, self.left[node], self.right[node]))
        scores = np.zeros((len(features), len(self.baseline)))
        np.add.at(scores.T, self.tree_class, self.value[node].T)
        return scores + self.baseline

    def log_proba(self, features: np.ndarray) -> np.ndarray:
        scores = self.raw_scores(features)
        scores -= scores.max(axis=1, keepdims=True)
        return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, **{name: np.asarray(getattr(self, name)) for name in self.__dataclass_fields__})

    @classmethod
    def load(cls, path: str | Path) -> TreeEnsemble:
        with np.load(path) as stored:
            fields = {name: stored[name] for name in cls.__dataclass_fields__}
        fields["depth"] = int(fields["depth"])
        return cls(**fields)


def fusion_inputs(cnn_logits: np.ndarray, colour_log_proba: np.ndarray) -> np.ndarray:
    """What the fusion reads: [CNN logits, colour log-probabilities floored at log(1e-4)], one row per photo."""
    return np.hstack([cnn_logits, np.maximum(colour_log_proba, np.log(1e-4))])


def fuse(cnn_logits: np.ndarray, colour_log_proba: np.ndarray, weights, intercept) -> np.ndarray:
    """The fused logits: a linear map (classes x 2*classes weights, fitted on train) of `fusion_inputs`."""
    return fusion_inputs(cnn_logits, colour_log_proba) @ np.asarray(weights, np.float64).T + np.asarray(intercept, np.float64)
