"""Read an uploaded record into page texts and lab results, with Healytics' extractor and parser."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class RecordError(ValueError):
    """A record that cannot be read; the message is meant for the user."""


@dataclass
class ReadRecord:
    pages: list[str]
    ocr_used: bool = False
    results: list = field(default_factory=list)  # reports.parser.LabResult


def read_record(path: str | Path, max_pages: int, max_bytes: int) -> ReadRecord:
    """Pages of a PDF, scan/photo or text file, plus its lab results; raises RecordError with a clear message."""
    from reports.extract import DocumentError, extract_document
    from reports.parser import parse_report

    try:
        document = extract_document(str(path), max_pages=max_pages, max_bytes=max_bytes)
    except DocumentError as error:
        raise RecordError(str(error)) from error
    pages = list(document.pages)
    if not any(page.strip() for page in pages):
        raise RecordError(f"{Path(path).name}: no readable text was found in this file.")
    try:
        results = list(parse_report(pages).results)
    except Exception:  # noqa: BLE001 - a record that is not a lab report is still a record
        results = []
    return ReadRecord(pages, bool(document.ocr_used), results)
