"""Healytics speed: text PDF pages to a flagged table, OCR per scanned page and per tilted photo, and a 1 MB
one-line text (the parser must stay linear).

    python scripts/benchmark_reports.py [--photos DIR]

Targets (issue #15): a text PDF page parses in <= 0.1 s; a photo page is OCR'd in <= 5 s on 2 cores. OCR is
reported as wall time and as process CPU time: on a shared machine the wall time includes waiting for other
work, while the CPU time (the process and its tesseract children) bounds what one uncontended 2-core run needs.
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from reports.extract import extract_document  # noqa: E402
from reports.parser import parse_report  # noqa: E402
from training.make_reports import generate_reports, write_pdf, write_scanned_pdf  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and its finished children (tesseract runs as a child for Cyrillic pages)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(function, *args):
    """(result, wall seconds, CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), _cpu()
    result = function(*args)
    return result, time.perf_counter() - wall, _cpu() - cpu


def tilted_photo(scan_pdf: Path, folder: Path) -> Path:
    """The first scanned page as a phone-like photo: turned 1.5 degrees on a grey background, JPEG."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(str(scan_pdf))[0].render(scale=150 / 72).to_pil().convert("RGB")
    photo = page.rotate(1.5, expand=True, fillcolor=(90, 90, 90))
    path = folder / "photo.jpg"
    photo.save(path, quality=85)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=Path, help="also OCR every .jpg/.png in this folder (e.g. real photos)")
    args = parser.parse_args()
    report = generate_reports(seed=99, n=1, layouts=("multipage",))[0]
    with tempfile.TemporaryDirectory() as tmp:
        text_pdf, scan_pdf = Path(tmp) / "three_pages.pdf", Path(tmp) / "scan.pdf"
        write_pdf(report.pages, text_pdf)
        write_scanned_pdf(report.pages[:2], scan_pdf)
        parse_report(extract_document(text_pdf).pages)  # warm imports
        runs = sorted(timed(lambda: parse_report(extract_document(text_pdf).pages))[1] for _ in range(5))
        pages = len(report.pages)
        print(f"text PDF: {pages} pages, median {runs[2]:.3f} s = {runs[2] / pages:.3f} s/page (target <= 0.1 s/page)")

        _, first, _ = timed(extract_document, scan_pdf)
        document, wall, cpu = timed(extract_document, scan_pdf)
        count = len(document.pages)
        print(f"OCR scan: {count} pages, first call {first:.1f} s (model load), then {wall / count:.2f} s/page wall, "
              f"{cpu / count:.2f} s/page CPU (target <= 5 s/page on 2 cores)")
        photos = [tilted_photo(scan_pdf, Path(tmp))]
        if args.photos:
            photos += sorted(p for p in args.photos.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
        for photo in photos:
            document, wall, cpu = timed(extract_document, photo)
            results = parse_report(document.pages).results
            print(f"OCR photo {photo.name}: {wall:.2f} s wall, {cpu:.2f} s CPU, {len(results)} results")

    for size in (100_000, 1_000_000):
        text = ("Glucose 95 mg/dL (70-99) " * (size // 25 + 1))[:size]
        _, wall, _ = timed(parse_report, text)
        print(f"one-line text of {size // 1000} KB: {wall:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
