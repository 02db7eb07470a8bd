"""Russian reports: Cyrillic OCR (RapidOCR's boxes and numbers + tesseract's words), Russian names and units in the
catalogue, Russian qualitative results, and a clear note where tesseract is missing."""
from pathlib import Path

import pytest

from reports import tesseract
from reports.catalogue import get_catalogue
from reports.extract import NO_CYRILLIC_OCR, extract_document, letters_vanished, lines_from_boxes, merge_readings
from reports.flags import qualitative_class
from reports.parser import parse_report
from reports.units import is_plausible_unit, normalize_unit

PHOTO = Path(__file__).resolve().parent / "data" / "ocr" / "ru_cbc_photo.png"

RUSSIAN_REPORT = """\
Клинический анализ крови
Лейкоциты (WBC)        11.20   10е9/л     (4.00-9.00)
Гемоглобин (HGB)       131     г/л        (120-160)
Глюкоза                6.8     ммоль/л    3.9 - 6.1
Креатинин              88      мкмоль/л   62 - 106
AnAT                   25      Ед/л       < 41
Билирубин общий        10.1    мкмоль/л   3.4 - 20.5
Нормобласты            Не обнаружены      He обнаружены
СОЭ по Вестергрену     14      мм/час     (2-20)
"""


def _quad(left, top, right, bottom):
    return [(left, top), (right, top), (right, bottom), (left, bottom)]


def test_russian_names_map_to_catalogue_analytes():
    catalogue = get_catalogue()
    expected = {"Гемоглобин": "hemoglobin", "Эритроциты": "rbc", "Лейкоциты": "wbc", "Тромбоциты": "platelets",
                "Гематокрит": "hematocrit", "Глюкоза": "glucose", "Креатинин": "creatinine", "Мочевина": "urea",
                "АЛТ": "alt", "АСТ": "ast", "Билирубин общий": "bilirubin_total", "Холестерин": "cholesterol_total",
                "Холестерин ЛПВП": "hdl", "Ёмкость": None, "Щелочная фосфатаза": "alp", "ТТГ": "tsh",
                "Нейтрофилы (Ne) abs": "neutrophils_abs", "СРБ": "crp", "Ферритин": "ferritin"}
    for name, analyte in expected.items():
        found = catalogue.lookup(name)
        assert (found.id if found else None) == analyte, name


def test_russian_name_read_in_latin_look_alikes_is_restored():
    catalogue = get_catalogue()
    assert catalogue.lookup("AnAT").id == "alt" and catalogue.restore_cyrillic("AnAT") == "АлАТ"
    assert catalogue.restore_cyrillic("Hemoglobin") == "Hemoglobin"  # English names are never touched


@pytest.mark.parametrize("unit, normal", [("г/л", "g/l"), ("ммоль/л", "mmol/l"), ("мкмоль/л", "umol/l"),
                                          ("Ед/л", "u/l"), ("10е9/л", "10^9/l"), ("фл", "fl"), ("пг", "pg"),
                                          ("мм/час", "mm/h"), ("мкМЕ/мл", "mu/l"), ("тыс/мкл", "k/ul")])
def test_russian_units(unit, normal):
    assert normalize_unit(unit) == normal and is_plausible_unit(unit)


def test_russian_negative_results():
    assert qualitative_class("Не обнаружены") == "negative" == qualitative_class("He обнаружены")
    assert qualitative_class("отрицательно") == "negative"


def test_smear_findings_without_printed_reference_are_judged_by_the_catalogue():
    """A photo's reference column can be lost to OCR; 'not detected' is the expected result of these smear items."""
    report = "Атипичные лимфоциты    Не обнаружены\nAtypical lymphocytes    Present\nNRBC    Not detected\n"
    rows = parse_report(report).results
    assert [(r.analyte, r.flag, r.ref_source) for r in rows] == [
        ("atypical_lymphocytes", "normal", "reference_table"), ("atypical_lymphocytes", "abnormal", "reference_table"),
        ("nrbc", "normal", "reference_table")]


def test_a_reference_that_lost_its_first_word_is_not_read_as_the_opposite():
    """A photo's reference cell 'Не обнаружены' OCR'd as 'обнаружены' must not make a normal result abnormal."""
    rows = parse_report("Агрегаты тромбоцитов    Не обнаружены    обнаружены\n").results
    assert [(r.analyte, r.flag) for r in rows] == [("platelet_clumps", "normal")]


def test_parse_russian_report():
    rows = {r.test: r for r in parse_report(RUSSIAN_REPORT).results}
    assert rows["Лейкоциты (WBC)"].analyte == "wbc" and rows["Лейкоциты (WBC)"].unit == "10e9/л"  # Latin exponent
    assert rows["Лейкоциты (WBC)"].flag == "high" and rows["Глюкоза"].flag == "high"
    assert rows["Гемоглобин (HGB)"].unit == "г/л" and rows["Гемоглобин (HGB)"].flag == "normal"
    assert rows["Креатинин"].unit == "мкмоль/л" and rows["Креатинин"].ref_high == 106
    assert rows["АлАТ"].analyte == "alt" and rows["АлАТ"].ref_high == 41 and rows["АлАТ"].flag == "normal"
    assert rows["Билирубин общий"].analyte == "bilirubin_total"
    assert rows["Нормобласты"].value_text == "Не обнаружены" and rows["Нормобласты"].flag == "normal"
    assert rows["СОЭ по Вестергрену"].analyte == "esr" and rows["СОЭ по Вестергрену"].unit == "мм/час"


def test_cyrillic_page_detected_from_rapidocr_blanks():
    # Shares measured on real_reports_dev: 0.12 and 0.27 on the Russian pages, at most 0.014 on the others.
    russian = [" ()", "4.79 10e9/n", "(3.98-10.04)", "   ()", "118.00/n", " .  ()", "38.30%", "(34.10-44.90)"]
    english = ["Hemoglobin", "13.5", "g/dL", "12.0-15.5", "Platelets", "250", "10^3/uL", "150-400"] * 3
    assert letters_vanished(russian) and not letters_vanished(english)
    assert not letters_vanished(english + [" o lo"])  # one stray blank is not a Cyrillic page


def test_merge_keeps_rapidocr_numbers_and_takes_tesseract_words():
    items = [(_quad(10, 100, 300, 130), " ()"), (_quad(400, 100, 640, 130), "4.79 10e9/n"),
             (_quad(700, 100, 900, 130), "(3.98-10.04)"),
             (_quad(400, 160, 520, 190), "118.00/n")]
    words = [tesseract.Word(12, 102, 180, 128, "Лейкоциты", 91), tesseract.Word(190, 102, 290, 128, "(WBC)", 90),
             tesseract.Word(400, 102, 470, 128, "4.79", 80), tesseract.Word(490, 102, 630, 128, "10е9/л", 85),
             tesseract.Word(704, 102, 898, 128, "(3.98-10.04)", 88),
             tesseract.Word(10, 162, 230, 188, "Гемоглобин", 93),  # a name RapidOCR dropped
             tesseract.Word(400, 162, 520, 188, "118.00г/л", 70), tesseract.Word(700, 162, 760, 188, "[@.08", 20)]
    lines = lines_from_boxes(merge_readings(items, words), 1000, 0.0).splitlines()
    assert lines[0].split() == ["Лейкоциты", "(WBC)", "4.79", "10е9/л", "(3.98-10.04)"]
    assert lines[1].split() == ["Гемоглобин", "118.00", "г/л"]  # tesseract's unsure '[@.08' is left out


def test_without_tesseract_the_page_keeps_rapidocr_and_says_why(monkeypatch, tmp_path):
    monkeypatch.setattr(tesseract, "languages", lambda: ())
    document = extract_document(PHOTO)
    assert document.ocr_used and NO_CYRILLIC_OCR in document.notes
    assert "6.8" in document.text  # the numbers are still read


@pytest.mark.skipif(not tesseract.available(), reason="tesseract-ocr with Russian data is not installed")
def test_russian_photo_end_to_end():
    document = extract_document(PHOTO)
    rows = {r.analyte: r for r in parse_report(document.pages).results}
    assert not document.notes
    assert rows["wbc"].value == 11.2 and rows["wbc"].flag == "high" and rows["wbc"].test.startswith("Лейкоциты")
    assert rows["glucose"].value == 6.8 and rows["glucose"].unit == "ммоль/л" and rows["glucose"].flag == "high"
    assert rows["creatinine"].value == 88 and rows["creatinine"].flag == "normal"
    assert rows["hemoglobin"].value == 131 and rows["alt"].value == 25


def test_a_unit_takes_rapidocr_digits_and_tesseract_letters():
    items = [(_quad(400, 100, 640, 130), "4.79 10e9/n")]
    words = [tesseract.Word(490, 102, 630, 128, "19е9/л", 85)]
    text = lines_from_boxes(merge_readings(items, words), 1000, 0.0)
    assert text.split() == ["4.79", "10е9/л"]


def test_russian_qualitative_result_in_look_alikes():
    rows = parse_report("Нормобласты        He обнаружены      He обнаружены\n").results
    assert rows[0].value_text == "Не обнаружены" and rows[0].flag == "normal"


def test_russian_age_and_sex():
    parsed = parse_report("Пол: Жен\nВозраст: 36 лет\nГлюкоза   4.7   ммоль/л   4.1 - 6.0\n")
    assert parsed.age == 36 and parsed.sex == "female"


def test_a_name_is_not_taken_for_an_analyte_whose_unit_cannot_match():
    catalogue = get_catalogue()
    assert catalogue.lookup("Тромбокрит (PCT)", "%") is None  # plateletcrit, not procalcitonin
    assert catalogue.lookup("PCT", "ng/mL").id == "procalcitonin"
    assert catalogue.lookup("WBC", "Bin/μL").id == "wbc"  # an unknown unit (Turkish thousands/µL) never blocks it


@pytest.mark.parametrize("printed, unit", [("r/n", "г/л"), ("EA/n", "ЕД/л"), ("Ea/n", "Ед/л"), ("10e9/n", "10e9/л"),
                                           ("φn", "фл"), ("7p/6", None), ("mg/dn", None), ("g/dL", "g/dL")])
def test_russian_unit_read_in_latin_look_alikes(printed, unit):
    from reports.parser import _plausible_unit
    assert _plausible_unit(printed) == unit


def test_ocr_marks_before_a_name_are_dropped():
    rows = parse_report("‹ Средняя конц. гемоглобина (MCHC)    308.00    г/л    (322.00-355.00)\n").results
    assert [(r.test, r.analyte, r.flag) for r in rows] == [("Средняя конц. гемоглобина (MCHC)", "mchc", "low")]


def test_a_russian_report_gets_a_computed_summary_not_the_models(monkeypatch):
    import models.registry
    from reports.analysis import summary_stream
    from reports.explain import report_language
    from settings import get_settings

    def no_model(settings):
        raise AssertionError("the English-trained explainer must not summarise a Russian report")

    monkeypatch.setattr(models.registry, "get_report_llm", no_model)
    report = parse_report(RUSSIAN_REPORT)
    assert report_language(report.results) == "ru"
    *_, summary = summary_stream(report, get_settings())
    assert "outside the reference range: Лейкоциты (WBC) (high), Глюкоза (high)." in summary
