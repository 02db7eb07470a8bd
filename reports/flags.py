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
             "normal", "none seen", "-"}


def qualitative_class(text: str | None) -> str | None:
    """'negative' for any way of saying nothing was found, else the cleaned text (None when empty)."""
    if not text:
        return None
    clean = re.sub(r"\s+", " ", text.strip().lower().strip("()[]."))
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
           report_flag: str | None, analyte: Analyte | None, sex: str | None) -> FlagDecision:
    """The flag of one result and the range it was judged against."""
    if value is None:  # qualitative
        expected = qualitative_class(printed_ref_text) if printed_ref_text else None
        source = "report" if expected else None
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
    elif analyte is not None:
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

    if analyte is not None and analyte.critical is not None and analyte.accepts_unit(unit):
        crit_low = analyte.to_printed_unit(analyte.critical.low, unit)
        crit_high = analyte.to_printed_unit(analyte.critical.high, unit)
        if crit_low is not None and comparator not in (">", ">=") and value <= crit_low * (1 + 1e-9):
            flag = "critical_low"
        elif crit_high is not None and comparator not in ("<", "<=") and value >= crit_high * (1 - 1e-9):
            flag = "critical_high"
    if report_flag == "critical" and flag in ("low", "high"):
        flag = "critical_" + flag
    return FlagDecision(flag, low, high, ref_text, source)


def _from_report_flag(report_flag: str, default: str) -> str:
    return {"high": "high", "low": "low", "abnormal": "abnormal", "critical_high": "critical_high",
            "critical_low": "critical_low", "critical": "abnormal"}.get(report_flag, default)
