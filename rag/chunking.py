"""Split a document's pages into retrievable chunks that remember their page and section.

Three kinds of chunk: `text` (a window of one section's prose, starting with the section heading),
`row` (one row of a table or list: "VITAL SIGNS: Body weight | Date: August 1, 2013 | Result: 81 kg",
so a question about one value retrieves that exact row; a table's column line goes with each of its rows) and
`lab` (one lab result from the Healytics parser, written as one short line).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass

_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
# A gap that lines up a column: three or more spaces or a tab between words, or spaces beside a table bar.
_COLUMN_GAP = re.compile(r"\S(?: {3,}|\t)\S| \| |\|  ")
# Preferred places to end a chunk, best first: paragraph, line, sentence end, any space.
_BREAKS = ("\n\n", "\n", ". ", "; ", ", ", " ")
# A heading line: upper-case words ("MEDICATIONS", "DISCHARGE DIAGNOSES:"), no table bar, not too long.
_HEADING_LINE = re.compile(r"^(?=.*[A-Z]{2})[A-Z0-9][A-Z0-9 ,/&()'#.-]{1,68}:?$")
# A heading that starts a line and runs on: "HOSPITAL COURSE:  The patient underwent ..."
_INLINE_HEADING = re.compile(r"^([A-Z][A-Z0-9 ,/&()'-]{1,60}):\s+(\S.*)$")
# A list item marker ("- ", "* ", "2. "); list items stay prose, table rows ("a | b") become row chunks.
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")
# A ruled line ("-------------|----------|-----", "=====", "+----+----+"): layout, not text.
_RULE = re.compile(r"^(?=.*[-=_]{3})[\s|+:=_-]+$")
# A short label above table rows ("Plan Of Treatment", "- Appointments"): it names the rows below it.
_LABEL = re.compile(r"^[A-Za-z][A-Za-z ,/&()'-]{2,40}$")
# A table's caption with its date ("BLOOD TESTS (taken 07/05/2024)"): it dates the rows below it.
_CAPTION = re.compile(r"^[A-Z][A-Za-z ,/&'-]{2,40}\(?[A-Za-z ]{0,12}:?\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\)?:?$")
# A date line over a block of rows ("28/11/2024 (admission)", "07/01/2025"): it dates the rows below it too.
_DATE_LINE = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}(?:\s+\d{1,2}:\d{2})?(?:\s*\([A-Za-z -]{1,24}\))?:?$")


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    doc_name: str
    page: int          # 1-based page number
    text: str
    kind: str = "text"  # "text", "row" or "lab"
    section: str = ""   # the heading the chunk sits under ("" before the first heading)

    def to_dict(self) -> dict:
        return asdict(self)


def _page_lines(text: str, keep_spacing: bool) -> list[tuple[str, str]]:
    """(clean, kept) pairs of a page's lines, a run of blank lines as one: the clean line (spaces collapsed) is
    read for headings and table rows; the kept one is what the chunk quotes. With `keep_spacing`, a line laid
    out in columns keeps the author's spacing ("Ticagrelor        | 90 mg"), so a row copied from the record
    is found as it is; prose and the spacing of a PDF or scan (the extractor's, not the author's) are collapsed."""
    pairs: list[tuple[str, str]] = []
    for line in (text or "").replace("\r", "\n").split("\n"):
        clean = _SPACES.sub(" ", line).strip()
        if clean or (pairs and pairs[-1][0]):
            aligned = keep_spacing and bool(_COLUMN_GAP.search(line.strip()))
            pairs.append((clean, line.strip() if aligned else clean))
    while pairs and not pairs[-1][0]:
        pairs.pop()
    return pairs


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
        start = _overlap_start(text, start, end, overlap)
    return pieces


_SENTENCE_START = re.compile(r"(?:[.!?]\s+|\n)(?=\S)")


def _overlap_start(text: str, start: int, end: int, overlap: int) -> int:
    """Where the next window starts: at the start of a sentence or line, so the sentence the window cut
    ("... CHA2DS2-VASc score of" / "4 (CHF, HTN, age)") is whole in the next one. The latest sentence start
    that leaves at least `overlap` characters of overlap, or the earliest one after that, within the last
    half of the window; else a word boundary `overlap` characters before its end."""
    target = max(end - overlap, start + 1)
    floor = max(start + 1, end - (end - start) // 2)
    starts = [m.end() for m in _SENTENCE_START.finditer(text, floor, end)]
    before = [s for s in starts if s <= target]
    if before:
        return before[-1]
    if starts:
        return starts[0]
    space = text.find(" ", target, end)  # not mid-word
    return space + 1 if 0 <= space < end - 1 else target


def _natural_end(text: str, start: int, end: int) -> int:
    floor = start + (end - start) // 2  # never cut a chunk to less than half its size
    for mark in _BREAKS:
        cut = text.rfind(mark, floor, end)
        if cut != -1:
            return cut + len(mark.rstrip()) if mark.strip() else cut
    return end


@dataclass
class _Section:
    heading: str
    page: int
    prose: list[str]
    rows: list[tuple[str, str]]  # (heading with its label, row text)


def _heading_of(line: str) -> tuple[str, str] | None:
    """(heading, rest of the line) when `line` opens a section, else None."""
    if "|" in line or _LIST_ITEM.match(line):
        return None
    if _HEADING_LINE.match(line) and sum(c.isalpha() for c in line) >= 3:
        return line.rstrip(":").strip(), ""
    inline = _INLINE_HEADING.match(line)
    if inline and sum(c.isalpha() for c in inline.group(1)) >= 3:
        return inline.group(1).strip(), inline.group(2).strip()
    return None


def _sections(pages: list[str], keep_spacing: bool = False) -> list[_Section]:
    """The document cut at its headings; a heading stays in force across a page break."""
    sections: list[_Section] = []
    heading = ""
    for number, page in enumerate(pages, start=1):
        current = _Section(heading, number, [], [])
        sections.append(current)
        label = columns = ""
        for line, kept in _page_lines(page, keep_spacing):
            if _RULE.match(line):
                continue  # "-----|-----" under a table's column line: the column line still heads the rows below
            opened = _heading_of(line)
            if opened:
                heading, rest = opened
                if rest and ":" in kept:
                    rest = kept.split(":", 1)[1].strip()
                current = _Section(heading, number, [rest] if rest else [], [])
                sections.append(current)
                label = columns = ""
            elif " | " in line:
                row = _LIST_ITEM.sub("", kept).strip()
                if not columns and column_header(row):
                    columns = row  # "Test | 06/01/2025 | 24/03/2025 | Unit | Range": said with every row below
                    continue
                row_heading = f"{heading} - {label}" if heading and label else heading or label
                same_table = columns and columns.count("|") == row.count("|")
                current.rows.append((row_heading, f"{columns}\n{row}" if same_table else row))
            else:
                current.prose.append(kept)
                item = _LIST_ITEM.sub("", line).strip()
                label = item if _LABEL.match(item) or _CAPTION.match(item) or _DATE_LINE.match(item) else label
                columns = ""
    return [s for s in sections if any(p.strip() for p in s.prose) or s.rows]


_COLUMN_WORDS = frozenset(("test", "tests", "name", "result", "results", "value", "unit", "units", "range", "reference",
                           "ref range", "reference range", "normal range", "flag", "date", "component", "analyte",
                           "parameter", "investigation", "specimen", "status"))
DATE_CELL = re.compile(r"^\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}(?:\s+\d{1,2}:\d{2})?$")


def column_header(row: str) -> bool:
    """Whether a table line names its columns ("Test | 06/01/2025 | 24/03/2025 | Unit | Range"): 3 or more
    cells, digits only in sample dates, and at least two column words or dates among them (one could be a
    row's value: "Specimen | Urine | MSU")."""
    cells = [c.strip() for c in row.split("|")]
    if len(cells) < 3 or any(re.search(r"\d", c) and not DATE_CELL.match(c) for c in cells):
        return False
    return sum(c.lower() in _COLUMN_WORDS or bool(DATE_CELL.match(c)) for c in cells) >= 2


def section_at(chunk: Chunk, text: str) -> str:
    """The heading `text` sits under inside `chunk` (several short sections share a chunk)."""
    where = chunk.text.find(text)
    heading = chunk.section
    for line_start, line in _line_starts(chunk.text):
        if where >= 0 and line_start > where:
            break
        opened = _heading_of(line)
        heading = opened[0] if opened else heading
    return heading


def _line_starts(text: str) -> list[tuple[int, str]]:
    starts, offset = [], 0
    for line in text.split("\n"):
        starts.append((offset, line))
        offset += len(line) + 1
    return starts


def _headed(heading: str, text: str) -> str:
    return text if not heading or text.upper().startswith(heading.upper()) else f"{heading}: {text}"


def page_chunks(doc_id: str, doc_name: str, pages: list[str], size: int, overlap: int,
                keep_spacing: bool = False) -> list[Chunk]:
    """Chunks of every page, each keeping its 1-based page number and section heading.

    Prose (list items included) of short consecutive sections is packed together up to `size`; a longer
    section is cut into overlapping windows that each start with the heading. Every table row
    ("Header: value | Header: value") is its own chunk, headed by its section and the label above it.
    With `keep_spacing` (a text file), lines keep the author's runs of spaces, so a quote is the record's own.
    """
    chunks: list[Chunk] = []
    packed: list[_Section] = []

    def flush() -> None:
        if packed:
            text = "\n".join(_headed(s.heading, "\n".join(s.prose).strip()) for s in packed)
            chunks.append(Chunk(doc_id, doc_name, packed[0].page, text, "text", packed[0].heading))
            packed.clear()

    for section in _sections(pages, keep_spacing):
        prose = "\n".join(section.prose).strip()
        if prose:
            whole = _headed(section.heading, prose)
            packed_len = sum(len(_headed(s.heading, "\n".join(s.prose))) + 1 for s in packed)
            if packed and (packed_len + len(whole) > size or packed[0].page != section.page):
                flush()
            if len(whole) <= size:
                packed.append(section)
            else:
                flush()
                room = size - len(section.heading) - 2 if section.heading else size
                for piece in split_text(prose, room, overlap):
                    chunks.append(Chunk(doc_id, doc_name, section.page, _headed(section.heading, piece), "text",
                                        section.heading))
        if section.rows:
            flush()
            for heading, row in section.rows:
                for piece in split_text(row, size, overlap):
                    chunks.append(Chunk(doc_id, doc_name, section.page, _headed(heading, piece), "row", heading))
    flush()
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
    return line + lab_citation(doc_name, getattr(result, "page", None))


def lab_citation(doc_name: str, page: int | None) -> str:
    """The end of a lab result's line that says where it was read: ', report X, page 2'."""
    return f", report {doc_name}" + (f", page {page}" if page else "")


def printed_line(result, lines: list[tuple[str, str]]) -> str:
    """The line a lab result was read from, of a page's (clean, kept) `lines` (`_page_lines`): the first that names
    its test and holds its value as a word ("Creatinine | 128 | umol/L | 59 - 104 | H"); '' when none does."""
    name = (getattr(result, "test", None) or "").casefold()
    value = getattr(result, "value_text", None) or ""
    if not name or not value:
        return ""
    value_word = re.compile(rf"(?<![\w.,]){re.escape(value.casefold())}(?![\w.,]\d)")
    for clean, kept in lines:
        folded = clean.casefold()
        if name not in folded:
            continue
        rest = folded.replace(name, " ", 1)
        if value_word.search(rest):
            return kept if _others(rest, result) <= MAX_OTHER_NUMBERS else ""
    return ""


# A result's own line holds its value and range, and perhaps an earlier value, a unit's number and dates
# ("eGFR (CKD-EPI 2021) | 37 L | 33 L | mL/min/1.73m2 | >90", "Creatinine | 128 | umol/L | 59 - 104 (baseline 95,
# 03/2025)"); a line with more numbers holds other results ("VITALS: T 36.9 C | HR 104 | BP 158/86 | RR 22").
MAX_OTHER_NUMBERS = 2
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DATE = re.compile(r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}/\d{4}\b")


def _others(line: str, result) -> int:
    """How many numbers of `line`, dates aside, are not the result's value or range limits."""
    own = {getattr(result, "value_text", None)} | {_fmt(getattr(result, key, None)) for key in ("ref_low", "ref_high")}
    own |= set(_NUMBER.findall(getattr(result, "ref_text", None) or ""))
    return sum(number not in own and _fmt(float(number.replace(",", "."))) not in own
               for number in _NUMBER.findall(_DATE.sub(" ", line)))


def lab_chunks(doc_id: str, doc_name: str, results, pages: list[str] | None = None,
               keep_spacing: bool = False) -> list[Chunk]:
    """One small chunk per lab result of a test the Healytics catalogue knows: the result as read and flagged
    ("Creatinine 128 umol/L (ref 59 - 104) high, report X, page 1"), then the line it was printed on when that
    line is its own ("As printed: Creatinine | 128 | umol/L | 59 - 104 | H"), so a quote of it is the record's
    words. A line that lists several results ("LABS: WBC 11.2, Hgb 13.4, ...") stays with the text chunks.

    Lines the parser could not tie to a catalogued test are left to the text chunks: on clinical
    notes and C-CDA tables they were misreadings ("RxNorm 731241 /2017 (ref 02/10) high").
    """
    known = [r for r in results or [] if getattr(r, "analyte", None)]
    numbers = [int(getattr(r, "page", None) or 1) for r in known]
    lines = {n: _page_lines(pages[n - 1], keep_spacing) for n in set(numbers) if pages and 0 < n <= len(pages)}
    printed = [printed_line(r, lines.get(n, [])) for r, n in zip(known, numbers)]
    claims = Counter(zip(numbers, printed))
    chunks = []
    for result, number, line in zip(known, numbers, printed):
        own = line and claims[(number, line)] == 1
        text = lab_result_line(result, doc_name) + (f"\nAs printed: {line}" if own else "")
        chunks.append(Chunk(doc_id, doc_name, number, text, "lab"))
    return chunks
