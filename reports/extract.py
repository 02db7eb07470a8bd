"""Report file -> page texts: PDF text layer (pypdf, layout mode), OCR for image-only pages and photos
(rapidocr, whose ONNX models ship inside the wheel), plain text files as one page."""
from __future__ import annotations

import logging
import math
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ".md", ".csv"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}
SUPPORTED = ".pdf, .txt, .png, .jpg"
MIN_TEXT_CHARS = 20        # a page with less text than this is treated as a scan
OCR_DPI = 200
OCR_LONG_SIDE = 2400       # pixels: an A4 page at about 200 dpi

_ocr_lock = threading.Lock()


class DocumentError(Exception):
    """A file that cannot be read as a report; the message is one clear, user-facing line."""


NO_CYRILLIC_OCR = ("A page looks printed in Cyrillic, which the built-in OCR cannot read, and the second OCR engine "
                   "is not installed (the tesseract-ocr and tesseract-ocr-rus packages): test names on it may be "
                   "missing or wrong.")


@dataclass
class ExtractedDocument:
    name: str
    pages: list[str]
    ocr_used: bool = False
    notes: list[str] = field(default_factory=list)   # what the reader could not do (shown to the user)

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def extract_document(path: str | Path, max_pages: int = 60, max_bytes: int = 20 * 1024 * 1024) -> ExtractedDocument:
    """Text of each page of a PDF, text file or report photo; raises DocumentError on bad input."""
    path = Path(path)
    if not path.is_file():
        raise DocumentError(f"File not found: {path.name}")
    size = path.stat().st_size
    if size == 0:
        raise DocumentError(f"{path.name} is empty.")
    if size > max_bytes:
        raise DocumentError(f"{path.name} is too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB).")
    head = path.read_bytes()[:8]
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF") or suffix == ".pdf":
        if not head.startswith(b"%PDF"):
            raise DocumentError(f"{path.name} is not a valid PDF file.")
        return _extract_pdf(path, max_pages)
    if suffix in IMAGE_SUFFIXES:
        notes: list[str] = []
        return ExtractedDocument(path.name, [_ocr_image(_open_image(path), notes)], ocr_used=True, notes=notes)
    if suffix in TEXT_SUFFIXES or not suffix:
        return _extract_text(path)
    raise DocumentError(f"Unsupported file type '{suffix}': please upload a {SUPPORTED} file.")


def _extract_text(path: Path) -> ExtractedDocument:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise DocumentError(f"{path.name} is not a text file.")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    pages = [p for p in text.split("\f")] or [text]
    if not "".join(pages).strip():
        raise DocumentError(f"{path.name} contains no text.")
    return ExtractedDocument(path.name, pages)


def _extract_pdf(path: Path, max_pages: int) -> ExtractedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise DocumentError(f"{path.name} is password-protected: please upload an unprotected copy.")
            except DocumentError:
                raise
            except Exception:
                raise DocumentError(f"{path.name} is password-protected: please upload an unprotected copy.") from None
        count = len(reader.pages)
    except DocumentError:
        raise
    except (PdfReadError, Exception) as error:  # pypdf raises many types on damaged files
        raise DocumentError(f"{path.name} is damaged or not a readable PDF ({type(error).__name__}).") from None
    if count == 0:
        raise DocumentError(f"{path.name} has no pages.")
    if count > max_pages:
        raise DocumentError(f"{path.name} has {count} pages; the limit is {max_pages}.")
    pages, scanned, notes = [], [], []
    for index in range(count):
        try:
            text = reader.pages[index].extract_text(extraction_mode="layout") or ""
        except Exception:
            try:
                text = reader.pages[index].extract_text() or ""
            except Exception:
                text = ""
        pages.append(_tidy_layout(text))
        if len(pages[-1].strip()) < MIN_TEXT_CHARS:
            scanned.append(index)
    if scanned:
        images = _render_pages(path, scanned)
        for index, image in zip(scanned, images):
            pages[index] = _ocr_image(image, notes)
    if not any(p.strip() for p in pages):
        raise DocumentError(f"No readable text found in {path.name}: the pages are blank or the scan is unreadable.")
    return ExtractedDocument(path.name, pages, ocr_used=bool(scanned), notes=notes)


def _tidy_layout(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line.strip())


def _render_pages(path: Path, indexes: list[int]):
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(str(path))
        images = [pdf[i].render(scale=OCR_DPI / 72).to_pil() for i in indexes]
        pdf.close()
        return images
    except Exception as error:
        raise DocumentError(f"Could not render the scanned pages of {path.name} ({type(error).__name__}).") from None


def _open_image(path: Path):
    from PIL import Image, ImageOps

    try:
        image = Image.open(path)
        image.load()
    except Exception:
        raise DocumentError(f"{path.name} is not a readable image.") from None
    return ImageOps.exif_transpose(image).convert("RGB")


def _rapidocr(threads: int):
    from rapidocr import RapidOCR

    # No text-direction classifier: on upright pages it turned short units upside down ('g/dL' read as
    # '7p/6', 'mg/dl' as 'lP/8u1'; 9 of 10 dev scans), and it costs time on every box.
    # onnxruntime's memory arena on, one inter-op thread: the same text 30% faster than rapidocr's defaults
    # (arena off, -1 threads): 7 dev photos in 26.2 s against 37.9 s on the 2-core box (scripts/benchmark_reports.py).
    # One box per recognition batch: a batch is padded to its widest box; batches of 1 / 6 / 16 / 32 took
    # 8.4 / 9.2 / 10.0 / 12.6 s to read the boxes of dev photos 05-07, with the same real_reports_dev scores.
    return RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False, "Det.box_thresh": 0.3,
                            "Det.unclip_ratio": 2.0, "Rec.rec_batch_num": 1,
                            "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
                            "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                            "EngineConfig.onnxruntime.inter_op_num_threads": 1})


TEXT_SCORE = 0.5   # RapidOCR's own cut: a box read with less confidence is dropped, as RapidOCR itself does


@dataclass
class PageReader:
    """RapidOCR's text detector on every core, and one single-threaded recogniser per core that reads its share of
    the boxes at the same time: the boxes of the 7 dev photos took 17.6 s instead of 22.9 s with one recogniser on
    two threads, with the same texts (small inputs use one thread better than two)."""
    detector: object
    recognisers: list

    @classmethod
    def load(cls) -> PageReader:
        cores = os.cpu_count() or 1
        return cls(_rapidocr(cores), [_rapidocr(1) for _ in range(cores)])

    def read(self, array) -> list[tuple[object, str]]:
        """(quad in `array` pixels, text) of every box read with RapidOCR's confidence; [] when there is no text."""
        from concurrent.futures import ThreadPoolExecutor

        from rapidocr.main import RapidOCRError
        from rapidocr.utils.process_img import map_boxes_to_original

        image, record = self.detector.preprocess_img(array)
        try:
            crops, detected = self.detector.detect_and_crop(image, record)
        except RapidOCRError:
            return []
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
        shares = [order[k::len(self.recognisers)] for k in range(len(self.recognisers))]
        with ThreadPoolExecutor(len(self.recognisers)) as pool:
            readings = list(pool.map(lambda job: job[0].recognize_txt([crops[i] for i in job[1]]) if job[1] else None,
                                     zip(self.recognisers, shares)))
        texts: dict[int, tuple[str, float]] = {}
        for share, reading in zip(shares, readings):
            if reading is not None:
                texts.update(zip(share, zip(reading.txts, reading.scores)))
        boxes = map_boxes_to_original(detected.boxes, record, array.shape[0], array.shape[1])
        return [(boxes[i], texts[i][0]) for i in range(len(crops))
                if str(texts[i][0]).strip() and texts[i][1] >= TEXT_SCORE]


def _page_reader() -> PageReader:
    from models.registry import REGISTRY

    return REGISTRY.get_or_load("rapidocr", PageReader.load, feature="Healytics (scanned reports)",
                                source="rapidocr (PyPI wheel)")


def _ocr_image(image, notes: list[str] | None = None) -> str:
    """OCR one page image; boxes are grouped into lines by their vertical centre. What could not be read is
    added to `notes` once (a Cyrillic page without tesseract)."""
    import numpy as np

    scale = OCR_LONG_SIDE / max(image.size)
    if abs(scale - 1) > 0.05:  # small text loses single digits; huge photos cost time
        image = image.resize((int(image.width * scale), int(image.height * scale)))
    width = image.width
    with _ocr_lock:
        items = _page_reader().read(np.asarray(image))
    if not items:
        raise DocumentError("No readable text found in the image: please upload a sharper, well-lit photo or scan.")
    angle = page_skew([box for box, _ in items])
    if letters_vanished([text for _, text in items]):
        from reports import tesseract

        words = tesseract.read_page(image) if tesseract.available() else None
        if not tesseract.available() and notes is not None and NO_CYRILLIC_OCR not in notes:
            notes.append(NO_CYRILLIC_OCR)
        if words and sum(bool(_CYRILLIC.search(w.text)) for w in words) >= MIN_CYRILLIC_WORDS:
            items = merge_readings(items, words)
    return lines_from_boxes(items, width, angle)


# RapidOCR's models have no Cyrillic letters: a Russian name comes back as blanks (' ()', '   (-)', ' .  ()').
# Share of a page's boxes with such blanks (a leading or trailing space, a double space, empty brackets), on the
# 10 image pages of real_reports_dev: 0.12 and 0.27 on the two Russian pages; 0 to 0.014 on the Turkish, Persian,
# Chinese, Polish, Indian and English ones. A page above the threshold is read again by tesseract.
VANISHED_SHARE = 0.05
MIN_VANISHED_BOXES = 3
MIN_CYRILLIC_WORDS = 5   # tesseract must confirm the script, else RapidOCR's reading stands
_VANISHED = re.compile(r"^\s|\s{2,}|\s$|\(\s*\)")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")
# The number at the start of a token, when the rest is a unit ('118.00/n', '5.3*', '38.30%'); '10e9/n' stays whole.
_NUMBER_PREFIX = re.compile(r"^([<>(\[]*[-+]?(?:\d+[.,]\d+|\d+(?=[/%*)\]]|$))[*)\]]?%?)(.*)$")


def letters_vanished(texts) -> bool:
    """Whether RapidOCR lost the letters of this page (a script its models cannot read)."""
    hits = sum(bool(_VANISHED.search(str(t))) for t in texts)
    return hits >= MIN_VANISHED_BOXES and hits >= VANISHED_SHARE * len(texts)


def _digits_from(rapid: str, tess: str) -> str:
    """Tesseract's reading of a token, with RapidOCR's digits where both read a digit at the same place:
    '10e9/n' (RapidOCR) and '19е9/л' (tesseract) give '10е9/л'."""
    if len(rapid) != len(tess):
        return tess
    return "".join(r if r.isdigit() and t.isdigit() else t for r, t in zip(rapid, tess))


def _split_number(token: str) -> tuple[str, str]:
    match = _NUMBER_PREFIX.match(token)
    return (match.group(1), match.group(2)) if match else ("", token)


def _sub_quad(quad, start: float, end: float):
    """The part of a text box from `start` to `end` (shares of its width) along its own slant."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = [tuple(map(float, p)) for p in quad]
    at = lambda a, b, f: (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f)  # noqa: E731
    return [at((x0, y0), (x1, y1), start), at((x0, y0), (x1, y1), end), at((x3, y3), (x2, y2), end),
            at((x3, y3), (x2, y2), start)]


def merge_readings(items, words, min_confidence: float = 40.0):
    """RapidOCR's boxes with tesseract's words (`reports.tesseract.Word`) for the letters. Inside a RapidOCR box
    that holds digits, its number tokens stay and tesseract's words with letters take the place of the rest
    ('4.79 10e9/n' -> '4.79' + '10е9/л'); a box without digits is replaced by the words inside it; words outside
    every box (a name RapidOCR read as nothing and dropped) are added when they have letters and tesseract is
    confident of them."""
    merged, used = [], set()
    for quad, text in items:
        text = str(text)
        xs, ys = [float(p[0]) for p in quad], [float(p[1]) for p in quad]
        inside = [i for i, w in enumerate(words) if i not in used and min(xs) <= (w.left + w.right) / 2 <= max(xs)
                  and min(ys) <= (w.top + w.bottom) / 2 <= max(ys)]
        used.update(inside)
        if not any(ch.isdigit() for ch in text):
            merged += [(words[i].quad, words[i].text) for i in inside]
            continue
        length, slots = max(len(text), 1), []
        for match in re.finditer(r"\S+", text):
            token = match.group()
            number = token if not _LETTER.search(token) else _split_number(token)[0]
            if number:
                cut = (match.start() + len(number)) / length
                merged.append((_sub_quad(quad, match.start() / length, cut), number))
            if number != token:  # the letters' place ('/n' of '118.00/n'): tesseract's reading goes there
                slots.append([(match.start() + len(number)) / length, match.end() / length, [], token[len(number):]])
        for i in inside:
            number, rest = _split_number(words[i].text)
            if not _LETTER.search(rest):
                continue
            if not slots:
                merged.append((_sub_quad(words[i].quad, len(number) / len(words[i].text), 1.0), rest))
                continue
            share = ((words[i].left + words[i].right) / 2 - min(xs)) / max(max(xs) - min(xs), 1)
            min(slots, key=lambda slot: abs((slot[0] + slot[1]) / 2 - share))[2].append(rest)
        merged += [(_sub_quad(quad, start, end), _digits_from(own, " ".join(found)))
                   for start, end, found, own in slots if found]
    for i, word in enumerate(words):  # numbers are RapidOCR's: a lone tesseract number is a duplicate or noise
        if i not in used and word.confidence >= min_confidence and _LETTER.search(word.text):
            merged.append((word.quad, word.text))
    return merged


@dataclass
class _Word:
    """One OCR box: vertical centre, height, left and right edges, text."""
    centre: float
    height: float
    left: float
    right: float
    text: str


# A box joins the row whose right-most box it lines up with: vertical gap below this share of the taller box.
# Rows are built left to right, box by box, so a photo's tilt or page curl (the right column of dev_04 sits
# 30-40 px above its name column, about half the 62 px row pitch) shifts each neighbour only a little.
ROW_TOLERANCE = 0.5
COLUMN_GAP = 0.8   # a horizontal gap wider than this share of the line height becomes a column gap


MAX_SKEW = math.radians(15)  # a photo turned further than this is not deskewed (rotated pages are out of scope)


def page_skew(boxes) -> float:
    """The page's tilt in radians: the median slope of the top edges of the wide OCR boxes (text lines), which
    the detector returns as rotated rectangles; 0 when there are no such boxes."""
    slopes = []
    for box in boxes:
        (x0, y0), (x1, y1) = box[0], box[1]
        height = math.dist(box[1], box[2])
        if x1 - x0 > 3 * max(height, 1):
            slopes.append(math.atan2(y1 - y0, x1 - x0))
    if not slopes:
        return 0.0
    angle = sorted(slopes)[len(slopes) // 2]
    return angle if abs(angle) <= MAX_SKEW else 0.0


def lines_from_boxes(items, page_width: float, angle: float | None = None) -> str:
    """Group OCR (quad box, text) pairs into text lines by column geometry; wide gaps become column gaps. `angle`
    is the page's skew (measured on the items when not given)."""
    if angle is None:
        angle = page_skew([box for box, _ in items])
    cos, sin = math.cos(-angle), math.sin(-angle)
    words = []
    for box, text in items:  # coordinates turned by the page's skew: a tilted photo's rows become horizontal
        xs = [x * cos - y * sin for x, y in box]
        ys = [x * sin + y * cos for x, y in box]
        words.append(_Word((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), max(xs), str(text)))
    rows: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (w.left, w.centre)):
        best, best_gap = None, None
        for row in rows:
            last = row[-1]
            if word.left < last.right - 0.3 * min(word.height, last.height):
                continue  # the same column as the row's last box: another row
            gap = abs(word.centre - last.centre)
            if gap < ROW_TOLERANCE * max(word.height, last.height) and (best_gap is None or gap < best_gap):
                best, best_gap = row, gap
        if best is None:
            rows.append([word])
        else:
            best.append(word)
    rows.sort(key=lambda row: sum(w.centre for w in row) / len(row))
    out = []
    for row in rows:
        text, previous_end = "", None
        for word in row:
            if previous_end is not None:
                text += "    " if word.left - previous_end > COLUMN_GAP * word.height else " "
            text += word.text
            previous_end = word.right
        out.append(text)
    return "\n".join(out)
