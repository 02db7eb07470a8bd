"""How often SkinGuard says "I can't tell" on images that are not dermoscopy photos of a lesion, and on real lesions.

    PYTHONPATH=$PWD .venv/bin/python scripts/eval_skin_ood.py [--split heldout|tuning] [--val DIR] [--json]
    PYTHONPATH=$PWD .venv/bin/python scripts/eval_skin_ood.py --fit /work/shared/data/skin/train

`--fit` refits the image-statistics model (`models.skin_ood.fit_image_model`) on the TRAIN photos only and writes
it into `data/skin/skinguard.json` "ood" "image_model"; nothing else in the file changes.

The non-lesion set is built here, never committed as pixels: programmatic images (plain skin tones across
Fitzpatrick types I-VI, plain colours, gradients, Gaussian/uniform/salt-and-pepper noise, checkerboards, rendered
text) drawn from a seed per split, and real non-skin photos and pages found on the machine, listed in
`data/skin/ood/real_images.csv` with the split each belongs to (tuning or held-out, split by source file, so no
crop of a held-out photo is ever seen while tuning). Files that are missing on a machine are skipped and counted.
The thresholds in `data/skin/skinguard.json` "ood" were chosen on the tuning split; report the held-out split.
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from models.skin_image import ImageError, load_rgb, to_array

ROOT = Path(__file__).resolve().parents[1]
REAL_LIST = ROOT / "data" / "skin" / "ood" / "real_images.csv"
SHARED = ROOT.parent / "shared" / "data"
SEEDS = {"tuning": 1, "heldout": 2}
PER_KIND = 40  # programmatic images per kind and split
SIDE = 256  # programmatic images are drawn at this size, then go through the app's own resize

# Skin tones for Fitzpatrick types I-VI (sRGB of typical forearm skin), jittered per image.
FITZPATRICK = [(247, 224, 208), (236, 198, 170), (222, 172, 134), (188, 132, 92), (141, 92, 62), (84, 56, 40)]
TEXT = ["Haemoglobin 13.5 g/dL  12.0-16.0", "Patient: J. Smith  DOB 01/02/1970", "The quick brown fox jumps",
        "Glucose (fasting) 5.4 mmol/L", "Invoice #4411  Total due: 120.00", "Chapter 3. Results and discussion"]


@dataclass
class Sample:
    """One non-lesion image: its kind (the row of the report), a name, and the model-size array."""
    kind: str
    name: str
    array: np.ndarray


def _skin_tone(rng: np.random.Generator) -> np.ndarray:
    base = np.asarray(FITZPATRICK[rng.integers(len(FITZPATRICK))], dtype=np.float64)
    return np.clip(base + rng.normal(0, 8, 3), 0, 255)


def _plain_skin(rng: np.random.Generator) -> np.ndarray:
    """A skin tone with mild sensor noise (sigma 0-3 grey levels)."""
    image = np.broadcast_to(_skin_tone(rng), (SIDE, SIDE, 3)) + rng.normal(0, rng.uniform(0, 3), (SIDE, SIDE, 1))
    return image


def _plain_colour(rng: np.random.Generator) -> np.ndarray:
    return np.broadcast_to(rng.uniform(0, 255, 3), (SIDE, SIDE, 3)).copy()


def _gradient(rng: np.random.Generator) -> np.ndarray:
    """A linear or radial blend of two colours (skin tones half of the time)."""
    first, second = (_skin_tone(rng), _skin_tone(rng)) if rng.random() < 0.5 else rng.uniform(0, 255, (2, 3))
    yy, xx = np.mgrid[0:SIDE, 0:SIDE] / (SIDE - 1)
    if rng.random() < 0.5:
        angle = rng.uniform(0, 2 * np.pi)
        t = (np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5)) / np.sqrt(0.5) + 0.5
    else:
        t = np.hypot(xx - rng.uniform(0.2, 0.8), yy - rng.uniform(0.2, 0.8)) / np.sqrt(0.5)
    t = np.clip(t, 0, 1)[..., None]
    return first * (1 - t) + second * t


def _noise(rng: np.random.Generator) -> np.ndarray:
    """Gaussian, uniform or salt-and-pepper noise, grey or colour, sometimes over a skin tone."""
    shape = (SIDE, SIDE, 3) if rng.random() < 0.6 else (SIDE, SIDE, 1)
    which = rng.integers(3)
    if which == 0:
        centre = _skin_tone(rng) if rng.random() < 0.5 else rng.uniform(60, 200, 3)
        image = centre + rng.normal(0, rng.uniform(15, 80), shape)
    elif which == 1:
        image = rng.uniform(0, 255, shape) * np.ones(3)
    else:
        image = np.broadcast_to(_skin_tone(rng), (SIDE, SIDE, 3)).copy()
        mask = rng.random((SIDE, SIDE))
        share = rng.uniform(0.05, 0.3)
        image[mask < share / 2] = 0
        image[mask > 1 - share / 2] = 255
    return np.broadcast_to(image, (SIDE, SIDE, 3))


def _checkerboard(rng: np.random.Generator) -> np.ndarray:
    cell = int(rng.integers(4, 64))
    yy, xx = np.mgrid[0:SIDE, 0:SIDE] // cell
    first, second = rng.uniform(0, 255, (2, 3))
    return np.where(((yy + xx) % 2 == 0)[..., None], first, second)


def _text(rng: np.random.Generator) -> np.ndarray:
    """Lines of rendered text on paper (white, cream or a light colour), dark ink, random size."""
    paper = tuple(int(v) for v in rng.uniform(200, 255, 3))
    ink = tuple(int(v) for v in rng.uniform(0, 90, 3))
    image = Image.new("RGB", (SIDE * 2, SIDE * 2), paper)
    draw = ImageDraw.Draw(image)
    size = int(rng.integers(10, 40))
    font = ImageFont.load_default(size=size)
    for line in range(int(SIDE * 2 / (size * 1.4))):
        draw.text((int(rng.integers(0, 30)), int(8 + line * size * 1.4)), TEXT[int(rng.integers(len(TEXT)))],
                  fill=ink, font=font)
    return np.asarray(image)


GENERATORS: dict[str, Callable[[np.random.Generator], np.ndarray]] = {
    "plain_skin": _plain_skin, "plain_colour": _plain_colour, "gradient": _gradient, "noise": _noise,
    "checkerboard": _checkerboard, "text": _text}


def programmatic(split: str, size: int, per_kind: int = PER_KIND) -> list[Sample]:
    """`per_kind` images of every programmatic kind, from the split's own seed."""
    rng = np.random.default_rng(SEEDS[split])
    samples = []
    for kind, make in GENERATORS.items():
        for index in range(per_kind):
            image = Image.fromarray(np.clip(make(rng), 0, 255).astype(np.uint8))
            samples.append(Sample(kind, f"{kind}_{index}", to_array(image, size)))
    return samples


def _resolve(root: str, relative: str) -> Path | None:
    """A listed file: root is 'shared', a Python package name (its install folder) or '/' (absolute)."""
    if root == "shared":
        return SHARED / relative
    if root == "/":
        return Path("/") / relative
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / relative


def _views(image: Image.Image) -> list[tuple[str, Image.Image]]:
    """The whole image, its centre and its four quadrants: a user may upload any close-up of a photo."""
    w, h = image.size
    boxes = {"centre": (w // 4, h // 4, 3 * w // 4, 3 * h // 4), "top_left": (0, 0, w // 2, h // 2),
             "top_right": (w // 2, 0, w, h // 2), "bottom_left": (0, h // 2, w // 2, h),
             "bottom_right": (w // 2, h // 2, w, h)}
    return [("full", image)] + [(name, image.crop(box)) for name, box in boxes.items()]


def real_images(split: str, size: int) -> tuple[list[Sample], list[str]]:
    """The listed real non-skin images of `split` (each with five crops), and the listed files not found here."""
    samples, missing = [], []
    with REAL_LIST.open() as handle:
        for row in csv.DictReader(handle):
            if row["split"] != split:
                continue
            path = _resolve(row["root"], row["path"])
            try:
                if path is None or not path.is_file():
                    raise ImageError("missing")
                image = load_rgb(path)
            except ImageError:
                missing.append(f"{row['root']}:{row['path']}")
                continue
            for view, crop in _views(image):
                samples.append(Sample(row["kind"], f"{Path(row['path']).name}:{view}", to_array(crop, size)))
    return samples, missing


def non_lesion_set(split: str, size: int) -> tuple[list[Sample], list[str]]:
    """Programmatic and real non-lesion images of one split, and the listed real files missing here."""
    real, missing = real_images(split, size)
    return programmatic(split, size) + real, missing


def rates_by_kind(samples: list[Sample], uncertain: list[bool]) -> dict[str, dict]:
    """Per kind: n and the share answered "I can't tell"."""
    kinds: dict[str, list[bool]] = {}
    for sample, flag in zip(samples, uncertain):
        kinds.setdefault(sample.kind, []).append(flag)
    return {kind: {"n": len(flags), "cant_tell_rate": float(np.mean(flags))} for kind, flags in kinds.items()}


def fit(train_dir: Path, config_path: Path) -> None:
    """Fit the image-statistics model on DIR/<class>/*.jpg and store it in the config's "ood" block."""
    from models.skin_ood import fit_image_model
    from skin.cli import labelled_images

    config = json.loads(config_path.read_text())
    files, _ = labelled_images(train_dir)
    images = np.stack([to_array(load_rgb(path), int(config["image_size"])) for path in files])
    model = fit_image_model(images)
    config["ood"]["image_model"] = model.to_config()
    config_path.write_text(json.dumps(config, indent=1))
    print(f"fitted on {len(images)} photos of {train_dir}; ranges {model.ranges}; "
          f"max_distance {model.max_distance:.2f}; written to {config_path}")


def main(argv: list[str] | None = None) -> int:
    from models.skin import SkinClassifier
    from settings import get_settings
    from skin.cli import evaluate

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SEEDS), default="heldout")
    parser.add_argument("--val", default=str(SHARED / "skin" / "val"), help="real lesions: DIR/<class>/*.jpg")
    parser.add_argument("--fit", metavar="TRAIN_DIR", help="refit the image-statistics model on these photos")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if args.fit:
        fit(Path(args.fit), Path(get_settings().skin_model).with_suffix(".json"))
        return 0
    classifier = SkinClassifier(get_settings().skin_model)
    samples, missing = non_lesion_set(args.split, classifier.size)
    predictions = classifier.classify_arrays(np.stack([s.array for s in samples]))
    flags = [p.uncertain for p in predictions]
    report = {"split": args.split, "non_lesion": rates_by_kind(samples, flags),
              "non_lesion_all": {"n": len(flags), "cant_tell_rate": float(np.mean(flags))},
              "missing_real_files": missing, "confident_non_lesions": [
                  f"{s.kind}/{s.name}: {p.top_label} {p.confidence:.0%}" for s, p in zip(samples, predictions)
                  if not p.uncertain]}
    if Path(args.val).is_dir():
        metrics = evaluate(classifier, args.val)
        report["val_lesions"] = {key: metrics[key] for key in ("n", "uncertain_rate", "accuracy", "balanced_accuracy",
                                                               "mel_sensitivity", "ece")}
    if args.json:
        print(json.dumps(report))
        return 0
    print(f'"I can\'t tell" rate on the {args.split} non-lesion set ({len(missing)} listed real files missing here)')
    for kind, row in report["non_lesion"].items():
        print(f"  {kind:14s} n={row['n']:4d}  {row['cant_tell_rate']:.1%}")
    print(f"  {'all':14s} n={len(flags):4d}  {report['non_lesion_all']['cant_tell_rate']:.1%}")
    for line in report["confident_non_lesions"]:
        print(f"    confident: {line}")
    if "val_lesions" in report:
        val = report["val_lesions"]
        print(f"Real lesions ({args.val}): n={val['n']}  \"I can't tell\" {val['uncertain_rate']:.1%}  "
              f"accuracy {val['accuracy']:.3f}  balanced {val['balanced_accuracy']:.3f}  "
              f"mel sensitivity {val['mel_sensitivity']:.3f}  ECE {val['ece']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
