"""A second OCR engine for scripts the bundled RapidOCR models cannot read (Cyrillic: Russian reports).

RapidOCR's PP-OCR models (Chinese and English) find every text box on a Russian page and read its digits well,
but they cannot read Cyrillic letters: a name comes back empty ('Лейкоциты (WBC)' -> ' ()') or as Latin
look-alikes ('Индекс распред.' -> 'MHdekc pacnped.'). Tesseract (Debian packages `tesseract-ocr` and
`tesseract-ocr-rus`, installed by scripts/setup.sh and the Dockerfile) reads those letters. It reads the whole
page once (one process call); `reports.extract` then keeps RapidOCR's numbers, which it reads more reliably
(tesseract turns '0.00' into '@.08'), and takes tesseract's words for the letters. Where tesseract or its
Russian data is missing, `available()` is False and the page keeps RapidOCR's reading (the log says so once;
nothing fails).
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

log = logging.getLogger(__name__)

# Languages read together with English when installed (Debian: tesseract-ocr-<code>). Only Russian is installed
# by setup; the others are used when a deployment adds them.
CYRILLIC_LANGUAGES = ("rus", "ukr", "bel", "bul", "srp", "mkd", "kaz")
TIMEOUT_S = 30


@lru_cache(maxsize=1)
def languages() -> tuple[str, ...]:
    """The Cyrillic languages tesseract has data for; () when tesseract is not installed."""
    binary = shutil.which("tesseract")
    if binary is None:
        return ()
    try:
        listing = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    installed = {line.strip() for line in listing.splitlines()[1:]}
    return tuple(lang for lang in CYRILLIC_LANGUAGES if lang in installed)


def available() -> bool:
    """Whether Cyrillic text can be read (tesseract with at least one Cyrillic language)."""
    found = bool(languages())
    if not found:
        _warn_once()
    return found


@lru_cache(maxsize=1)
def _warn_once() -> None:
    log.warning("Cyrillic OCR is not available: install the Debian packages tesseract-ocr and tesseract-ocr-rus "
                "(scripts/setup.sh does so when it runs as root). Russian report photos are read without their names.")


@dataclass
class Word:
    """One word tesseract read: its box in page pixels, text and confidence (0-100)."""
    left: float
    top: float
    right: float
    bottom: float
    text: str
    confidence: float

    @property
    def quad(self) -> list[tuple[float, float]]:
        return [(self.left, self.top), (self.right, self.top), (self.right, self.bottom), (self.left, self.bottom)]


def read_page(image) -> list[Word] | None:
    """Every word tesseract reads on a page image (PIL), with its box; None when tesseract fails or is missing."""
    import io

    langs = languages()
    if not langs:
        return None
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="BMP")  # uncompressed: PNG took 0.6 s to write a 2400 px page
    command = [shutil.which("tesseract") or "tesseract", "stdin", "stdout", "-l", "+".join(langs + ("eng",)),
               "--psm", "3", "tsv"]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")  # one thread per call: the box's cores serve other users
    try:
        done = subprocess.run(command, input=buffer.getvalue(), capture_output=True, timeout=TIMEOUT_S, env=env)
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("tesseract failed: %s", error)
        return None
    if done.returncode != 0:
        log.warning("tesseract failed: %s", done.stderr.decode("utf-8", "replace").strip()[:200])
        return None
    words, lines = [], {}
    for row in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] not in ("4", "5"):
            continue
        try:
            left, top, width, height, conf = (float(c) for c in cells[6:11])
        except ValueError:
            continue
        key = tuple(cells[2:5])
        if cells[0] == "4":
            lines[key] = (top, top + height)
        elif cells[11].strip():
            # A word's box spans its line's height: 'г/л' and 'Гемоглобин' then share the row of their line
            # (a word's own box is as short as its letters, which split a name into columns downstream).
            line_top, line_bottom = lines.get(key, (top, top + height))
            words.append(Word(left, min(top, line_top), left + width, max(top + height, line_bottom),
                              cells[11].strip(), conf))
    return words
