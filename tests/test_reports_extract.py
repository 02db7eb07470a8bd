"""Bad and good inputs for extract_document and the analyze CLI (fixtures are built at runtime)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reports.extract import DocumentError, extract_document

ROOT = Path(__file__).resolve().parent.parent


def _pdf(path: Path, pages: list[str]) -> Path:
    from fpdf import FPDF
    pdf = FPDF()
    for text in pages:
        pdf.add_page()
        pdf.set_font("Courier", size=10)
        for i, line in enumerate(text.splitlines()):
            pdf.text(10, 20 + 6 * i, line)
    pdf.output(str(path))
    return path


def test_text_pdf_pages(tmp_path):
    path = _pdf(tmp_path / "r.pdf", ["Sodium   140  mmol/L  135-145", "Potassium  4.1  mmol/L  3.5-5.1"])
    document = extract_document(path, max_pages=10, max_bytes=10**7)
    assert len(document.pages) == 2 and not document.ocr_used and "Potassium" in document.pages[1]


@pytest.mark.parametrize("maker, message", [
    (lambda p: p.write_bytes(b"%PDF-1.7\n garbage \x00\x01"), "damaged"),
    (lambda p: p.write_bytes(b""), "empty"),
    (lambda p: p.write_bytes(b"PK\x03\x04 not a pdf"), "not a valid PDF"),
])
def test_bad_pdfs(tmp_path, maker, message):
    path = tmp_path / "bad.pdf"
    maker(path)
    with pytest.raises(DocumentError, match=message):
        extract_document(path, max_pages=10, max_bytes=10**7)


def test_encrypted_pdf(tmp_path):
    from pypdf import PdfReader, PdfWriter
    plain = _pdf(tmp_path / "plain.pdf", ["Sodium 140 mmol/L"])
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    with open(tmp_path / "locked.pdf", "wb") as handle:
        writer.write(handle)
    with pytest.raises(DocumentError, match="password"):
        extract_document(tmp_path / "locked.pdf", max_pages=10, max_bytes=10**7)


def test_too_many_pages_and_too_large(tmp_path):
    from pypdf import PdfWriter
    writer = PdfWriter()
    for _ in range(300):
        writer.add_blank_page(width=595, height=842)
    with open(tmp_path / "huge.pdf", "wb") as handle:
        writer.write(handle)
    with pytest.raises(DocumentError, match="300 pages"):
        extract_document(tmp_path / "huge.pdf", max_pages=60, max_bytes=10**8)
    with pytest.raises(DocumentError, match="too large"):
        extract_document(tmp_path / "huge.pdf", max_pages=600, max_bytes=1000)


def test_unsupported_type_and_blank_pdf(tmp_path):
    (tmp_path / "report.docx").write_bytes(b"PK\x03\x04")
    with pytest.raises(DocumentError, match="Unsupported"):
        extract_document(tmp_path / "report.docx", max_pages=10, max_bytes=10**7)


def test_cli_contract_and_bad_input(tmp_path):
    sample = ROOT / "tests" / "data" / "reports" / "hand_02_two_columns.txt"
    done = subprocess.run([sys.executable, "app.py", "analyze", str(sample), "--json", "--no-llm"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert set(payload) == {"file", "pages", "ocr_used", "results", "explanation"}
    assert set(payload["results"][0]) == {"test", "analyte", "value", "value_text", "unit", "ref_low", "ref_high",
                                          "ref_text", "ref_source", "flag"}
    assert any(r["flag"] == "critical_high" for r in payload["results"])
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 broken")
    done = subprocess.run([sys.executable, "app.py", "analyze", str(tmp_path / "bad.pdf"), "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_scanned_pdf_uses_ocr():
    document = extract_document(ROOT / "tests" / "data" / "reports" / "hand_06_coag_gas_scan.pdf", max_pages=5,
                                max_bytes=10**7)
    assert document.ocr_used and "Fibrinogen" in document.pages[0]


@pytest.mark.slow
def test_page_reader_reads_the_boxes_rapidocr_reads():
    """The detector plus one recogniser per core returns RapidOCR's own reading of a photo: same boxes, same texts."""
    import numpy as np
    from PIL import Image

    from reports.extract import PageReader, _rapidocr

    page = np.asarray(Image.open(ROOT / "tests" / "data" / "reports" / "hand_04_pipe_flag_first.png").convert("RGB"))
    reader = PageReader(_rapidocr(2), [_rapidocr(1), _rapidocr(1)])
    expected = _rapidocr(2)(page)
    items = reader.read(page)
    assert [text for _, text in items] == list(expected.txts) and len(items) > 10
    assert all(np.allclose(box, want) for (box, _), want in zip(items, expected.boxes))
    assert reader.read(np.full((200, 300, 3), 255, dtype=np.uint8)) == []
