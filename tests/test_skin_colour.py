"""The colour expert: its features, and its trees exported from scikit-learn to plain arrays."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from models.skin_colour import TreeEnsemble, colour_features, fuse, fusion_inputs


def photos(colours, size=32, seed=0):
    rng = np.random.default_rng(seed)
    return np.stack([np.clip(np.array(c) + rng.normal(0, 8, (size, size, 3)), 0, 255).astype(np.uint8) for c in colours])


def test_features_describe_colour_and_the_dark_centre():
    light, dark = photos([(200, 150, 120), (90, 60, 50)])
    spot = light.copy()
    spot[8:24, 8:24] = (60, 40, 40)  # a dark lesion in the middle of light skin
    features = colour_features(np.stack([light, dark, spot]))
    assert features.shape == (3, 177) and features.dtype == np.float32 and np.isfinite(features).all()
    red_mean = features[:, 0]
    assert red_mean[0] > red_mean[2] > red_mean[1]
    centre_contrast = features[:, 7]  # red: centre mean minus whole-image mean
    assert centre_contrast[2] < -20 and abs(centre_contrast[0]) < 5
    flat = np.full((1, 32, 32, 3), 120, np.uint8)  # no darker part at all
    assert np.isfinite(colour_features(flat)).all()


def test_exported_trees_give_the_same_probabilities_as_scikit_learn(tmp_path):
    rng = np.random.default_rng(1)
    features = rng.normal(size=(500, 6))
    labels = (features[:, 0] > 0).astype(int) + 2 * (features[:, 1] * features[:, 2] > 0.5)
    model = HistGradientBoostingClassifier(max_iter=30, random_state=0).fit(features, labels)
    ensemble = TreeEnsemble.from_sklearn(model)
    unseen = rng.normal(size=(40, 6))
    np.testing.assert_allclose(np.exp(ensemble.log_proba(unseen)), model.predict_proba(unseen), atol=1e-9)
    ensemble.save(tmp_path / "trees.npz")
    reloaded = TreeEnsemble.load(tmp_path / "trees.npz")
    np.testing.assert_allclose(reloaded.log_proba(unseen), ensemble.log_proba(unseen))


def test_fusion_is_a_linear_map_of_logits_and_floored_log_probabilities():
    logits = np.array([[1.0, -1.0]])
    log_proba = np.array([[np.log(0.5), -50.0]])
    assert fusion_inputs(logits, log_proba)[0, 3] == pytest.approx(np.log(1e-4))
    weights = np.array([[1, 0, 1, 0], [0, 1, 0, 1]])
    np.testing.assert_allclose(fuse(logits, log_proba, weights, [0.5, 0.0]), [[1 + np.log(0.5) + 0.5, -1 + np.log(1e-4)]])
