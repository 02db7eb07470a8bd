"""Read an uploaded record into page texts (and lab results, when the Healytics parser finds any)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class RecordError(ValueError):
    """A record that cannot be read; the message is meant for the user."""


@dataclass
class ReadRecord:
    pages: list[str]
    ocr_used: bool = False
    results: list = field(default_factory=list)


def read_record(path: str | Path, max_pages: int, max_bytes: int) -> ReadRecord:
    """Pages of a PDF or text file, plus parsed lab results; raises RecordError with a clear message."""
    path = Path(path)
    try:
        from reports.extract import DocumentError, extract_document
    except ModuleNotFoundError:  # Healytics' extractor not installed in this checkout yet
        pages, ocr_used = _read_plain(path, max_pages, max_bytes), False
    else:
        try:
            document = extract_document(str(path), max_pages=max_pages, max_bytes=max_bytes)
        except DocumentError as error:
            raise RecordError(str(error)) from error
        pages, ocr_used = list(document.pages), bool(document.ocr_used)
    if not any(page.strip() for page in pages):
        raise RecordError(f"{path.name}: no readable text was found in this file.")
    return ReadRecord(pages, ocr_used, _lab_results(pages))


def _lab_results(pages: list[str]) -> list:
    try:
        from reports.parser import parse_report
    except ModuleNotFoundError:
        return []
    try:
        return list(parse_report(pages).results)
    except Exception:  # a record that is not a lab report is still a record
        return []


def _read_plain(path: Path, max_pages: int, max_bytes: int) -> list[str]:
    if not path.is_file():
        raise RecordError(f"{path.name}: file not found.")
    size = path.stat().st_size
    if size == 0:
        raise RecordError(f"{path.name}: the file is empty.")
    if size > max_bytes:
        raise RecordError(f"{path.name}: the file is larger than {max_bytes // 2**20} MB.")
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md", ".text"):
        raw = path.read_bytes()
        if b"\x00" in raw[:4096]:
            raise RecordError(f"{path.name}: this is not a text file.")
        pages = raw.decode("utf-8", errors="replace").split("\f")
    elif suffix == ".pdf":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(str(path))
            if reader.is_encrypted:
                raise RecordError(f"{path.name}: the PDF is password-protected.")
            if len(reader.pages) > max_pages:
                raise RecordError(f"{path.name}: the PDF has {len(reader.pages)} pages; the limit is {max_pages}.")
            pages = [page.extract_text() or "" for page in reader.pages]
        except (PdfReadError, ValueError, KeyError, TypeError) as error:
            raise RecordError(f"{path.name}: the PDF could not be read ({type(error).__name__}).") from error
    else:
        raise RecordError(f"{path.name}: unsupported file type; upload a PDF or a .txt file.")
    if len(pages) > max_pages:
        raise RecordError(f"{path.name}: the file has {len(pages)} pages; the limit is {max_pages}.")
    return pages
