"""SkinGuard inference: a lazily loaded Keras CNN fused with a colour expert, calibrated probabilities,
and an honest "I can't tell".

The saved CNN outputs logits. When `skinguard.json` has a fusion (`training/train_skin_colour.py`), they are
combined with the colour expert's log-probabilities (`models.skin_colour`). Probabilities are
`softmax(logits / temperature + bias)`, with the temperature and bias chosen on the val split and stored in
`skinguard.json`, together with the out-of-distribution statistics. TensorFlow is imported only when
the model is first loaded.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from models.skin_colour import TreeEnsemble, colour_features, fuse
from models.skin_image import ImageError, load_rgb, to_array
from models.skin_ood import STATISTICS, UNLIKE, ColourStats, ImageModel, image_statistics

CLASSES = ["bcc", "df", "mel", "nv", "vasc"]
CLASS_NAMES = {"bcc": "Basal cell carcinoma", "df": "Dermatofibroma", "mel": "Melanoma",
               "nv": "Melanocytic nevus (mole)", "vasc": "Vascular lesion"}
URGENT = {"mel", "bcc"}

__all__ = ["CLASSES", "CLASS_NAMES", "URGENT", "ImageError", "SkinPrediction", "SkinClassifier",
           "ColourStats", "calibrated_probs", "fit_temperature", "get_skin_classifier"]


def calibrated_probs(logits: np.ndarray, temperature: float, bias) -> np.ndarray:
    """softmax(logits / temperature + bias), row-wise."""
    z = np.asarray(logits, dtype=np.float64) / temperature + np.asarray(bias, dtype=np.float64)
    z -= z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fit_temperature(logits: np.ndarray, labels: np.ndarray, bias) -> float:
    """The temperature minimising the negative log-likelihood (golden-section search on log T)."""
    def nll(log_t: float) -> float:
        p = calibrated_probs(logits, float(np.exp(log_t)), bias)
        return float(-np.log(p[np.arange(len(labels)), labels] + 1e-12).mean())

    low, high = np.log(0.05), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if nll(a) < nll(b):
            high = b
        else:
            low = a
    return float(np.exp((low + high) / 2))


@dataclass
class SkinPrediction:
    """One photo's result. `label` is None when SkinGuard cannot tell; `probs` are always shown."""
    label: str | None
    confidence: float
    probs: dict[str, float]
    uncertain: bool
    reason: str = ""
    top_label: str = ""  # the most likely class, even when uncertain
    checks: dict[str, float] = field(default_factory=dict)

    @property
    def urgent(self) -> bool:
        return self.label in URGENT

    def to_json(self, file: str) -> dict:
        """The `classify --json` record."""
        return {"file": file, "label": self.label or self.top_label, "confidence": round(self.confidence, 4),
                "probs": {k: round(v, 4) for k, v in self.probs.items()}, "uncertain": self.uncertain,
                "reason": self.reason}


class SkinClassifier:
    """The trained CNN, its colour expert and fusion (when trained), its calibration and out-of-distribution thresholds."""

    def __init__(self, model_path: str | Path):
        import keras
        import tensorflow as tf

        self.model_path = Path(model_path)
        config_path = self.model_path.with_suffix(".json")
        if not self.model_path.is_file():
            raise FileNotFoundError(f"{self.model_path} is missing (train it with training/train_skin.py)")
        self.config = json.loads(config_path.read_text())
        self.model = keras.models.load_model(self.model_path, compile=False)
        self.size = int(self.config["image_size"])
        two_heads = keras.Model(self.model.input, [self.model.output, self.model.get_layer("features").output])
        # One traced graph for any batch size: far faster per photo than eager calls.
        self._forward = tf.function(lambda images: two_heads(tf.cast(images, tf.float32), training=False),
                                    input_signature=[tf.TensorSpec([None, self.size, self.size, 3], tf.uint8)])
        self.temperature = float(self.config["temperature"])
        self.bias = np.asarray(self.config["bias"], dtype=np.float64)
        ood = self.config["ood"]
        self.feature_mean = np.asarray(ood["feature_mean"], dtype=np.float32)
        self.feature_std = np.asarray(ood["feature_std"], dtype=np.float32)
        # A config written by training/train_skin.py alone has no image model until it is refitted
        # (`scripts/eval_skin_ood.py --fit TRAIN_DIR`); such a model keeps only the colour and feature checks.
        self.image_model = ImageModel.from_config(ood["image_model"]) if "image_model" in ood else None
        self.colour = None
        if "fusion" in self.config:
            self.colour = TreeEnsemble.load(self.model_path.with_name(self.config["colour"]["file"]))
        expert = " + colour expert" if self.colour else ""
        self.source = f"{self.model_path.name}{expert} (trained from scratch on HAM10000/ISIC, {self.size}px)"
        self.predict_arrays(np.zeros((1, self.size, self.size, 3), np.uint8))  # build the graph once

    def _views(self, images: np.ndarray) -> np.ndarray:
        if not self.config.get("tta"):
            return images
        return np.concatenate([images, images[:, :, ::-1], images[:, ::-1, :], images[:, ::-1, ::-1]])

    def predict_arrays(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Logits (TTA-averaged when configured) and pooled features for (N, size, size, 3) uint8 arrays."""
        n = len(images)
        views = np.ascontiguousarray(self._views(images))
        logits, features = [], []
        for start in range(0, len(views), 256):
            out_logits, out_features = self._forward(views[start:start + 256])
            logits.append(out_logits.numpy())
            features.append(out_features.numpy())
        logits, features = np.concatenate(logits), np.concatenate(features)
        copies = len(views) // n
        return logits.reshape(copies, n, -1).mean(0), features[:n]

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        return calibrated_probs(logits, self.temperature, self.bias)

    def classify_arrays(self, images: np.ndarray) -> list[SkinPrediction]:
        logits, features = self.predict_arrays(images)
        if self.colour is not None:
            fusion = self.config["fusion"]
            logits = fuse(logits, self.colour.log_proba(colour_features(images)), fusion["weights"], fusion["intercept"])
        probs = self.probabilities(logits)
        distance = (((features - self.feature_mean) / self.feature_std) ** 2).mean(1)
        statistics = image_statistics(images)
        image_distance = self.image_model.distance(statistics) if self.image_model else np.zeros(len(images))
        return [self._decide(p, float(d), row, float(m)) for p, d, row, m in zip(probs, distance, statistics, image_distance)]

    def _decide(self, probs: np.ndarray, distance: float, statistics: np.ndarray, image_distance: float) -> SkinPrediction:
        """The label, or "I can't tell" with the first reason that applies: the image is not a dermoscopy-like photo
        of skin (models.skin_ood: plain, grainy, colourless, skin-coloured pixels too few, statistics unlike the
        training photos), its CNN features are far from the training photos, or no class is likely enough."""
        ood = self.config["ood"]
        top = int(probs.argmax())
        confidence = float(probs[top])
        by_class = {name: float(p) for name, p in zip(CLASSES, probs)}
        skin = float(statistics[STATISTICS.index("skin_fraction")])
        checks = {"feature_distance": round(distance, 3), "skin_fraction": round(skin, 3),
                  "image_distance": round(image_distance, 3)}
        image_model = self.image_model
        reasons = [
            image_model.range_reason(statistics) if image_model else "",
            "This does not look like a close-up photo of skin (its colours are unlike skin)."
            if skin < ood["min_skin_fraction"] else "",
            UNLIKE if image_model and image_distance > image_model.max_distance else "",
            "This photo looks unlike the dermoscopy images SkinGuard was trained on."
            if distance > ood["max_feature_distance"] else "",
            f"No class is likely enough (the most likely, {CLASSES[top]}, is only {confidence:.0%})."
            if confidence < float(self.config.get("uncertain_below", 0.5)) else "",
        ]
        reason = next((text for text in reasons if text), "")
        uncertain = bool(reason)
        return SkinPrediction(label=None if uncertain else CLASSES[top], confidence=confidence, probs=by_class,
                              uncertain=uncertain, reason=reason, top_label=CLASSES[top], checks=checks)

    def classify(self, image) -> SkinPrediction:
        """A path, bytes or PIL image -> SkinPrediction; raises ImageError for unusable files."""
        return self.classify_arrays(to_array(load_rgb(image), self.size)[None])[0]


def get_skin_classifier(settings) -> SkinClassifier:
    """The shared SkinGuard classifier, loaded on first use (raises models.registry.ModelUnavailable)."""
    from models.registry import REGISTRY

    path = settings.skin_model
    return REGISTRY.get_or_load("skin", lambda: SkinClassifier(path), feature="SkinGuard",
                                source=Path(path).name)
