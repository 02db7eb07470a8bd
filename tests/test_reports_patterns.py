"""Report layouts written by others (issue #15): one small fixture per pattern in tests/data/reports/patterns/."""
from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from reports.explain import catalogue_explanation, report_language, urgent_banner
from reports.extract import lines_from_boxes
from reports.parser import parse_report
from reports.units import repair_unit

PATTERNS = Path(__file__).parent / "data" / "reports" / "patterns"


def rows(name: str) -> dict[str, object]:
    """test name -> LabResult for one fixture."""
    report = parse_report((PATTERNS / name).read_text(encoding="utf-8"))
    return {r.test: r for r in report.results}


def test_names_with_digits_and_brackets_keep_the_value_after_them():
    got = rows("names_with_digits.txt")
    assert got["eGFR (CKD-EPI 2021)"].value == 65 and got["eGFR (CKD-EPI 2021)"].analyte == "egfr"
    assert got["25-OH Vitamin D"].value == 32 and got["25-OH Vitamin D"].analyte == "vitamin_d"
    assert got["T3"].value == 1.2
    assert got["CA 19-9"].value == 25 and got["CA 19-9"].flag == "normal"
    assert got["Vitamin B12"].value == 410
    assert len(got) == 5


def test_titers_are_results_and_reference_notes_are_not():
    got = rows("titers_and_notes.txt")
    assert set(got) == {"Antinuclear Antibodies, IFA", "ANA Titer"}
    assert got["Antinuclear Antibodies, IFA"].value_text == "Negative"
    titer = got["ANA Titer"]
    assert titer.value_text == "1:160" and titer.value is None
    assert titer.ref_text == "Negative <1:80" and titer.flag == "abnormal"


def test_titer_below_the_cut_off_is_normal():
    report = parse_report("ANA Titer    1:40    Negative <1:80")
    assert [(r.value_text, r.flag) for r in report.results] == [("1:40", "normal")]


def test_urine_microscopy_grades_spans_and_appearance():
    got = rows("urine_microscopy.txt")
    assert got["RBC"].value_text == "21-50" and got["RBC"].unit == "/hpf" and got["RBC"].flag == "high"
    assert got["WBC"].value_text == "0-2" and got["WBC"].flag == "normal"
    assert got["Bacteria"].value_text == "Rare"
    assert got["Epithelial Cells"].value_text == "Few"
    assert got["Appearance"].value_text == "Hazy" and got["Appearance"].flag == "abnormal"
    assert got["Protein"].value_text == "2+"
    assert got["Pus Cells"].value_text == "4-6" and got["Pus Cells"].flag == "high"
    assert got["Pus Cells"].analyte == "urine_wbc"
    assert got["Crystals"].value_text == "2-3" and got["Crystals"].ref_high == 5  # span, then its range
    assert got["Casts"].value_text == "0-1"  # a span alone in a urine section is the result
    assert len(got) == 9


def test_span_alone_outside_a_urine_section_is_not_a_result():
    assert parse_report("HAEMATOLOGY\nRBC    0-2").results == []


def test_category_results_and_absolute_counts():
    got = rows("categories_and_absolute_counts.txt")
    assert got["GFR Category"].value_text == "G1"
    assert got["eGFR (CKD-EPI 2021)"].value == 92
    assert got["Basophils"].analyte == "basophils_pct"
    assert got["Absolute Basophil Count"].analyte == "basophils_abs"


def test_risk_band_and_interpretation_lines_are_not_results():
    got = rows("risk_bands.txt")
    assert list(got) == ["LDL Cholesterol"]
    assert got["LDL Cholesterol"].value == 162 and got["LDL Cholesterol"].flag == "high"


def test_french_scan_decimal_commas_inline_range_and_method_rows():
    got = rows("french_scan_lines.txt")
    assert got["Cholestérol HDL"].value == 0.33 and got["Cholestérol HDL"].flag == "low"
    assert got["ALAT"].value == 54 and got["ALAT"].unit == "UI/L" and got["ALAT"].ref_high == 42
    assert got["ALAT"].flag == "high"
    assert got["Créatinine"].value == 12 and got["Créatinine"].analyte == "creatinine"  # not "Cobas C111-Jaffé"
    assert not any("Cobas" in name for name in got)


def test_damaged_units_become_unknown_and_the_critical_check_uses_the_range_scale():
    got = rows("damaged_units.txt")
    hemoglobin = got["Haemoglobin"]
    assert hemoglobin.unit is None and hemoglobin.flag == "critical_low"
    assert got["MCHC"].unit is None and got["MCHC"].flag == "normal"
    assert got["MCV"].unit == "fl"  # 'fi': an OCR'd l, repaired because 'fl' is a real unit
    assert got["Platelet Count"].flag == "normal"  # '/uL' with 150-450 is 10^3/uL, not a critical 370/uL


def test_unit_repair_keeps_only_plausible_units():
    assert repair_unit("7p/6") is None and repair_unit("TP/") is None
    assert repair_unit("tys/µ1") == "tys/µl" and repair_unit("mg/dI") == "mg/dl"
    assert repair_unit("Milyon/µL") == "Milyon/µL" and repair_unit("109/L") == "109/L"


def test_bracketed_note_keeps_the_row():
    got = rows("bracket_note.txt")
    glucose = got["Glucose (fasting sample, drawn at 8am after overnight fast)"]
    assert glucose.value == 310 and glucose.analyte == "glucose" and glucose.flag == "high"
    assert (glucose.ref_low, glucose.ref_high) == (70, 99)


def test_addresses_phones_and_advice_are_not_results():
    got = rows("page_furniture.txt")
    assert list(got) == ["Sodium"]


def box(left: float, right: float, centre: float, height: float) -> list[tuple[float, float]]:
    return [(left, centre - height / 2), (right, centre - height / 2), (right, centre + height / 2),
            (left, centre + height / 2)]


def test_tilted_photo_rows_stay_aligned():
    """A curled photo: the right columns sit up to 35 px above their name (row pitch 62 px, boxes 70-120 px tall),
    so a range lines up better with the next row's name than with its own; rows are built left to right."""
    rows_ = [("MPV", 1450, 103, "9.50", 1440, "6.50-13.00", 1419, "fL", 1417),
             ("PCT", 1515, 87, "0.210", 1502, "0.114-0.282", 1479, "L/L", 1477),
             ("PDW", 1572, 123, "10.20", 1565, "9.00-18.00", 1537, "%", 1538)]
    boxes = []
    for name, y_name, h_name, value, y_value, ref, y_ref, unit, y_unit in rows_:
        boxes += [(box(130, 700, y_name, h_name), name), (box(1072, 1240, y_value, 74), value),
                  (box(1750, 2068, y_ref, 94), ref), (box(2140, 2257, y_unit, 80), unit)]
    text = lines_from_boxes(boxes, 2400)
    assert text.splitlines() == [f"{r[0]}    {r[3]}    {r[5]}    {r[7]}" for r in rows_]


def turned(points: list[tuple[float, float]], degrees: float) -> list[tuple[float, float]]:
    angle = math.radians(degrees)
    return [(x * math.cos(angle) - y * math.sin(angle), x * math.sin(angle) + y * math.cos(angle)) for x, y in points]


@pytest.mark.parametrize("degrees", [-4.0, 3.0])
def test_skewed_photo_is_deskewed_before_rows_are_built(degrees):
    """A photo turned a few degrees: over 1700 px of width the right column moves 90-120 px, two row pitches."""
    names = ["Platelets", "MCH", "White Blood Cells", "MCHC", "Red Blood Cells"]
    values = ["171", "28", "4.4", "33.2", "2.49"]
    boxes = []
    for row, (name, value) in enumerate(zip(names, values, strict=True)):
        y = 400 + 50 * row
        boxes.append((turned(box(100, 520, y, 36), degrees), name))
        boxes.append((turned(box(1000, 1090, y, 36), degrees), value))
        boxes.append((turned(box(1500, 1800, y, 36), degrees), "150 - 400"))
    text = lines_from_boxes(boxes, 2000)
    assert text.splitlines() == [f"{n}    {v}    150 - 400" for n, v in zip(names, values, strict=True)]


def test_rows_are_capped():
    text = "\n".join(f"Sodium    {130 + i % 20}    mmol/L    135-145" for i in range(50))
    assert len(parse_report(text, max_rows=10).results) == 10
    assert len(parse_report(text).results) == 50


@pytest.mark.parametrize("unit", ["Glucose 95 mg/dL (70-99) ", "x 1 2 3 4 5 6 7 8 9 ", "Sodium    140    mmol/L    "])
def test_one_line_text_parses_in_linear_time(unit):
    """A one-line text grows 10x: parsing time grows about 10x, not 100x (quadratic took 53 s at 200 KB)."""
    def seconds(size: int) -> float:
        text = (unit * (size // len(unit) + 1))[:size]
        start = time.perf_counter()
        parse_report(text)
        return time.perf_counter() - start

    small, large = seconds(100_000), seconds(1_000_000)
    assert large < 60  # generous: about 3-5 s on a shared 2-core machine
    assert large < 40 * max(small, 0.05)


def test_french_report_gets_french_explanations_and_critical_wording():
    report = parse_report((PATTERNS / "french_critical.txt").read_text(encoding="utf-8"))
    assert report_language(report.results) == "fr"
    text = catalogue_explanation(report.results)
    assert "**Urgent :** Hémoglobine est à un niveau critique." in text
    assert "La protéine des globules rouges qui transporte l'oxygène. Valeur basse :" in text
    assert "(référence 13,0-17,0, du compte rendu) - critique (bas)" in text
    assert "Résultat critique" in urgent_banner(report.results)
    english = parse_report("Hemoglobin    6.5    g/dL    13.0-17.0\nPotassium    4.1    mmol/L    3.5-5.1")
    assert report_language(english.results) == "en" and "A low value:" in catalogue_explanation(english.results)


def test_method_words_inside_a_real_row_and_lone_status_cells():
    """A method in the name or in a trailing column keeps the row; a bare 'Result: Negative' is not a test."""
    got = rows("method_and_status_columns.txt")
    assert set(got) == {"Creatinine, Jaffe method", "Cholesterol", "Glucose"}
    assert got["Creatinine, Jaffe method"].analyte == "creatinine"
    assert got["Glucose"].flag == "high"


def test_percentage_and_absolute_rows_stay_apart_when_units_are_damaged():
    report = parse_report((PATTERNS / "damaged_units_differential.txt").read_text(encoding="utf-8"))
    assert [(r.value_text, r.unit, r.analyte) for r in report.results] == [
        ("0.5", None, "basophils_pct"), ("0.03", None, "basophils_abs"), ("0.2", None, "eosinophils_abs")]


def test_lab_code_columns_and_indian_units():
    got = rows("lab_codes_and_indian_units.txt")
    assert (got["Glucose"].value, got["Glucose"].flag) == (95, "normal")  # '01' is the lab code, not the result
    assert got["BUN"].value == 18
    assert got["Total Leucocyte Count (TLC)"].value == 8500 and got["Total Leucocyte Count (TLC)"].analyte == "wbc"
    assert got["Platelet Count"].unit == "lakhs/cumm"
    assert got["ESR (Westergren)"].unit == "mm/1st hr" and got["ESR (Westergren)"].flag == "high"
    assert got["Widal test: S. Typhi O"].value_text == "1:80"


def test_a_cumulative_table_gives_the_latest_dates_value_with_its_unit():
    """One value column per sample date: the latest date's value is the result (in either column order); a test
    not done on the latest date keeps its last value; the next column is never taken for the unit."""
    got = rows("cumulative_dates.txt")
    assert got["Potassium"].value == 5.6 and got["Potassium"].unit == "mmol/L" and got["Potassium"].flag == "high"
    assert got["Sodium"].value == 137
    assert got["Creatinine"].value == 150 and got["Creatinine"].unit == "umol/L"
    assert got["Hemoglobin"].value == 9.8 and got["Hemoglobin"].unit == "g/dL" and got["Hemoglobin"].flag == "low"
    assert got["Platelets"].value == 240
    assert len(got) == 5
    notes = parse_report((PATTERNS / "cumulative_dates.txt").read_text(encoding="utf-8")).notes
    assert notes == ["A table has one column per sample date (02/01/2025, 19/03/2025): its results are the latest "
                     "date's (19/03/2025), or a test's last value where that date has none.",
                     "A table has one column per sample date (2025-03-19, 2024-11-02): its results are the latest "
                     "date's (2025-03-19), or a test's last value where that date has none."]


def test_hba1c_in_mmol_per_mol_keeps_its_unit_and_is_flagged_without_a_printed_range():
    # IFCC units (UK and European reports): % = 0.09148 * mmol/mol + 2.152; the catalogue's 4.0-5.6 % is 20-38.
    high, normal = parse_report("HbA1c 48 mmol/mol\nHbA1c 35 mmol/mol\n").results
    assert high.unit == "mmol/mol" and high.flag == "high" and normal.flag == "normal"
    assert round(high.ref_high) == 38 and high.ref_source == "reference_table"


def test_italian_report_maps_names_and_calls_critical_values_critical():
    got = rows("italian_critical.txt")
    assert {name: r.analyte for name, r in got.items()} == {
        "Potassio": "potassium", "Sodio": "sodium", "Emoglobina": "hemoglobin", "Glicemia": "glucose",
        "Creatinina": "creatinine", "Globuli bianchi": "wbc", "GOT": "ast", "Colesterolo HDL": "hdl"}
    assert got["Potassio"].flag == "critical_high" and got["Sodio"].flag == "critical_low"
    assert got["Emoglobina"].flag == "critical_low" and got["Glicemia"].flag == "low"  # 42 mg/dL: low, not below 40
    assert "critical" in urgent_banner(list(got.values())).lower()


def test_polish_counts_in_thousands_and_millions_per_microlitre():
    got = rows("polish_counts.txt")
    assert got["Płytki krwi"].analyte == "platelets" and got["Płytki krwi"].flag == "critical_low"  # 15 tys/µl
    assert got["Leukocyty"].analyte == "wbc" and got["Erytrocyty"].analyte == "rbc"
    assert got["Glukoza (ICD-9: L43)"].analyte == "glucose" and got["Potas"].flag == "critical_low"


def test_turkish_abbreviation_and_local_name_and_differential_share_or_count():
    got = rows("turkish_hemogram.txt")
    assert [got[n].analyte for n in ("WBC-Akyuvarlar", "RBC-Alyuvarlar", "HGB-Hemoglobin")] == ["wbc", "rbc",
                                                                                               "hemoglobin"]
    assert got["Nötrofil %"].analyte == "neutrophils_pct" and got["Nötrofil #"].analyte == "neutrophils_abs"
    assert got["Lenfosit#"].analyte == "lymphocytes_abs"


@pytest.mark.parametrize("name, unit, analyte", [
    ("Glucosa", "mg/dL", "glucose"), ("Potasio", "mmol/L", "potassium"), ("Hemácias", "10^6/uL", "rbc"),
    ("Kalium", "mmol/l", "potassium"), ("Thrombozyten", "Tsd/µl", "platelets"), ("Gesamteiweiß", "g/dl", "total_protein"),
    ("Quick", "%", "pt_percent"), ("Żelazo", "µg/dl", "iron"), ("Kırmızı küre", "10^6/uL", "rbc"),
    ("TSH-Receptor Antibodies", "IU/L", None), ("Pro-BNP", "pg/mL", None), ("RDW-SD", "fL", None),
])
def test_catalogue_names_in_other_languages(name, unit, analyte):
    from reports.catalogue import get_catalogue

    found = get_catalogue().lookup(name, unit)
    assert (found.id if found else None) == analyte


def test_a_result_printed_under_its_name_with_the_range_below():
    got = rows("result_under_name.txt")
    assert set(got) == {"GLUCOSE, FASTING", "HEMOGLOBIN A1C", "GLICOSE", "COLESTEROL TOTAL"}  # no row named "Result"
    assert (got["GLUCOSE, FASTING"].analyte, got["GLUCOSE, FASTING"].ref_low, got["GLUCOSE, FASTING"].flag) == \
        ("glucose", 70, "high")
    assert got["GLICOSE"].ref_high == 99 and got["GLICOSE"].flag == "low"
    assert got["COLESTEROL TOTAL"].ref_high == 190 and got["COLESTEROL TOTAL"].flag == "high"


def test_dotted_thousands_in_counts_of_a_decimal_comma_report():
    got = rows("dotted_thousands.txt")
    assert got["Leucócitos"].value == 8500 and got["Leucócitos"].ref_high == 11000
    assert got["Plaquetas"].value == 15000 and got["Plaquetas"].flag == "critical_low"  # 15 x10^3/µL
    assert got["Densidade urinária"].value == 1.02 and got["Densidade urinária"].flag == "normal"  # not 1020


def test_up_to_and_above_in_other_languages():
    got = rows("range_words.txt")
    assert (got["Colesterolo totale"].ref_high, got["Colesterolo totale"].flag) == (200, "high")
    assert (got["Trigliceridi"].ref_high, got["Trigliceridi"].flag) == (150, "normal")
    assert (got["Colesterolo HDL"].ref_low, got["Colesterolo HDL"].flag) == (40, "low")
    assert (got["Triglicéridos"].ref_high, got["Triglicéridos"].flag) == (150, "high")
    assert (got["Hämoglobin"].ref_low, got["Hämoglobin"].ref_high) == (12, 16)  # '12 bis 16': between, not below
    assert got["Cholesterin"].ref_high == 200 and all(r.ref_source == "report" for r in got.values())


def test_an_english_report_whose_names_french_shares_stays_english():
    """GLUCOSE, SODIUM, POTASSIUM, CREATININE are French names too: an English report of them is not French."""
    report = parse_report("GLUCOSE 126 mg/dL 70-99\nSODIUM 140 mmol/L 135-145\nPOTASSIUM 4.1 mmol/L 3.5-5.1\n"
                          "CREATININE 1.4 mg/dL 0.6-1.2\nCALCIUM 9.5 mg/dL 8.5-10.2")
    assert len(report.results) == 5 and report_language(report.results) == "en"
    french = parse_report("Glycémie 1,26 g/l 0,70-1,10\nNatrémie 140 mmol/l 135-145\nKaliémie 4,1 mmol/l 3,5-5,1")
    assert report_language(french.results) == "fr"
