"""Split a document's pages into retrievable chunks that remember their page number.

Two kinds of chunk: `text` (a window of a page's text) and `lab` (one lab result from the
Healytics parser, written as one short line, so a question about a value retrieves that exact row).
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
# Preferred places to end a chunk, best first: paragraph, line, sentence end, any space.
_BREAKS = ("\n\n", "\n", ". ", "; ", ", ", " ")


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    doc_name: str
    page: int          # 1-based page number
    text: str
    kind: str = "text"  # "text" or "lab"

    def to_dict(self) -> dict:
        return asdict(self)


def clean_page_text(text: str) -> str:
    """Collapse runs of spaces and blank lines; keep single line breaks (table rows)."""
    lines = [_SPACES.sub(" ", line).strip() for line in (text or "").replace("\r", "\n").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def split_text(text: str, size: int, overlap: int) -> list[str]:
    """Windows of at most `size` characters, overlapping by about `overlap`, cut at natural breaks."""
    size = max(size, 50)
    overlap = max(0, min(overlap, size // 2))
    text = text.strip()
    pieces: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + size, len(text))
        if end < len(text):
            end = _natural_end(text, start, end)
        piece = text[start:end].strip()
        if piece:
            pieces.append(piece)
        if end >= len(text):
            break
        next_start = max(end - overlap, start + 1)
        # Start the overlap at a word boundary, not mid-word.
        space = text.find(" ", next_start, end)
        start = space + 1 if 0 <= space < end - 1 else next_start
    return pieces


def _natural_end(text: str, start: int, end: int) -> int:
    floor = start + (end - start) // 2  # never cut a chunk to less than half its size
    for mark in _BREAKS:
        cut = text.rfind(mark, floor, end)
        if cut != -1:
            return cut + len(mark.rstrip()) if mark.strip() else cut
    return end


def page_chunks(doc_id: str, doc_name: str, pages: list[str], size: int, overlap: int) -> list[Chunk]:
    """Text chunks of every page, each keeping its 1-based page number."""
    chunks = []
    for number, page in enumerate(pages, start=1):
        for piece in split_text(clean_page_text(page), size, overlap):
            chunks.append(Chunk(doc_id, doc_name, number, piece, "text"))
    return chunks


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def lab_result_line(result, doc_name: str) -> str:
    """'Hemoglobin 10.2 g/dL (ref 13.5-17.5) low, report X, page 1' from a `reports.parser.LabResult`."""
    name = getattr(result, "test", None) or getattr(result, "analyte", None) or "Result"
    analyte = getattr(result, "analyte", None)
    value = getattr(result, "value_text", None) or _fmt(getattr(result, "value", None))
    unit = getattr(result, "unit", None) or ""
    ref = getattr(result, "ref_text", None)
    if not ref:
        low, high = getattr(result, "ref_low", None), getattr(result, "ref_high", None)
        if low is not None and high is not None:
            ref = f"{_fmt(low)}-{_fmt(high)}"
        elif high is not None:
            ref = f"< {_fmt(high)}"
        elif low is not None:
            ref = f"> {_fmt(low)}"
    flag = (getattr(result, "flag", None) or "").replace("_", " ")
    head = name if not analyte or analyte.lower() in name.lower() else f"{name} ({analyte})"
    line = " ".join(part for part in (head, value, unit) if part)
    if ref:
        line += f" (ref {ref})"
    if flag and flag != "unknown":
        line += f" {flag}"
    line += f", report {doc_name}"
    page = getattr(result, "page", None)
    if page:
        line += f", page {page}"
    return line


def lab_chunks(doc_id: str, doc_name: str, results) -> list[Chunk]:
    """One small chunk per lab result."""
    return [Chunk(doc_id, doc_name, int(getattr(r, "page", None) or 1), lab_result_line(r, doc_name), "lab")
            for r in results or []]
