"""Mimetic lab reports from the MIMIC-III demo, with their ground truth.

Each report takes one admission's lab draw (real values, units and MIMIC abnormal flags), prints it in
one of several layouts (the original MIMIC bullet list, a fixed-width table, "Name: value (Ref: ...)"
lines, a French report with decimal commas and SI units, a multi-page table with headers and footers),
and keeps the rows a correct parser must return. Printed ranges are the catalogue's adult ranges in
the printed unit; flags are worked out here directly from value, range and critical limits.

    python training/make_reports.py --out data/samples --n 4 --seed 7 --pdf

`generate_reports(seed, n, layouts)` is the reusable entry point (also used by the LoRA dataset builder).
"""
from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

from reports.catalogue import Analyte, get_catalogue  # noqa: E402
from reports.units import convert, is_count_unit  # noqa: E402

MIMIC_DIR = ROOT.parent / "shared" / "data" / "mimic_demo"
LAYOUTS = ("mimic", "table", "ref_line", "french", "multipage")

# French printing: (unit, decimals) per analyte where French labs use another unit than MIMIC.
_FRENCH_UNITS = {"glucose": ("g/l", 2), "creatinine": ("µmol/l", 0), "bilirubin_total": ("µmol/l", 0),
                 "calcium": ("mmol/l", 2), "wbc": ("G/L", 1), "platelets": ("G/L", 0), "rbc": ("T/L", 2),
                 "albumin": ("g/l", 0), "total_protein": ("g/l", 0), "uric_acid": ("µmol/l", 0),
                 "magnesium": ("mmol/l", 2), "phosphate": ("mmol/l", 2), "fibrinogen": ("g/l", 2)}
_QUALITATIVE = {"NEG": "Negative", "TR": "Trace", "SM": "Small", "MOD": "Moderate", "LG": "Large", "POS": "Positive",
                "NONE": "None", "NORMAL": "Normal"}
_QUALITATIVE_FR = {"Negative": "Négatif", "Trace": "Traces", "Small": "+", "Moderate": "++", "Large": "+++",
                   "Positive": "Positif", "None": "Absence", "Normal": "Normal"}


@dataclass
class GeneratedReport:
    name: str
    layout: str
    pages: list[str]
    rows: list[dict]                      # ground truth, CLI-contract fields plus "page"
    age: int | None = None
    age_text: str | None = None
    sex: str | None = None
    language: str = "en"
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\f".join(self.pages)

    def ground_truth(self) -> dict:
        return {"file": self.name, "layout": self.layout, "language": self.language, "age": self.age,
                "age_text": self.age_text, "sex": self.sex, "pages": len(self.pages), "results": self.rows}


# --- MIMIC --------------------------------------------------------------------------------------------
def _rows(name: str) -> list[dict]:
    with open(MIMIC_DIR / name, newline="") as file:
        return list(csv.DictReader(file))


@lru_cache(maxsize=1)
def _mimic():
    items = {r["itemid"]: r for r in _rows("D_LABITEMS.csv")}
    patients = {r["subject_id"]: r for r in _rows("PATIENTS.csv")}
    admissions = {r["hadm_id"]: r for r in _rows("ADMISSIONS.csv")}
    draws = defaultdict(list)
    for r in _rows("LABEVENTS_partial_with_subject.csv"):
        draws[(r["hadm_id"], r["charttime"][:10])].append(r)
    return items, patients, admissions, draws


def _age(dob: str, when: str) -> int:
    return int(when[:4]) - int(dob[:4]) - ((when[5:10]) < dob[5:10])


def _expected_flag(value, qualitative, low, high, analyte: Analyte | None, unit, mimic_abnormal: bool,
                   range_printed: bool) -> str:
    """Ground-truth flag, from first principles (independent of reports.flags)."""
    if qualitative is not None:
        if analyte is not None and analyte.normal_text:
            return "normal" if qualitative.lower() in ("negative", "none", "normal", "négatif", "absence") else "abnormal"
        return "abnormal" if mimic_abnormal else "unknown"
    flag = "unknown"
    if low is not None or high is not None:
        flag = "low" if low is not None and value < low else "high" if high is not None and value > high else "normal"
        if flag == "normal" and not range_printed and mimic_abnormal:
            flag = "abnormal"
    elif mimic_abnormal:
        flag = "abnormal"
    if analyte is not None and analyte.critical is not None:
        c_low = analyte.to_printed_unit(analyte.critical.low, unit)
        c_high = analyte.to_printed_unit(analyte.critical.high, unit)
        if c_low is not None and value <= c_low + 1e-9:
            flag = "critical_low"
        elif c_high is not None and value >= c_high - 1e-9:
            flag = "critical_high"
    return flag


def _round(value: float, decimals: int) -> float:
    return round(value, decimals) if decimals else float(round(value))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _sig3(value):
    from reports.flags import _sig
    return _sig(value)


def _draw_rows(draw: list[dict], sex: str | None, rng: random.Random, french: bool) -> list[dict]:
    """The printable rows of one lab draw (one per analyte), in every unit/name variant needed."""
    catalogue = get_catalogue()
    items = _mimic()[0]
    rows, seen = [], set()
    for event in draw:
        item = items[event["itemid"]]
        raw_value, unit = event["value"].strip(), event["valueuom"].strip()
        if unit.lower() in ("units", " "):
            unit = ""
        if item["fluid"].lower() not in ("blood", "urine"):
            continue
        specimen = "urine" if item["fluid"].lower() == "urine" else "blood"
        qualitative = _QUALITATIVE.get(raw_value.upper())
        try:
            value = float(raw_value)
        except ValueError:
            value = None
        if value is None and qualitative is None:
            continue
        analyte = catalogue.lookup(item["label"], unit, specimen, qualitative=qualitative is not None)
        if analyte is None and (qualitative is not None or not unit):
            continue
        if analyte is not None and analyte.specimen != specimen:
            continue
        key = analyte.id if analyte else item["label"]
        if key in seen:
            continue
        seen.add(key)
        row = {"label": item["label"], "analyte": analyte, "value": value, "qualitative": qualitative, "unit": unit,
               "decimals": _decimals(raw_value), "mimic_abnormal": event["flag"] == "abnormal"}
        if french and analyte is not None and value is not None and analyte.id in _FRENCH_UNITS:
            fr_unit, decimals = _FRENCH_UNITS[analyte.id]
            converted = convert(value, unit, fr_unit, molar_mass=analyte.molar_mass, valence=analyte.valence,
                                count_like=is_count_unit(analyte.unit))
            if converted is not None:
                row.update(value=_round(converted, decimals), unit=fr_unit, decimals=decimals)
        rows.append(row)
    rng.shuffle(rows)
    order = {"CBC": 0, "CBC differential": 1, "BMP": 2, "CMP": 3, "Liver": 4, "Blood gas": 5, "Urinalysis": 9}
    rows.sort(key=lambda r: order.get(r["analyte"].panel if r["analyte"] else "", 6))
    return rows


def _printed_range(row, sex):
    analyte: Analyte | None = row["analyte"]
    if analyte is None or row["value"] is None:
        return None, None
    reference = analyte.reference_range(sex)
    if reference is None or not analyte.accepts_unit(row["unit"]):
        return None, None
    return _sig3(analyte.to_printed_unit(reference.low, row["unit"])), _sig3(analyte.to_printed_unit(reference.high, row["unit"]))


def _num(value: float, decimals: int, french: bool) -> str:
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if french else text


def _range_text(low, high, french) -> str:
    fmt = lambda v: f"{v:g}".replace(".", ",") if french else f"{v:g}"  # noqa: E731
    if low is not None and high is not None:
        return f"{fmt(low)} - {fmt(high)}"
    return f"< {fmt(high)}" if high is not None else f"> {fmt(low)}"


def _printed_name(row, layout, rng) -> str:
    analyte = row["analyte"]
    if layout == "mimic" or analyte is None:
        return row["label"]
    if layout == "french":
        fr = [s for s in analyte.synonyms if any(c in s for c in "éèàç") or s in ("leucocytes", "plaquettes", "potassium", "sodium")]
        name = fr[0] if fr else analyte.synonyms[-1]
        return name[0].upper() + name[1:]
    choices = [analyte.name, row["label"]] + [s.title() if len(s) > 4 else s.upper() for s in analyte.synonyms[:2] if len(s) > 2]
    return rng.choice(choices)


def _report_from_draw(index: int, layout: str, key, draw, rng: random.Random) -> GeneratedReport | None:
    items, patients, admissions, _ = _mimic()
    admission = admissions.get(key[0])
    if admission is None:
        return None
    patient = patients[admission["subject_id"]]
    sex = {"F": "female", "M": "male"}[patient["gender"]]
    age = _age(patient["dob"], key[1])
    french = layout == "french"
    rows = _draw_rows(draw, sex, rng, french)
    if len(rows) < 6:
        return None
    rows = rows[:rng.randint(8, 22)] if layout != "multipage" else rows[:45]
    age_text = ("plus de 89 ans" if french else "over 89") if age > 89 else None
    truth = []
    with_range = layout not in ("mimic",)
    for row in rows:
        name = _printed_name(row, layout, rng)
        low, high = _printed_range(row, sex) if with_range else (None, None)
        printed_range = low is not None or high is not None
        if not printed_range and row["analyte"] is not None and row["value"] is not None:
            low, high = _printed_range(row, sex)  # catalogue range the parser must fall back on
        qualitative = row["qualitative"]
        if qualitative and french:
            qualitative = _QUALITATIVE_FR[qualitative]
        flag = _expected_flag(row["value"], qualitative, low, high, row["analyte"], row["unit"],
                              row["mimic_abnormal"] and layout == "mimic", printed_range)
        value_text = qualitative or _num(row["value"], row["decimals"], french)
        ref_text = _range_text(low, high, french) if printed_range else None
        truth.append({"test": name, "analyte": row["analyte"].id if row["analyte"] else None,
                      "value": row["value"] if qualitative is None else None, "value_text": value_text,
                      "unit": row["unit"] or None, "ref_low": low, "ref_high": high, "ref_text": ref_text,
                      "ref_source": "report" if printed_range else ("reference_table" if low is not None or high is not None else None),
                      "flag": flag, "page": 1, "_line": (name, value_text, row["unit"], ref_text, row["mimic_abnormal"])})
    pages = _render(layout, truth, admission, sex, age, age_text, rng)
    for row in truth:
        row.pop("_line")
        if row["ref_source"] == "reference_table" and row["value"] is None:
            row["ref_low"] = row["ref_high"] = None
    return GeneratedReport(f"report_{index:03d}_{layout}", layout, pages, truth, None if age > 89 else age, age_text,
                           sex, "fr" if french else "en", {"hadm_id": key[0], "date": key[1]})


def _flag_word(row, layout) -> str:
    flag = row["flag"]
    if layout == "french":
        return {"low": "Bas", "high": "Élevé", "critical_low": "Bas", "critical_high": "Élevé"}.get(flag, "")
    if layout == "ref_line":
        return {"low": "LOW", "high": "HIGH", "critical_low": "CRITICAL LOW", "critical_high": "CRITICAL HIGH"}.get(flag, "")
    return {"low": "L", "high": "H", "critical_low": "LL", "critical_high": "HH"}.get(flag, "")


def _render(layout, truth, admission, sex, age, age_text, rng) -> list[str]:
    age_shown = age_text or str(age)
    date = "2178-0" + str(rng.randint(1, 9)) + "-1" + str(rng.randint(0, 9))
    if layout == "mimic":
        lines = ["Medical Report", f"Patient: {age_shown}-year-old {sex}" if not age_text else f"Patient age: {age_shown}, sex: {sex}",
                 f"Admission type: {admission['admission_type']}", f"Diagnosis: {admission['diagnosis']}", "", "Lab results:"]
        for row in truth:
            name, value_text, unit, _, abnormal = row["_line"]
            lines.append(f"- {name}: {value_text}{' ' + unit if unit else ''}{' (abnormal)' if abnormal else ''}")
        return ["\n".join(lines)]
    if layout == "ref_line":
        lines = ["GENERAL HOSPITAL - CLINICAL LABORATORY", f"Age: {age_shown}    Sex: {sex.capitalize()}", f"Collected: {date}", ""]
        for row in truth:
            name, value_text, unit, ref_text, _ = row["_line"]
            ref = f" (Ref: {ref_text})" if ref_text else ""
            lines.append(f"{name}: {value_text}{' ' + unit if unit else ''}{ref} {_flag_word(row, layout)}".rstrip())
        return ["\n".join(lines)]
    if layout == "french":
        lines = ["LABORATOIRE D'ANALYSES DE BIOLOGIE MÉDICALE", f"Patient(e) : {'Mme' if sex == 'female' else 'M.'} X    "
                 f"Âge : {age_shown}{'' if age_text else ' ans'}    Sexe : {'F' if sex == 'female' else 'M'}",
                 f"Prélèvement du {date[8:]}/{date[5:7]}/{date[:4]}", "",
                 f"{'Analyse':<34}{'Résultat':<12}{'Unité':<10}{'Valeurs de référence':<24}"]
        for row in truth:
            name, value_text, unit, ref_text, _ = row["_line"]
            lines.append(f"{name + '  ':<34}{value_text:<12}{(unit or ''):<10}{('[' + ref_text + ']') if ref_text else '':<24}{_flag_word(row, layout)}".rstrip())
        return ["\n".join(lines)]
    header = ["RIVERSIDE MEDICAL LABORATORIES", f"Patient ID: {rng.randint(100000, 999999)}   Age: {age_shown}   Sex: {sex[0].upper()}",
              f"Collected: {date}", "", f"{'Test':<36}{'Result':<10}{'Flag':<6}{'Units':<14}{'Reference Range':<18}"]
    body = []
    for row in truth:
        name, value_text, unit, ref_text, _ = row["_line"]
        body.append(f"{name + '  ':<36}{value_text:<10}{_flag_word(row, layout):<6}{(unit or ''):<14}{ref_text or '':<18}".rstrip())
    if layout == "table":
        return ["\n".join(header + body)]
    per_page = max(1, -(-len(body) // 3))
    pages = []
    for page in range(3):
        chunk = body[page * per_page:(page + 1) * per_page]
        for row in truth[page * per_page:(page + 1) * per_page]:
            row["page"] = page + 1
        pages.append("\n".join(header + chunk + ["", f"Page {page + 1} of 3      Confidential - for the patient and their physician"]))
    return pages


def generate_reports(seed: int, n: int, layouts: tuple[str, ...] | list[str] = LAYOUTS) -> list[GeneratedReport]:
    """`n` reports cycling through `layouts`, drawn reproducibly from the MIMIC demo with `seed`."""
    rng = random.Random(seed)
    draws = _mimic()[3]
    keys = sorted(k for k, v in draws.items() if len(v) >= 12)
    rng.shuffle(keys)
    reports, position = [], 0
    while len(reports) < n and position < len(keys):
        layout = layouts[len(reports) % len(layouts)]
        key = keys[position]
        position += 1
        report = _report_from_draw(len(reports), layout, key, draws[key], rng)
        if report is not None:
            reports.append(report)
    return reports


# --- files ----------------------------------------------------------------------------------------------
def write_pdf(pages: list[str], path: Path) -> None:
    """A text PDF (Courier, so columns survive layout extraction)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for page in pages:
        pdf.add_page()
        pdf.set_font("Courier", size=8.5)
        y = 15
        for line in page.splitlines():
            pdf.text(10, y, line.encode("latin-1", "replace").decode("latin-1"))
            y += 4.2
    pdf.output(str(path))


def write_scanned_pdf(pages: list[str], path: Path, dpi: int = 150) -> None:
    """An image-only PDF (a 'scan'): each text page is rendered to a bitmap and embedded as a picture."""
    import tempfile

    import pypdfium2 as pdfium
    from fpdf import FPDF

    with tempfile.TemporaryDirectory() as tmp:
        text_pdf = Path(tmp) / "text.pdf"
        write_pdf(pages, text_pdf)
        document = pdfium.PdfDocument(str(text_pdf))
        out = FPDF(format="A4")
        for index in range(len(document)):
            image = document[index].render(scale=dpi / 72).to_pil().convert("L")
            image_path = Path(tmp) / f"page{index}.png"
            image.save(image_path)
            out.add_page()
            out.image(str(image_path), x=0, y=0, w=210, h=297)
        document.close()
        out.output(str(path))


def write_image(page: str, path: Path, dpi: int = 150) -> None:
    """A photo-like PNG of one page."""
    import tempfile

    import pypdfium2 as pdfium

    with tempfile.TemporaryDirectory() as tmp:
        text_pdf = Path(tmp) / "text.pdf"
        write_pdf([page], text_pdf)
        document = pdfium.PdfDocument(str(text_pdf))
        document[0].render(scale=dpi / 72).to_pil().convert("RGB").save(path)
        document.close()


def save(report: GeneratedReport, folder: Path, fmt: str) -> Path:
    """Write the report as 'txt', 'pdf', 'scan' (image-only PDF) or 'png', plus its ground-truth JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    suffix = {"txt": ".txt", "pdf": ".pdf", "scan": ".pdf", "png": ".png"}[fmt]
    name = report.name + ("_scan" if fmt == "scan" else "")
    path = folder / (name + suffix)
    if fmt == "txt":
        path.write_text(report.text, encoding="utf-8")
    elif fmt == "pdf":
        write_pdf(report.pages, path)
    elif fmt == "scan":
        write_scanned_pdf(report.pages, path)
    else:
        write_image(report.pages[0], path)
    truth = report.ground_truth() | {"file": path.name}
    (folder / (name + ".json")).write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--n", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--formats", default="txt", help="comma list cycled over reports: txt,pdf,scan,png")
    args = parser.parse_args(argv)
    formats = args.formats.split(",")
    for i, report in enumerate(generate_reports(args.seed, args.n, tuple(args.layouts.split(",")))):
        print(save(report, args.out, formats[i % len(formats)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
