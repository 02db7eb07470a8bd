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


class ColourStats:
    """How skin-like a photo's colours are: the share of pixels inside a broad YCbCr skin range
    (wide enough for pink, brown and dark skin; grey, blue, green or saturated non-skin colours fall outside)."""

    @staticmethod
    def skin_fraction(images: np.ndarray) -> np.ndarray:
        """Per image (N, H, W, 3 uint8) share of skin-coloured pixels."""
        rgb = images.astype(np.float32)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
        cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
        y = 0.299 * r + 0.587 * g + 0.114 * b
        skin = (cb >= 70) & (cb <= 130) & (cr >= 133) & (cr <= 185) & (y >= 20)
        return skin.reshape(len(images), -1).mean(1)

    @classmethod
    def from_images(cls, images: np.ndarray, batch: int = 512) -> np.ndarray:
        return np.concatenate([cls.skin_fraction(images[i:i + batch]) for i in range(0, len(images), batch)])


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
        skin = ColourStats.skin_fraction(images)
        return [self._decide(p, float(d), float(s)) for p, d, s in zip(probs, distance, skin)]

    def _decide(self, probs: np.ndarray, distance: float, skin: float) -> SkinPrediction:
        ood = self.config["ood"]
        top = int(probs.argmax())
        confidence = float(probs[top])
        by_class = {name: float(p) for name, p in zip(CLASSES, probs)}
        checks = {"feature_distance": round(distance, 3), "skin_fraction": round(skin, 3)}
        reason = ""
        if skin < ood["min_skin_fraction"]:
            reason = "This does not look like a close-up photo of skin (its colours are unlike skin)."
        elif distance > ood["max_feature_distance"]:
            reason = "This photo looks unlike the dermoscopy images SkinGuard was trained on."
        elif confidence < float(self.config.get("uncertain_below", 0.5)):
            reason = f"No class is likely enough (the most likely, {CLASSES[top]}, is only {confidence:.0%})."
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
