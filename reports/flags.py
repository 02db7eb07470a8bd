"""Flags are computed from numbers, never generated: the report's printed range first, the catalogue
range (converted to the printed unit) only when the report prints none, critical limits from the catalogue."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from reports.catalogue import Analyte

FLAGS = ("low", "high", "normal", "critical_low", "critical_high", "abnormal", "unknown")
ABNORMAL_FLAGS = {"low", "high", "critical_low", "critical_high", "abnormal"}
CRITICAL_FLAGS = {"critical_low", "critical_high"}

# Qualitative results that mean "nothing found".
_NEGATIVE = {"negative", "neg", "negatif", "négatif", "négative", "absent", "absence", "absente", "none",
             "nil", "not detected", "non detecte", "non détecté", "non-reactive", "nonreactive", "non reactive",
             "normal", "none seen", "-",
             # Russian
             "не обнаружен", "не обнаружена", "не обнаружено", "не обнаружены", "не выявлен", "не выявлена",
             "не выявлено", "не выявлены", "отрицательно", "отрицательный", "отрицательная", "отрицательное",
             "отсутствует", "отсутствуют", "норма"}
# Latin letters OCR reads for Cyrillic ones ('He обнаружены' is 'Не обнаружены').
_TO_CYRILLIC = str.maketrans("aceopxyhkmtb", "асеорхункмтв")


def qualitative_class(text: str | None) -> str | None:
    """'negative' for any way of saying nothing was found, else the cleaned text (None when empty)."""
    if not text:
        return None
    clean = re.sub(r"\s+", " ", text.strip().lower().strip("()[]."))
    if re.search(r"[\u0400-\u04ff]", clean):
        clean = clean.translate(_TO_CYRILLIC)
    return "negative" if clean in _NEGATIVE else clean


@dataclass(frozen=True)
class FlagDecision:
    flag: str
    ref_low: float | None
    ref_high: float | None
    ref_text: str | None
    ref_source: str | None


def _sig(value: float | None) -> float | None:
    """Round a converted catalogue bound to 3 significant figures for display."""
    if value is None or value == 0:
        return value
    digits = 3 - int(math.floor(math.log10(abs(value)))) - 1
    return round(value, max(digits, 0))


def _format_range(low: float | None, high: float | None) -> str:
    fmt = lambda v: f"{v:g}"  # noqa: E731
    if low is not None and high is not None:
        return f"{fmt(low)} - {fmt(high)}"
    return f"< {fmt(high)}" if high is not None else f"> {fmt(low)}"


def compare(value: float, comparator: str | None, low: float | None, high: float | None) -> str:
    """'low' / 'normal' / 'high', or 'unknown' when a '<x' or '>x' result could fall either side."""
    if comparator in ("<", "<="):
        if low is not None and low > 0 and value <= low:
            return "low"
        if high is not None and value <= high and (low is None or low <= 0):
            return "normal"
        if high is None and low is not None and low <= 0:
            return "normal"
        return "unknown"
    if comparator in (">", ">="):
        if high is not None and value >= high:
            return "high"
        if low is not None and value >= low and high is None:
            return "normal"
        return "unknown"
    if low is not None and value < low:
        return "low"
    if high is not None and value > high:
        return "high"
    return "normal"


def decide(*, value: float | None, comparator: str | None, value_text: str, unit: str | None,
           printed_low: float | None, printed_high: float | None, printed_ref_text: str | None,
           report_flag: str | None, analyte: Analyte | None, sex: str | None, adult: bool = True) -> FlagDecision:
    """The flag of one result and the range it was judged against. The catalogue's adult range stands in for a
    range the report did not print only for an adult (`adult`); critical limits apply at any age."""
    if value is None and _TITER.fullmatch(value_text or "") and _TITER_CUTOFF.search(printed_ref_text or ""):
        return FlagDecision(_titer_flag(value_text, printed_ref_text), None, None, printed_ref_text, "report")
    if value is None and _SPAN.fullmatch(value_text or "") and (printed_low is not None or printed_high is not None):
        return FlagDecision(_span_flag(value_text, printed_low, printed_high), printed_low, printed_high,
                            printed_ref_text, "report")
    if value is None:  # qualitative
        expected = qualitative_class(printed_ref_text) if printed_ref_text else None
        source = "report" if expected else None
        if expected and analyte is not None and analyte.normal_text and _lost_first_words(printed_ref_text, value_text):
            expected = None  # OCR cut 'Не обнаружены' to 'обнаружены': the catalogue's expected result judges it
        if expected is None and analyte is not None and analyte.normal_text:
            expected, source = qualitative_class(analyte.normal_text), "reference_table"
        ref_text = printed_ref_text if source == "report" else (analyte.normal_text.capitalize() if source else None)
        if expected is not None:
            flag = "normal" if qualitative_class(value_text) == expected else "abnormal"
        else:
            flag = "abnormal" if report_flag else "unknown"
        return FlagDecision(flag, None, None, ref_text, source)

    low, high, ref_text, source = printed_low, printed_high, printed_ref_text, None
    if low is not None or high is not None:
        source = "report"
    elif analyte is not None and adult:
        reference = analyte.reference_range(sex)
        if reference is not None and analyte.accepts_unit(unit):
            low, high = _sig(analyte.to_printed_unit(reference.low, unit)), _sig(analyte.to_printed_unit(reference.high, unit))
            ref_text, source = _format_range(low, high), "reference_table"

    if source:
        flag = compare(value, comparator, low, high)
        if flag == "normal" and source == "reference_table" and report_flag:
            flag = _from_report_flag(report_flag, "normal")  # the lab's own call beats our generic range
        elif flag == "unknown" and report_flag:
            flag = _from_report_flag(report_flag, "unknown")
    else:
        flag = _from_report_flag(report_flag, "unknown") if report_flag else "unknown"

    scale = _judging_unit(analyte, unit, printed_low, printed_high, sex) if analyte is not None else None
    if analyte is not None and analyte.critical is not None and scale is not None:
        crit_low = analyte.to_printed_unit(analyte.critical.low, scale)
        crit_high = analyte.to_printed_unit(analyte.critical.high, scale)
        if crit_low is not None and comparator not in (">", ">=") and value <= crit_low * (1 + 1e-9):
            flag = "critical_low"
        elif crit_high is not None and comparator not in ("<", "<=") and value >= crit_high * (1 - 1e-9):
            flag = "critical_high"
    if report_flag == "critical" and flag in ("low", "high"):
        flag = "critical_" + flag
    return FlagDecision(flag, low, high, ref_text, source)


_TITER = re.compile(r"1\s?:\s?(\d{1,5})")
_TITER_CUTOFF = re.compile(r"(<=|>=|<|>|≤|≥|up to|below)\s*1\s?:\s?(\d{1,5})", re.IGNORECASE)
_SPAN = re.compile(r"(\d+(?:\.\d+)?)\s?[-–]\s?(\d+(?:\.\d+)?)")


def _lost_first_words(ref_text: str, value_text: str) -> bool:
    """Whether the printed reference is the result with its first word(s) cut off ('обнаружены' for a result
    'Не обнаружены', 'detected' for 'Not detected'): a photo's column edge or OCR lost them."""
    ref, value = (re.sub(r"\s+", " ", (t or "").strip().lower()) for t in (ref_text, value_text))
    return 4 <= len(ref) < len(value) and value.endswith(" " + ref)


def _titer_flag(value_text: str, ref_text: str) -> str:
    """'1:160' against 'Negative <1:80': a dilution at or past the negative cut-off is abnormal."""
    dilution = int(_TITER.fullmatch(value_text).group(1))
    op, cutoff = _TITER_CUTOFF.search(ref_text).groups()
    cutoff = int(cutoff)
    normal = {"<": dilution < cutoff, "below": dilution < cutoff, "<=": dilution <= cutoff, "≤": dilution <= cutoff,
              "up to": dilution <= cutoff, ">": dilution > cutoff, ">=": dilution >= cutoff, "≥": dilution >= cutoff}
    return "normal" if normal.get(op.lower(), False) else "abnormal"


def _span_flag(value_text: str, low: float | None, high: float | None) -> str:
    """A count printed as a span ('21-50 /hpf') against a printed range: high when it reaches past the upper bound."""
    first, last = (float(x) for x in _SPAN.fullmatch(value_text).groups())
    if high is not None and last > high:
        return "high"
    if low is not None and first < low:
        return "low"
    return "normal"


# Units tried when the printed unit is missing, damaged or at odds with the printed range.
_SCALES = ("g/dL", "g/L", "mg/dL", "mg/L", "ug/dL", "ng/mL", "pg/mL", "mmol/L", "umol/L", "10^3/uL", "10^6/uL", "/uL",
           "10^9/L", "10^12/L", "%", "L/L", "U/L", "fL", "pg", "s")
# A printed range "fits" a unit when each printed bound is within 2.5x of the catalogue bound in that unit
# (|log10| <= 0.4). Lab ranges differ from the catalogue's typical adult ranges by far less (hemoglobin
# 13.5-17.5 vs 13.2-16.6 g/dL), while a wrong scale is off by 10x or more (g/dL vs g/L, /uL vs 10^3/uL).
MAX_RANGE_MISFIT = 0.4


def range_misfit(analyte: Analyte, unit: str, low: float | None, high: float | None, sex: str | None) -> float | None:
    """Mean |log10(printed bound / catalogue bound in `unit`)|, or None when it cannot be computed."""
    reference = analyte.reference_range(sex)
    if reference is None:
        return None
    gaps = []
    for printed, typical in ((low, reference.low), (high, reference.high)):
        converted = analyte.to_printed_unit(typical, unit) if typical is not None else None
        if printed is not None and converted is not None and printed > 0 and converted > 0:
            gaps.append(abs(math.log10(printed / converted)))
    return sum(gaps) / len(gaps) if gaps else None


def _judging_unit(analyte: Analyte, unit: str | None, low: float | None, high: float | None,
                  sex: str | None) -> str | None:
    """The unit to apply critical limits in: the printed unit when the printed range agrees with it; else the
    unit whose converted catalogue range matches the printed range ('Hemoglobin 7.0 [damaged unit] 13.5-17.5'
    is g/dL; 'Platelets 370 /uL 150-450' is 10^3/uL); the printed unit when nothing fits; else None."""
    accepted = unit if unit and analyte.accepts_unit(unit) else None
    if low is None and high is None:
        return accepted
    best = None
    for candidate in ([accepted] if accepted else []) + [analyte.unit, *analyte.units, *_SCALES]:
        misfit = range_misfit(analyte, candidate, low, high, sex)
        if misfit is not None and misfit <= MAX_RANGE_MISFIT and (best is None or misfit < best[0] - 1e-9):
            best = (misfit, candidate)
    return best[1] if best else accepted


def _from_report_flag(report_flag: str, default: str) -> str:
    return {"high": "high", "low": "low", "abnormal": "abnormal", "critical_high": "critical_high",
            "critical_low": "critical_low", "critical": "abnormal"}.get(report_flag, default)
