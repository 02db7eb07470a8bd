"""Chunking keeps page numbers and section headings, respects the size, overlaps, makes one chunk per
table row, and writes one line per lab result."""
from rag.chunking import lab_chunks, lab_result_line, page_chunks, split_text
from reports.parser import LabResult

CCDA = """PATIENT VITAL SIGNS
- Vital Sign: Body weight | Date: August 1, 2013 | Result: 81 kg
- Vital Sign: Body height | Date: August 1, 2013 | Result: 177 cm
MEDICATIONS
Active Medications
- Medication: torsemide 20 MG Oral Tablet | Dose: 20 MG | Status: Active
- Medication: Aranesp 500 MCG | Dose: 500 MCG | Status: Active
"""


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


def test_table_rows_become_one_chunk_each_under_their_heading():
    chunks = page_chunks("d1", "chart.txt", [CCDA], size=600, overlap=100)
    rows = [c for c in chunks if c.kind == "row"]
    assert len(rows) == 4
    assert rows[0].text == "PATIENT VITAL SIGNS: Vital Sign: Body weight | Date: August 1, 2013 | Result: 81 kg"
    assert rows[2].section == "MEDICATIONS - Active Medications" and "torsemide 20 MG" in rows[2].text
    assert all("Aranesp" not in c.text for c in rows[:3])


def test_every_chunk_of_a_long_section_starts_with_its_heading():
    note = "HISTORY: Short history.\nMEDICATIONS AT DISCHARGE: " + "Aspirin 81 mg daily, review in clinic. " * 40
    chunks = page_chunks("d1", "note.txt", [note], size=300, overlap=60)
    long_section = [c for c in chunks if c.section == "MEDICATIONS AT DISCHARGE"]
    assert len(long_section) >= 4 and all(c.text.startswith("MEDICATIONS AT DISCHARGE: ") for c in long_section)
    assert all(len(c.text) <= 300 for c in chunks)
    assert chunks[0].section == "HISTORY"


def test_lab_lines_the_catalogue_does_not_know_are_left_to_the_text():
    misread = LabResult(test="RxNorm 731241", analyte=None, value=731241.0, value_text="731241", unit="/2017",
                        ref_low=None, ref_high=None, ref_text="02/10", ref_source="report", flag="high", page=1)
    assert lab_chunks("d1", "chart.txt", [misread]) == []


def test_the_next_window_starts_at_a_sentence_so_a_cut_sentence_is_whole_in_it():
    filler = " ".join(f"Sentence number {i} has a few plain words." for i in range(12))
    text = f"{filler} The CHA2DS2-VASc score of 4 was noted. {filler}"
    pieces = split_text(text, 200, 50)
    assert any("The CHA2DS2-VASc score of 4 was noted." in p for p in pieces)
    assert all(p[0].isupper() for p in pieces[1:])  # each window starts a sentence


def test_numeric_and_abbreviated_dates_give_their_month_names():
    from rag.index import date_months, tokenize

    assert date_months("taken 19/06/2023") == ["june"]
    assert date_months("admitted 03/10/2021") == ["march", "october"]  # day/month order unknown
    assert date_months("2024-11-07 and 17 Mar 2025") == ["november", "march"]
    assert date_months("dec breath sounds") == []
    assert "june" in tokenize("Results 19/06/2023")


def test_a_tables_column_line_goes_with_each_of_its_rows():
    page = ("DIABETES\nTest | 06/01/2025 | 24/03/2025 | Unit | Range\nHbA1c (IFCC) | 64 H | 58 H | mmol/mol | 20-41\n"
            "Glucose | 8.1 H | 7.2 | mmol/L | 3.0-7.8\nSome prose after the table.\nOther | 1 | 2 | 3 | 4")
    rows = [c for c in page_chunks("d", "labs.txt", [page], 600, 120) if c.kind == "row"]
    assert [c.text for c in rows] == [
        "DIABETES: Test | 06/01/2025 | 24/03/2025 | Unit | Range\nHbA1c (IFCC) | 64 H | 58 H | mmol/mol | 20-41",
        "DIABETES: Test | 06/01/2025 | 24/03/2025 | Unit | Range\nGlucose | 8.1 H | 7.2 | mmol/L | 3.0-7.8",
        "DIABETES: Other | 1 | 2 | 3 | 4"]  # after prose, a new table without a column line


def test_a_dated_caption_above_a_table_heads_its_rows():
    page = "RESULTS\nBLOOD TESTS (taken 07/05/2024)\nTest | Result | Unit | Range\n25-OH vitamin D | 19 | nmol/L | >50"
    [row] = [c for c in page_chunks("d", "letter.txt", [page], 600, 120) if c.kind == "row"]
    assert row.section == "RESULTS - BLOOD TESTS (taken 07/05/2024)"
    # a date line alone dates the block of rows below it, up to the next one
    page = ("THYROID BLOODS\n28/11/2024 (admission)\nTSH | <0.01 | mU/L | 0.27-4.20\nFree T4 | 58.3 | pmol/L | 12-22\n\n"
            "07/01/2025\nFree T4 | 31.2 | pmol/L | 12-22")
    rows = [c for c in page_chunks("d", "letter.txt", [page], 600, 120) if c.kind == "row"]
    assert [r.section for r in rows] == ["THYROID BLOODS - 28/11/2024 (admission)"] * 2 + ["THYROID BLOODS - 07/01/2025"]


def test_a_text_file_keeps_the_spacing_of_its_aligned_rows_and_collapses_its_prose():
    page = ("MEDICATIONS ON DISCHARGE:\nAtorvastatin              | 80 mg    | PO | at night\n"
            "Co-careldopa 25 mg/100 mg tablets  1 tab     07:00, 19:00\nSeen today.  Doing well.")
    kept = " ".join(c.text for c in page_chunks("d", "letter.txt", [page], 600, 120, keep_spacing=True))
    assert "Atorvastatin              | 80 mg    | PO | at night" in kept
    assert "tablets  1 tab     07:00" in kept and "Seen today. Doing well." in kept
    collapsed = " ".join(c.text for c in page_chunks("d", "letter.pdf", [page], 600, 120))
    assert "Atorvastatin | 80 mg | PO | at night" in collapsed


def test_a_lab_result_quotes_its_own_printed_line_but_not_a_line_of_many_results():
    page = ("Creatinine | 128 | umol/L | 59 - 104   (baseline 95, 03/2025)\n"
            "LABS: WBC 11.2 K/uL, Hgb 13.4 g/dL, Plt 212 K/uL\n"
            "VITALS: T 36.9 C | HR 104 | BP 158/86 | RR 22 | SpO2 89% RA")

    def result(test, analyte, value, low=None, high=None):
        return LabResult(test=test, analyte=analyte, value=value, value_text=f"{value:g}", unit=None, ref_low=low,
                         ref_high=high, ref_text=None, ref_source="report", flag="normal", page=1)

    results = [result("Creatinine", "creatinine", 128, 59, 104), result("WBC", "wbc", 11.2),
               result("Hgb", "hemoglobin", 13.4), result("SpO2", "o2_saturation", 89, 94)]
    creatinine, wbc, _, spo2 = lab_chunks("d1", "note.txt", results, [page], keep_spacing=True)
    assert creatinine.text.endswith("\nAs printed: Creatinine | 128 | umol/L | 59 - 104   (baseline 95, 03/2025)")
    assert "As printed" not in wbc.text and "As printed" not in spo2.text


def test_a_ruled_line_under_the_column_line_does_not_part_them():
    """'Date | 03/03/25 | 05/03/25' then '-----|-----|-----': each row still carries the dates of its columns."""
    page = ("BLOOD RESULTS\n Date         | 03/03/25 | 05/03/25 | Ref\n -------------|----------|----------|-------\n"
            " Bilirubin    | 48       | 61       | 0-21 umol/L\n ALT          | 212      | 176      | 0-33 U/L\n")
    rows = [c for c in page_chunks("d", "summary.txt", [page], 600, 100, keep_spacing=True) if c.kind == "row"]
    assert len(rows) == 2 and all("03/03/25" in c.text for c in rows)
    assert not any("----" in c.text for c in page_chunks("d", "summary.txt", [page], 600, 100))
