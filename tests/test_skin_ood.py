"""SkinGuard on images that are not dermoscopy photos of a lesion: the committed classifier says "I can't tell"
with a clear reason, while real lesion photos keep their verdicts (issue 17)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from models.skin import SkinClassifier
from models.skin_ood import STATISTICS, ImageModel, fit_image_model, image_statistics
from settings import get_settings

VAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "skin" / "val"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def classifier():
    return SkinClassifier(get_settings().skin_model)


def plain(colour: tuple[int, int, int]) -> Image.Image:
    return Image.new("RGB", (400, 300), colour)


def issue_images() -> dict[str, Image.Image]:
    """The images of the issue: a plain skin tone ("Vascular lesion 79%"), a tan ("nevus 95%"), random noise
    ("basal cell carcinoma 66%"), and a blue image (already "I can't tell")."""
    noise = np.random.default_rng(17).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    return {"skin tone": plain((224, 172, 105)), "tan": plain((198, 134, 66)), "noise": Image.fromarray(noise),
            "blue": plain((40, 90, 200))}


def printed_page() -> Image.Image:
    page = Image.new("RGB", (500, 500), (250, 248, 240))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=18)
    for line in range(18):
        draw.text((20, 10 + 26 * line), "Creatinine 88 umol/L (ref 60-110)", fill=(20, 20, 30), font=font)
    return page


def skin_gradient() -> Image.Image:
    t = np.linspace(0, 1, 300)[None, :, None]
    pixels = np.asarray([240, 200, 170]) * (1 - t) + np.asarray([150, 100, 70]) * t
    return Image.fromarray(np.broadcast_to(pixels, (300, 300, 3)).astype(np.uint8))


@pytest.mark.parametrize("name", ["skin tone", "tan", "noise", "blue"])
def test_the_issue_images_get_i_cant_tell_with_a_reason(classifier, name):
    prediction = classifier.classify(issue_images()[name])
    assert prediction.uncertain and prediction.label is None
    assert "skin" in prediction.reason
    assert sum(prediction.probs.values()) == pytest.approx(1.0, abs=1e-6)  # probabilities are still reported


def test_plain_skin_is_called_plain_and_noise_grainy(classifier):
    images = issue_images()
    assert "almost plain" in classifier.classify(images["skin tone"]).reason
    assert "grainy" in classifier.classify(images["noise"]).reason


@pytest.mark.parametrize("make", [printed_page, skin_gradient])
def test_text_and_gradients_get_i_cant_tell(classifier, make):
    prediction = classifier.classify(make())
    assert prediction.uncertain and prediction.label is None and prediction.reason


def test_real_lesions_keep_their_verdicts(classifier):
    """The first two val photos of bcc, mel, nv and vasc: none is rejected as a non-lesion image (a photo may
    still be "I can't tell" because no class is likely enough, which is the model's own doubt)."""
    if not VAL.is_dir():
        pytest.skip("the shared skin images are not on this machine")
    files = [path for name in ("bcc", "mel", "nv", "vasc") for path in sorted((VAL / name).glob("*.jpg"))[:2]]
    predictions = [classifier.classify(path) for path in files]
    for path, prediction in zip(files, predictions):
        assert prediction.reason == "" or prediction.reason.startswith("No class is likely enough"), path.name
        assert prediction.checks["image_distance"] <= classifier.image_model.max_distance, path.name
    assert sum(p.label is not None for p in predictions) >= 6


def test_committed_image_model_matches_its_config():
    config = json.loads(Path(get_settings().skin_model).with_suffix(".json").read_text())["ood"]["image_model"]
    model = ImageModel.from_config(config)
    assert config["statistics"] == STATISTICS
    assert model.precision.shape == (len(STATISTICS), len(STATISTICS))
    assert set(model.ranges) == {"contrast", "edge", "grain", "chroma_spread"}


def test_fit_rejects_about_one_percent_of_its_own_photos():
    """Fitted on varied textured photos, the model rejects ~1% of them and a plain image outright."""
    rng = np.random.default_rng(3)
    base = rng.uniform(80, 220, (600, 1, 1, 3))
    smooth = np.repeat(np.repeat(rng.normal(0, 20, (600, 28, 28, 1)), 4, axis=1), 4, axis=2)
    photos = np.clip(base + smooth + rng.normal(0, 3, (600, 112, 112, 1)), 0, 255).astype(np.uint8)
    model = fit_image_model(photos)
    rejected = model.distance(image_statistics(photos)) > model.max_distance
    assert 0.005 <= rejected.mean() <= 0.02
    flat = np.full((1, 112, 112, 3), 150, np.uint8)
    assert model.range_reason(image_statistics(flat)[0])


def test_tuning_and_held_out_sets_share_no_image():
    """Real images are split by source file and programmatic ones by seed, so no held-out image is tuned on."""
    from scripts.eval_skin_ood import non_lesion_set

    tuning, _ = non_lesion_set("tuning", 112)
    heldout, _ = non_lesion_set("heldout", 112)
    assert {s.name.split(":")[0] for s in tuning if ":" in s.name}.isdisjoint(
        {s.name.split(":")[0] for s in heldout if ":" in s.name})
    tuning_pixels = {s.array.tobytes() for s in tuning}
    assert not any(s.array.tobytes() in tuning_pixels for s in heldout)
    assert {"plain_skin", "noise", "gradient", "text", "checkerboard"} <= {s.kind for s in heldout}
