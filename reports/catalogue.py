"""The analyte catalogue (`data/analytes.json`): names in English, French and Russian (and Italian, Spanish,
Portuguese, German, Polish and Turkish for common tests), units, typical adult reference ranges, critical limits
and patient-level explanations, with lookups by printed name."""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reports import units

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "analytes.json"


# Letters that Unicode does not decompose into a base letter and an accent (Polish 'ł', Turkish 'ı', German 'ß').
_FOLD = str.maketrans({"ł": "l", "ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d"})


def normalize_name(name: str) -> str:
    """Lower case, no accents, punctuation collapsed: 'Hémoglobine (Hb)' -> 'hemoglobine hb'. Cyrillic letters are
    kept ('Гемоглобин (HGB)' -> 'гемоглобин hgb'; 'й' and 'ё' fold to 'и' and 'е' as accents do)."""
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("γ", "gamma").translate(_FOLD)
    return re.sub(r"[^a-z0-9%#+а-я]+", " ", text).strip()


_CYRILLIC = re.compile(r"[а-я]")
# Cyrillic letters and the Latin letters OCR reads for them ('АлАТ' comes back as 'AnAT', 'АсАТ' as 'AcAT').
_SKELETON = str.maketrans("авекмнорстухлгпиз", "abekmhopctyxnrnu3")


def skeleton(key: str) -> str:
    """A normalized name with Cyrillic letters replaced by their Latin look-alikes: 'алат' -> 'anat'."""
    return key.translate(_SKELETON)


@dataclass(frozen=True)
class Range:
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Analyte:
    id: str
    name: str
    panel: str
    unit: str
    synonyms: tuple[str, ...]
    what: str
    high_text: str
    low_text: str
    source: str
    range: Range | None = None
    range_by_sex: dict[str, Range] = field(default_factory=dict)
    critical: Range | None = None
    specimen: str = "blood"
    normal_text: str | None = None
    molar_mass: float | None = None
    valence: int | None = None
    units: dict[str, float] = field(default_factory=dict)
    # A unit related to the catalogue's by a line, not a factor: {unit: (a, b)} with catalogue value = a * value + b
    # (HbA1c: % = 0.09148 * mmol/mol + 2.152, the NGSP/IFCC master equation).
    affine_units: dict[str, tuple[float, float]] = field(default_factory=dict)
    french_synonyms: tuple[str, ...] = ()
    english_synonyms: tuple[str, ...] = ()
    explanation_fr: dict[str, str] = field(default_factory=dict)   # what/high/low in French, when written

    @property
    def qualitative_normal(self) -> str | None:
        return self.normal_text

    def reference_range(self, sex: str | None) -> Range | None:
        """The adult range for `sex` ('male'/'female'); without sex, the span covering both."""
        if not self.range_by_sex:
            return self.range
        if sex in self.range_by_sex:
            return self.range_by_sex[sex]
        lows = [r.low for r in self.range_by_sex.values()]
        highs = [r.high for r in self.range_by_sex.values()]
        return Range(None if None in lows else min(lows), None if None in highs else max(highs))

    def to_printed_unit(self, value: float | None, printed_unit: str | None) -> float | None:
        """A catalogue value (in the catalogue unit) expressed in the report's unit; None if not reliable."""
        if value is None:
            return None
        line = self.affine_units.get(units.normalize_unit(printed_unit))
        if line is not None:
            return (value - line[1]) / line[0]
        return units.convert(value, self.unit, printed_unit, molar_mass=self.molar_mass, valence=self.valence,
                             extra=dict(self.units) if self.units else None,  # 1 printed unit = v catalogue units
                             count_like=units.is_count_unit(self.unit))

    def accepts_unit(self, printed_unit: str | None) -> bool:
        probe = 1.0 if self.unit or printed_unit else 0.0
        return self.to_printed_unit(probe, printed_unit) is not None

    def explanation(self, direction: str | None = None, language: str = "en") -> str:
        """What the test measures, plus what a high or low value usually means (French when `language` is 'fr'
        and the catalogue has the French text, else English)."""
        if language == "fr" and self.explanation_fr:
            what, high, low = (self.explanation_fr[k] for k in ("what", "high", "low"))
            labels = (" Valeur élevée : ", " Valeur basse : ")
        else:
            what, high, low = self.what, self.high_text, self.low_text
            labels = (" A high value: ", " A low value: ")
        if direction == "high":
            return what + labels[0] + high[0].lower() + high[1:]
        if direction == "low":
            return what + labels[1] + low[0].lower() + low[1:]
        return what


def _range(raw: dict | None) -> Range | None:
    return Range(raw.get("low"), raw.get("high")) if raw else None


class Catalogue:
    def __init__(self, analytes: list[Analyte]):
        self.analytes = {a.id: a for a in analytes}
        self._by_name: dict[str, list[Analyte]] = {}
        self._by_skeleton: dict[str, list[Analyte]] = {}  # Russian names, read through Latin look-alikes
        self._spelling: dict[str, str] = {}  # skeleton without spaces -> the Russian name without spaces
        for analyte in analytes:
            for name in (analyte.name, analyte.id.replace("_", " ")) + analyte.synonyms:
                for key in (normalize_name(name), normalize_name(name).replace(" ", "")):  # OCR drops spaces
                    bucket = self._by_name.setdefault(key, [])
                    if analyte not in bucket:
                        bucket.append(analyte)
                    if _CYRILLIC.search(key):
                        self._spelling.setdefault(skeleton(key).replace(" ", ""), key.replace(" ", ""))
                        bucket = self._by_skeleton.setdefault(skeleton(key), [])
                        if analyte not in bucket:
                            bucket.append(analyte)

    @classmethod
    def load(cls, path: Path = CATALOGUE_PATH) -> Catalogue:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        analytes = []
        for e in raw["analytes"]:
            analytes.append(Analyte(
                id=e["id"], name=e["name"], panel=e["panel"], unit=e["unit"],
                synonyms=tuple(name for names in e["synonyms"].values() for name in names),
                what=e["explanation"]["what"], high_text=e["explanation"]["high"], low_text=e["explanation"]["low"],
                source=e["source"], range=_range(e.get("range")),
                range_by_sex={k: _range(v) for k, v in e.get("range_by_sex", {}).items()},
                critical=_range(e.get("critical")), specimen=e.get("specimen", "blood"),
                normal_text=e.get("normal_text"), molar_mass=e.get("molar_mass"), valence=e.get("valence"),
                units=e.get("units", {}),
                affine_units={units.normalize_unit(k): tuple(v) for k, v in e.get("affine_units", {}).items()},
                french_synonyms=tuple(e["synonyms"]["fr"]), english_synonyms=(e["name"], *e["synonyms"]["en"]),
                explanation_fr=e.get("explanation_fr", {})))
        return cls(analytes)

    def __len__(self) -> int:
        return len(self.analytes)

    def get(self, analyte_id: str) -> Analyte | None:
        return self.analytes.get(analyte_id)

    def _candidates(self, name: str) -> list[Analyte]:
        norm = normalize_name(name)
        if not norm:
            return []
        tries = [norm]
        without_parens = normalize_name(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", name))
        tries += [without_parens] + [normalize_name(p) for p in re.findall(r"\(([^)]*)\)", name)]
        tries += [normalize_name(name.split(",")[0]), normalize_name(name.split("(")[0])]
        tries += [re.sub(r"\b(serum|plasma|blood|whole blood|serique|sanguin|sanguine|total|calc|calculated|"
                         r"fasting|level|test|count|a jeun|dosage|taux)\b", " ", without_parens).split()]
        if re.search(r"\babs(?:olute)?\b", norm):  # 'Absolute Basophil Count' -> 'basophils absolute'
            core = re.sub(r"\b(?:abs|absolute|count|counts)\b", " ", norm).split()
            if core:
                tries += [" ".join(core) + " absolute", " ".join(core) + "s absolute"]
        # 'Nötrofil %' / 'Lenfosit#': the share or the count of a differential, told apart later by the unit
        tries.append(re.sub(r"\s*[%#]+$", "", norm))
        for attempt in tries:
            key = attempt if isinstance(attempt, str) else " ".join(attempt)
            ocr_fixed = re.sub(r"(?<=[a-z])0|0(?=[a-z])", "o", key)  # OCR reads 'O' as zero: 'pC02'
            plural = (key + "s",) if len(key) > 2 else ()  # 'leucocyte' -> 'leucocytes', never 'v' -> 'vs' (ESR)
            for variant in (key, key.replace(" ", ""), ocr_fixed, *plural):
                if variant in self._by_name:
                    return self._by_name[variant]
        # 'RBC-Alyuvarlar', 'HGB-Hemoglobin': an abbreviation and the local name, both naming the same test
        # ('TSH-Receptor Antibodies' is another test: its second part names none)
        parts = re.fullmatch(r"\s*([A-Z]{3,})\s*-\s*([^\W\d_]{3,})\s*", name)
        if parts:
            first, second = (self._by_name.get(normalize_name(part)) for part in parts.groups())
            if first and first == second:
                return first
        for attempt in tries[:3]:  # a Russian name OCR'd partly in Latin look-alikes: 'AnAT' is 'АлАТ'
            key = attempt if isinstance(attempt, str) else " ".join(attempt)
            for variant in (skeleton(key), skeleton(key).replace(" ", "")):
                if variant in self._by_skeleton:
                    return self._by_skeleton[variant]
        return []

    def restore_cyrillic(self, name: str) -> str:
        """A Russian name that OCR returned in Latin look-alikes, spelled in Cyrillic again ('AnAT' -> 'АлАТ');
        any other name unchanged."""
        key = normalize_name(name).replace(" ", "")
        if not key or not re.fullmatch(r"[a-z0-9]+", key) or key in self._by_name or key not in self._spelling:
            return name
        spelling, out, index = self._spelling[key], [], 0
        for char in name:
            if char.isascii() and char.isalnum():
                if index >= len(spelling):
                    return name
                target = spelling[index]
                index += 1
                if char.isalpha() and _CYRILLIC.fullmatch(target):
                    char = target.upper() if char.isupper() else target
            out.append(char)
        return "".join(out) if index == len(spelling) else name

    def lookup(self, name: str, unit: str | None = None, specimen: str | None = None,
               qualitative: bool = False) -> Analyte | None:
        """The analyte a printed test name means, using the unit and specimen (urine/blood) to choose."""
        candidates: list[Analyte] = []
        urine = specimen == "urine" or qualitative
        if urine:
            for variant in (f"urine {name}", f"{name} urine", f"{name} urinaire", f"{name} urinaires"):
                candidates += [a for a in self._candidates(variant) if a.specimen == "urine" and a not in candidates]
        candidates += [a for a in self._candidates(name) if a not in candidates]
        if not candidates:
            return None
        if specimen != "urine" and not qualitative:
            candidates.sort(key=lambda a: a.specimen == "urine")
        if unit is not None and not qualitative:
            for analyte in candidates:
                if analyte.accepts_unit(unit):
                    return analyte
            if units.is_generic_unit(unit):
                return None  # 'Тромбокрит (PCT) 0.29 %': plateletcrit, not procalcitonin (ng/mL)
        return candidates[0]


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    return Catalogue.load()
