"""Healytics speed: a 3-page text PDF to a flagged table, and OCR time per scanned page.

    python scripts/benchmark_reports.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "training"))

from make_reports import generate_reports, write_pdf, write_scanned_pdf  # noqa: E402

from reports.extract import extract_document  # noqa: E402
from reports.parser import parse_report  # noqa: E402


def main() -> int:
    report = generate_reports(seed=99, n=1, layouts=("multipage",))[0]
    with tempfile.TemporaryDirectory() as tmp:
        text_pdf, scan_pdf = Path(tmp) / "three_pages.pdf", Path(tmp) / "scan.pdf"
        write_pdf(report.pages, text_pdf)
        write_scanned_pdf(report.pages[:2], scan_pdf)
        parse_report(extract_document(text_pdf).pages)  # warm imports
        runs = []
        for _ in range(5):
            started = time.perf_counter()
            parsed = parse_report(extract_document(text_pdf).pages)
            runs.append(time.perf_counter() - started)
        print(f"text PDF, {len(report.pages)} pages -> {len(parsed.results)} results: "
              f"median {sorted(runs)[2]:.3f} s (target <= 1 s)")
        started = time.perf_counter()
        extract_document(scan_pdf)
        first = time.perf_counter() - started
        started = time.perf_counter()
        document = extract_document(scan_pdf)
        warm = time.perf_counter() - started
        pages = len(document.pages)
        print(f"OCR: {pages} scanned pages, first call {first:.1f} s (includes OCR model load), "
              f"then {warm / pages:.2f} s/page (target <= 10 s/page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
