"""SkinGuard inference speed once loaded: ms per image for single photos (the app's case) and batches.

    .venv/bin/python scripts/benchmark_skin.py [--model data/skin/skinguard.keras] [--images DIR] [--n 50]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    import numpy as np

    from models.skin import SkinClassifier
    from settings import get_settings
    from skin.cli import labelled_images

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=get_settings().skin_model)
    parser.add_argument("--images", default=str(ROOT.parent / "shared" / "data" / "skin" / "val"))
    parser.add_argument("--n", type=int, default=50)
    args = parser.parse_args()

    started = time.perf_counter()
    classifier = SkinClassifier(args.model)
    print(f"load: {time.perf_counter() - started:.1f} s ({args.model}, TTA {'on' if classifier.config.get('tta') else 'off'})")
    files, _ = labelled_images(Path(args.images))
    files = files[:: max(1, len(files) // args.n)][: args.n]
    if not files:
        print(f"no images under {args.images}/<class>/", file=sys.stderr)
        return 1
    classifier.classify(files[0])  # warm-up
    timings = []
    for path in files:
        started = time.perf_counter()
        classifier.classify(path)
        timings.append((time.perf_counter() - started) * 1000)
    print(f"single photo (decode + resize + CNN + checks): median {np.median(timings):.1f} ms, "
          f"p90 {np.percentile(timings, 90):.1f} ms over {len(timings)} images")
    from models.skin_image import load_rgb, to_array
    batch = np.stack([to_array(load_rgb(p), classifier.size) for p in files])
    started = time.perf_counter()
    classifier.classify_arrays(batch)
    print(f"batch of {len(batch)}: {(time.perf_counter() - started) * 1000 / len(batch):.1f} ms per image")
    return 0


if __name__ == "__main__":
    sys.exit(main())
