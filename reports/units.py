"""Lab units: normalise how they are printed and convert between them only when it is reliable.

Families convert generically (mass/volume, amount/volume, cell counts, international units, time);
mass <-> amount needs the analyte's molar mass, mEq <-> mmol its valence, and anything else only an
explicit factor from the catalogue. Otherwise `convert` returns None: never compare mismatched units.
"""
from __future__ import annotations

import re
import unicodedata

_DIMENSIONLESS = {"", "ratio", "index", "unit", "units", "u.", "inr", "sg"}
_MASS = {"kg": 1e3, "g": 1.0, "mg": 1e-3, "ug": 1e-6, "ng": 1e-9, "pg": 1e-12}
_AMOUNT = {"mol": 1.0, "mmol": 1e-3, "umol": 1e-6, "nmol": 1e-9, "pmol": 1e-12}
_EQUIV = {"eq": 1.0, "meq": 1e-3, "ueq": 1e-6}
_UNITS_OF_ACTIVITY = {"iu": 1.0, "u": 1.0, "ui": 1.0, "miu": 1e-3, "mu": 1e-3, "mui": 1e-3,
                      "uiu": 1e-6, "uu": 1e-6, "uui": 1e-6, "kiu": 1e3, "ku": 1e3, "kui": 1e3}
_VOLUME = {"l": 1.0, "dl": 0.1, "cl": 0.01, "ml": 1e-3, "ul": 1e-6, "mm3": 1e-6, "nl": 1e-9}
_TIME = {"s": 1.0, "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0, "seconde": 1.0, "secondes": 1.0,
         "min": 60.0, "mn": 60.0}
# Thousands and millions as printed in English, Polish ('tys/µl', 'mln/µl') and German ('Tsd/µl', 'Mio/µl').
_COUNT_PREFIX = {"": 1.0, "k": 1e3, "thou": 1e3, "tys": 1e3, "tsd": 1e3, "m": 1e6, "mill": 1e6, "mln": 1e6, "mio": 1e6,
                 "g": 1e9, "t": 1e12, "cells": 1.0, "cell": 1.0, "#": 1.0}

_MASS_RE = re.compile(r"^(kg|g|mg|ug|ng|pg)/(l|dl|cl|ml|ul)$")
_AMOUNT_RE = re.compile(r"^(mol|mmol|umol|nmol|pmol)/(l|dl|ml)$")
_EQUIV_RE = re.compile(r"^(eq|meq|ueq)/(l|dl|ml)$")
_ACTIVITY_RE = re.compile(r"^(iu|u|ui|miu|mu|mui|uiu|uu|uui|kiu|ku|kui)/(l|dl|ml)$")
_POWER_RE = re.compile(r"^(?:x)?10(?:\^|\*|e)?(\d{1,2})/(l|dl|ml|ul|mm3|nl)$")
_COUNT_RE = re.compile(r"^(k|thou|tys|tsd|m|mill|mln|mio|g|t|cells|cell|#)?/(l|ul|mm3|nl)$")

# Tokens accepted as a printed unit even though they have no '/' or '%'.
KNOWN_BARE_UNITS = {"fl", "pg", "s", "sec", "seconds", "secondes", "mmhg", "kpa", "ratio", "index", "units", "unit",
                    "u", "iu", "ui", "mosm/kg", "um3", "mm/h", "%"}


# Russian unit words ('г/л', 'ммоль/л', 'мкМЕ/мл', 'Ед/л', 'фл', 'мм/час', '10е9/л', 'тыс/мкл') -> their Latin spelling.
_RUSSIAN_UNIT_WORDS = {
    "г": "g", "кг": "kg", "мг": "mg", "мкг": "ug", "нг": "ng", "пг": "pg", "моль": "mol", "ммоль": "mmol",
    "мкмоль": "umol", "нмоль": "nmol", "пмоль": "pmol", "ед": "u", "ме": "iu", "мед": "mu", "мме": "miu",
    "мкме": "uiu", "кед": "ku", "л": "l", "дл": "dl", "мл": "ml", "мкл": "ul", "нл": "nl", "фл": "fl", "мм": "mm",
    "ч": "h", "час": "h", "сек": "s", "с": "s", "мин": "min", "е": "e", "тыс": "k", "млн": "m", "кл": "cells",
    "мосм": "mosm", "кпа": "kpa", "ммрт": "mmhg"}


def normalize_unit(unit: str | None) -> str:
    """Canonical spelling: 'µmol/L' -> 'umol/l', 'x10^9 /L' -> '10^9/l', 'mm Hg' -> 'mmhg', 'K/µL' -> 'k/ul'."""
    if not unit:
        return ""
    text = unicodedata.normalize("NFKC", unit).strip().lower()
    if re.search(r"[\u0400-\u04ff]", text):  # a Russian unit: 'мкмоль/л' -> 'umol/l', 'Ед/л' -> 'u/l'
        text = re.sub(r"мм\s*рт\.?\s*ст\.?", "mmhg", text)
        text = re.sub(r"[а-яё]+", lambda m: _RUSSIAN_UNIT_WORDS.get(m.group(0), m.group(0)), text)
    text = text.replace("µ", "u").replace("μ", "u").replace("mcg", "ug").replace("³", "3").replace("²", "2")
    text = re.sub(r"(?<![a-z])mc(?=l\b|mol)", "u", text)  # 'million/mcL', 'mcmol/L'
    text = re.sub(r"^(x?)10(3|6|9|12)(?=/)", r"\g<1>10^\2", text)  # '109/L': an OCR'd 10⁹/L lost its superscript
    text = re.sub(r"\b(feu|ddu)\b", "", text)
    text = re.sub(r"\s+", "", text).strip(".")
    text = text.replace("×", "x").replace("cumm", "mm3").replace("mm^3", "mm3")
    text = re.sub(r"^x(?=10)", "", text)
    text = text.replace("10e", "10^").replace("10*", "10^")
    text = re.sub(r"/(1h|1hr|hr|heure|h1|1sthr|1sthour|hour)$", "/h", text)
    text = re.sub(r"^(#|cells?|/)/", "/", text)
    text = re.sub(r"ml/min/1[.,]73(m2?)?$", "ml/min/1.73m2", text)
    aliases = {"sec": "s", "secs": "s", "seconds": "s", "secondes": "s", "seconde": "s", "second": "s",
               "mm/h": "mm/h", "iu/l": "u/l", "ui/l": "u/l", "mui/l": "mu/l", "miu/l": "mu/l", "uiu/ml": "mu/l",
               "uu/ml": "mu/l", "uui/ml": "mu/l", "miu/ml": "u/l", "u/ml": "ku/l"}
    return aliases.get(text, text)


def _family(unit: str, count_like: bool) -> tuple[str, float] | None:
    """(family, factor to the family's base unit), or None when the unit is not in a generic family."""
    if unit in _DIMENSIONLESS:
        return "none", 1.0
    if unit in _TIME:
        return "time", _TIME[unit]
    if unit == "%":
        return "percent", 1.0
    if count_like:  # 'G/L' is 10^9/L for cell counts, grams per litre otherwise
        match = _POWER_RE.match(unit)
        if match:
            return "count", 10.0 ** int(match.group(1)) / _VOLUME[match.group(2)]
        match = _COUNT_RE.match(unit)
        if match:
            return "count", _COUNT_PREFIX[match.group(1) or ""] / _VOLUME[match.group(2)]
        return None
    for regex, family, table in ((_MASS_RE, "mass", _MASS), (_AMOUNT_RE, "amount", _AMOUNT),
                                 (_EQUIV_RE, "equiv", _EQUIV), (_ACTIVITY_RE, "activity", _UNITS_OF_ACTIVITY)):
        match = regex.match(unit)
        if match:
            return family, table[match.group(1)] / _VOLUME[match.group(2)]
    return None


def is_generic_unit(unit: str | None) -> bool:
    """Whether a unit is well understood (a generic family: mass, amount, activity, count, percent, time), so an
    analyte whose unit cannot convert to it is certainly not the one measured ('PCT 0.29 %' is not procalcitonin)."""
    norm = normalize_unit(unit)
    return norm not in _DIMENSIONLESS and (_family(norm, False) is not None or _family(norm, True) is not None)


def is_count_unit(unit: str) -> bool:
    return _family(normalize_unit(unit), count_like=True) is not None and normalize_unit(unit) not in _DIMENSIONLESS


def looks_like_unit(token: str) -> bool:
    """Whether a printed token is plausibly a unit (used to tell units from names and flags)."""
    norm = normalize_unit(token)
    if not norm or norm in {"h", "l", "a", "n"}:
        return False
    if norm in KNOWN_BARE_UNITS or norm in _TIME:
        return True
    if re.fullmatch(r"[-+]?\d+(?:[.,]\d+)?", norm):
        return False
    return "/" in norm or "%" in norm or _family(norm, False) is not None or _family(norm, True) is not None


# Printed units outside the generic families that labs use (cell counts with word prefixes, microscopy
# fields, rates, ratios). A unit that is neither here nor in a family is treated as damaged ("7p/6", "TP/").
_OTHER_UNITS = re.compile(
    r"(?:x?10\^?\d{1,2}|x?1000|x?10\^3|[^\W\d_]{1,9}\.?|#)?"  # count words: tys, mln, milyon, bin, lakhs, cells
    r"/(?:mm3|cmm|ul|l|nl|dl|ml|hpf|lpf|hmf|champ|100wbc|100leukocytes)"
    r"|(?:per)?(?:hpf|lpf|100wbc)|mm/h|mm/1h|ml/min(?:/1\.73m2)?|(?:mg|ug|ng|g|umol|mmol)/(?:g|mmol|mol|24h|day|d|kg)"
    r"|gms?/dl|gms?%|g%|mg%|mosm/kg|l/l|g/g|s|%|fl|pg|mmhg|kpa|ratio|index|iu|u|ui|mu|ku|mm|cm|mg|g|ng|copies/ml|au/ml|u/ml|au|ai|"
    r"titer|titre|ug/l|iu/ml|miu/ml|uiu/ml|uu/ml|mui/ml|ui/ml|pmol/l|nmol/l|ng/dl|meq/l|mval/l|mm3|um3|fl/cell")


def repair_unit(unit: str | None) -> str | None:
    """The unit itself when plausible, else the first reading with an OCR confusion undone (i, I, 1, | read for l:
    'fi' -> 'fl', 'tys/µ1' -> 'tys/µl', 'mg/dI' -> 'mg/dl'), else None (shown as unknown rather than wrong)."""
    if not unit:
        return None
    if is_plausible_unit(unit):
        return unit
    for index, char in enumerate(unit):
        if char in "iI1|":
            candidate = unit[:index] + "l" + unit[index + 1:]
            if is_plausible_unit(candidate):
                return candidate
    return None


def is_plausible_unit(unit: str | None) -> bool:
    """Whether a printed unit reads as a real lab unit (a generic family or a known lab spelling)."""
    norm = normalize_unit(unit)
    if not norm:
        return False
    if norm in KNOWN_BARE_UNITS or norm in _TIME or norm in _DIMENSIONLESS:
        return True
    if _family(norm, False) is not None or _family(norm, True) is not None:
        return True
    return bool(_OTHER_UNITS.fullmatch(norm.replace(" ", "")))


def convert(value: float, from_unit: str | None, to_unit: str | None, *, molar_mass: float | None = None,
            valence: int | None = None, extra: dict[str, float] | None = None, count_like: bool = False) -> float | None:
    """`value` from one unit to another, or None when no reliable conversion exists.

    `extra` maps normalised units to the factor that turns them into `to_unit` (catalogue-specific
    conversions such as L/L -> % for hematocrit or kPa -> mmHg).
    """
    src, dst = normalize_unit(from_unit), normalize_unit(to_unit)
    if src == dst:
        return value
    extra = {normalize_unit(k): v for k, v in (extra or {}).items()}
    if src in extra:
        return value * extra[src]
    if dst in extra:
        return value / extra[dst]
    a, b = _family(src, count_like), _family(dst, count_like)
    if a is None or b is None:
        return None
    (fam_a, fa), (fam_b, fb) = a, b
    if fam_a == fam_b:
        return value * fa / fb
    base = {"mass": "mass", "amount": "amount", "equiv": "amount"}
    if fam_a not in base or fam_b not in base:
        return None
    # To mol/L (or g/L) first.
    if fam_a == "equiv":
        if not valence:
            return None
        fa, fam_a = fa / valence, "amount"
    if fam_b == "equiv":
        if not valence:
            return None
        fb, fam_b = fb / valence, "amount"
    grams_or_moles = value * fa
    if fam_a != fam_b:
        if not molar_mass:
            return None
        grams_or_moles = grams_or_moles / molar_mass if fam_a == "mass" else grams_or_moles * molar_mass
    return grams_or_moles / fb
