"""Chunking keeps page numbers, respects the size, overlaps, and writes one line per lab result."""
from rag.chunking import lab_chunks, lab_result_line, page_chunks, split_text
from reports.parser import LabResult


def test_chunks_keep_their_page_number_and_size():
    pages = ["Alpha sentence one. " * 60, "", "Gamma page three mentions ferritin."]
    chunks = page_chunks("d1", "letter.pdf", pages, size=300, overlap=60)
    assert {c.page for c in chunks} == {1, 3}
    assert all(len(c.text) <= 300 for c in chunks)
    assert chunks[-1].page == 3 and "ferritin" in chunks[-1].text
    assert sum(c.page == 1 for c in chunks) >= 4


def test_windows_overlap_and_cover_the_text():
    text = " ".join(f"word{i}" for i in range(400))
    pieces = split_text(text, 200, 50)
    assert pieces[0].split()[-1] in pieces[1]  # the end of one window starts the next
    covered = set(" ".join(pieces).split())
    assert covered == set(text.split())


def test_lab_result_becomes_one_line_with_value_range_flag_and_page():
    result = LabResult(test="Hemoglobin", analyte="hemoglobin", value=10.2, value_text="10.2", unit="g/dL",
                       ref_low=13.5, ref_high=17.5, ref_text="13.5 - 17.5", ref_source="report", flag="low", page=2)
    line = lab_result_line(result, "blood_test.pdf")
    assert line == "Hemoglobin 10.2 g/dL (ref 13.5 - 17.5) low, report blood_test.pdf, page 2"
    [chunk] = lab_chunks("d1", "blood_test.pdf", [result])
    assert chunk.kind == "lab" and chunk.page == 2
