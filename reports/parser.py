"""Lab report text -> structured results.

Layout-agnostic: each line is split into a test name, a value (number, comparator or qualitative word),
a unit, a reference range and a printed flag, whatever their order after the value. Works on tables
(with or without pipes/dot leaders), "Name: value unit (Ref: lo - hi) FLAG" lines, the MIMIC bullet
format, French reports (decimal commas, "[3,5 - 5,1]", g/l) and OCR output; repeated page headers and
footers are ignored because they never look like a result.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from reports.catalogue import Catalogue, get_catalogue, normalize_name
from reports.flags import ABNORMAL_FLAGS, CRITICAL_FLAGS, decide, range_misfit
from reports.units import is_plausible_unit, looks_like_unit, repair_unit

FLAG_WORDS_FR = {"low": "bas", "high": "élevé", "normal": "normal", "critical_low": "critique (bas)",
                 "critical_high": "critique (élevé)", "abnormal": "anormal", "unknown": "sans référence"}


@dataclass
class LabResult:
    """One result line of a report, with its computed flag (field names follow the CLI contract)."""
    test: str                      # name as printed
    analyte: str | None            # catalogue id, None when the test is not in the catalogue
    value: float | None            # None for qualitative results
    value_text: str                # the result as printed
    unit: str | None
    ref_low: float | None
    ref_high: float | None
    ref_text: str | None
    ref_source: str | None         # "report" | "reference_table" | None
    flag: str                      # low/high/normal/critical_low/critical_high/abnormal/unknown
    page: int = 1                  # 1-based

    @property
    def is_abnormal(self) -> bool:
        return self.flag in ABNORMAL_FLAGS

    @property
    def is_critical(self) -> bool:
        return self.flag in CRITICAL_FLAGS

    def to_contract(self) -> dict:
        """The CLI JSON object (no page)."""
        data = asdict(self)
        data.pop("page")
        return data

    def describe(self, language: str = "en") -> str:
        """One line naming every number of the result: 'Potassium: 5.9 mmol/L (reference 3.5 - 5.1, report) - high'
        (in French when `language` is 'fr'; the numbers are the printed ones either way)."""
        unit = f" {self.unit}" if self.unit else ""
        ref = ""
        if language == "fr":
            if self.ref_text:
                origin = "du compte rendu" if self.ref_source == "report" else "de la table de référence standard"
                ref = f" (référence {self.ref_text}, {origin})"
            return f"{self.test} : {self.value_text}{unit}{ref} - {FLAG_WORDS_FR.get(self.flag, self.flag)}"
        if self.ref_text:
            origin = "report" if self.ref_source == "report" else "standard reference table"
            ref = f" (reference {self.ref_text}, from the {origin})"
        return f"{self.test}: {self.value_text}{unit}{ref} - {self.flag.replace('_', ' ')}"


@dataclass
class ParsedReport:
    results: list[LabResult] = field(default_factory=list)
    age: int | None = None
    age_text: str | None = None
    sex: str | None = None          # "male" | "female"
    notes: list[str] = field(default_factory=list)  # what the reader should know about how it was read

    @property
    def abnormal(self) -> list[LabResult]:
        return [r for r in self.results if r.is_abnormal]

    @property
    def critical(self) -> list[LabResult]:
        return [r for r in self.results if r.is_critical]


# --- lexical pieces -------------------------------------------------------------------------------
_NUM = r"[-+]?\d+(?:\.\d+)?"
_QUALITATIVE = (r"negative|neg\.?|positive|pos\.?|trace|traces|not detected|non[- ]d[ée]tect[ée]e?|detected|"
                r"d[ée]tect[ée]e?|absent|absente|absence|present|pr[ée]sent|pr[ée]sence|n[ée]gati(?:f|ve)|"
                r"positi(?:f|ve)|nil|none seen|none|non[- ]?reactive|reactive|[1-4]\s?\+|\+{1,4}|normal|tr|sm|mod|lg|"
                r"small|moderate|large|"
                # semi-quantitative microscopy grades ("Bacteria  Rare", "Epithelial cells  Few")
                r"rare|few|many|occasional|numerous|plenty|scanty|abundant|"
                # Russian: not found / found, negative / positive, absent ('He' is OCR's Latin look-alike of 'Не')
                r"(?:не|he|нe|hе)\s?(?:обнаружен[аоы]?|выявлен[аоы]?)|обнаружен[аоы]?|выявлен[аоы]?|"
                r"отрицательн(?:о|ый|ая|ое)|положительн(?:о|ый|ая|ое)|отсутству(?:ет|ют)|следы")
# Urine appearance and colour: words that are a result only after such a name ("Appearance  Hazy").
_APPEARANCE = re.compile(
    r"^\s*(?P<name>(?:urine\s+)?(?:appearance|colou?r|clarity|turbidity|aspect|couleur|transparency))\s*[:=]?\s+"
    r"(?P<value>(?:slightly |very |pale |light |dark |deep )?(?:clear|hazy|cloudy|turbid|yellow|straw|amber|"
    r"colou?rless|red|brown|orange|limpide|trouble|jaune|citrin))(?![\wÀ-ÿ])(?P<rest>.*)$", re.IGNORECASE)
# A count span alone on a row of a urine section ("RBC   0-2"): the result, as the microscopy fields print it.
_URINE_SPAN = re.compile(r"^(?P<name>[^\d\s][^\d]*?)\s{2,}(?P<span>\d{1,3}\s?[-–]\s?\d{1,3})\s*$")
# A category result after a name that says so ("GFR Category   G1", "Stage   3a").
_CATEGORY = re.compile(r"^\s*(?P<name>[^\d:]*\b(?:category|stage|grade|class|stade)\b)\s*[:=]?\s+"
                       r"(?P<value>[A-Z]{0,2}[1-5][ab]?|[IV]{1,4})\s*$", re.IGNORECASE)
# A titer ("1:160") and a count range printed as the result ("21-50 /hpf") are results, not ranges.
_VALUE = re.compile(
    r"(?:(?<=^)|(?<=[\s:=]))(?P<cmp><=|>=|<|>|≤|≥)?\s?(?P<num>[-+]?\d+(?:\.\d+)?)(?![\d.]*(?:[-/:]\d|\s?[-–]\s?\d|-[A-Za-z]|\+|[A-Za-zÀ-ÿа-яА-ЯёЁ]{2}|\s?(?:y/?o|yrs?|years?|ans)\b))"
    r"|(?:(?<=^)|(?<=[\s:=]))(?P<titer>1\s?:\s?\d{1,5})(?![\d.:])"
    r"|(?:(?<=^)|(?<=[\s:=]))(?P<span>\d{1,3}\s?[-–]\s?\d{1,3})(?=\s*(?:/|per\s)?\s?(?:hpf|lpf|hmf|/?champ)\b"
    r"|\s{2,}\d{1,3}(?:\.\d+)?\s?[-–]\s?\d)"  # '2-3   0-5': a count span, then the reference range
    r"|(?:(?<=^)|(?<=[\s:=]))(?P<qual>" + _QUALITATIVE + r")(?![\wÀ-ÿ])", re.IGNORECASE)
_RANGE_PREFIX = (r"(?:(?:ref(?:erence)?\.?|reference range|ref\.? range|normal range|normals?|range|"
                 r"r[ée]f(?:[ée]rence)?s?\.?|valeurs? (?:de r[ée]f[ée]rence|normales?|usuelles?)|v\.?r\.?|n\.?v\.?|vn)"
                 r"\s*[:=]?\s*)?")
_RANGE_BETWEEN = re.compile(r"[\[(]?\s*" + _RANGE_PREFIX + r"(?P<lo>" + _NUM + r")\s*(?:-|–|—|~|to|à|a|/|bis|at[ée]|hasta|do)\s*"
                            r"(?P<hi>" + _NUM + r")\s*[\])]?", re.IGNORECASE)
# "Up to" / "above" in English, French, Italian, Spanish, Portuguese, German and Polish ("fino a 200", "hasta 200",
# "até 150", "inferior a 190", "bis 200", "poniżej 5", "maggiore di 40", "acima de 60").
_RANGE_BELOW = re.compile(r"[\[(]?\s*" + _RANGE_PREFIX + r"(?P<op><\s?or\s?=|<=|<|≤|up to|below|less than|inf[ée]rieur(?:e)? [àa]|"
                          r"inf\.? [àa]|jusqu'[àa]|fino a|inferiore a|minore di|hasta|menor (?:a|de|que)|inferior a|"
                          r"at[ée]|bis|unter|kleiner als|poni[żz]ej)\s*(?P<hi>" + _NUM + r")\s*[\])]?", re.IGNORECASE)
_RANGE_ABOVE = re.compile(r"[\[(]?\s*" + _RANGE_PREFIX + r"(?P<op>>\s?or\s?=|>=|>|≥|above|greater than|over|sup[ée]rieur(?:e)? [àa]|"
                          r"sup\.? [àa]|superiore a|maggiore di|oltre|mayor (?:a|de|que)|superior a|maior (?:que|de)|"
                          r"acima de|[üu]ber|gr[öo](?:ß|ss)er als|powy[żz]ej)\s*(?P<lo>" + _NUM + r")\s*[\])]?", re.IGNORECASE)
_RANGE_QUAL = re.compile(r"[\[(]\s*" + _RANGE_PREFIX + r"(?P<text>" + _QUALITATIVE + r")\s*[\])]"
                         r"|" + r"(?:ref(?:erence)?|r[ée]f[ée]rence|normal range|range)\s*[:=]?\s*(?P<text2>" + _QUALITATIVE + r")",
                         re.IGNORECASE)
_TITER_REF = re.compile(r"(?:negative|n[ée]gatif|normal|non[- ]reactive)?\s*(?:<=|>=|<|>|≤|≥|up to|below)\s*"
                        r"1\s?:\s?\d{1,5}", re.IGNORECASE)
_FLAG_TOKENS = {
    "h": "high", "hi": "high", "high": "high", "↑": "high", "élevé": "high", "eleve": "high", "haut": "high",
    "l": "low", "lo": "low", "low": "low", "↓": "low", "bas": "low", "basse": "low",
    "hh": "critical_high", "ll": "critical_low", "h*": "high", "l*": "low",
    "a": "abnormal", "abn": "abnormal", "abnormal": "abnormal", "anormal": "abnormal", "*": "abnormal",
    "**": "abnormal", "hors norme": "abnormal", "out of range": "abnormal",
    "critical": "critical", "crit": "critical", "panic": "critical", "critique": "critical",
}
_FLAG_RE = re.compile(r"(?<![\w*/^.])(?:\(\s*)?(hors norme|out of range|abnormal|anormal|critical|critique|panic|crit|"
                      r"high|low|élevé|eleve|haut|basse|bas|abn|hh|ll|hi|lo|h\*|l\*|h|l|a|\*\*|\*|↑|↓)(?:\s*\))?(?![\w*/])",
                      re.IGNORECASE)
_UNIT_AT_START = re.compile(
    r"^(?:(?:x\s?)?10\s?[\^*eEеЕ]\s?\d{1,2}\s?/\s?[a-zA-Zµμа-яА-ЯёЁ]+\d?|mm\s?hg|мм\s?рт\.?\s?ст\.?|ml/min/1[.,]73\s?m[2²]?|"
    r"mm\s?/\s?(?:1st\s?)?h(?:r|our|eure)?|(?:per|/)\s?100\s?(?:wbcs?|leukocytes|white cells)|"
    r"[a-zA-Zµμа-яА-ЯёЁ%#/^*.·²³⁰¹⁴⁵⁶⁷⁸⁹0-9]+(?:\s(?:feu|ddu))?)", re.IGNORECASE)
# Words of a table's header row: a "name" holding two of them is the header, not a test.
_HEADER_WORDS = {"test", "tests", "testler", "parameter", "parameters", "investigation", "investigations", "result",
                 "results", "value", "values", "unit", "units", "reference", "ref", "range", "interval", "normal",
                 "flag", "status", "analyte", "examen", "resultat", "resultats", "valeurs", "unite", "sonuc", "birim",
                 "referans", "wynik", "jednostka", "norma", "observed", "biological", "method", "specimen"}
# Words of a status column, not prose ("Borderline high", "Not detected").
_STATUS_WORDS = {"normal", "abnormal", "positive", "negative", "borderline", "detected", "critical", "within", "limits",
                 "range", "elevated", "reactive", "absent", "present", "nil", "trace"}
# Lines that are page furniture wherever a number sits on them (addresses, contact details).
_FURNITURE = re.compile(r"e-?mail|@\w|www\.|https?:|\b(?:tel|t[ée]l[ée]phone|phone|fax|mob|mobile)\s*[.:]|"
                        r"\b(?:ul|blvd|str)\.\s|\bsuite\s\d|\bp\.?o\.? box\b", re.IGNORECASE)

# Words that start a name that is never a test (headers, footers, demographics).
_NOT_TESTS = {
    "age", "page", "date", "dob", "born", "birth", "mrn", "id", "patient", "name", "nom", "prenom", "phone", "tel",
    "telephone", "fax", "time", "sex", "sexe", "gender", "weight", "height", "poids", "taille", "bmi", "room", "bed",
    "order", "accession", "specimen", "sample", "collected", "received", "reported", "printed", "report", "doctor",
    "physician", "dr", "laboratory", "laboratoire", "address", "adresse", "account", "dossier", "prescripteur",
    "preleve", "prelevement", "edite", "code", "visit", "encounter", "admission", "admitted", "hadm", "subject",
    "no", "n", "ref", "reference", "hospital", "clinic", "requested", "request", "demande", "le", "du", "ne", "nee",
    "released", "validated", "valide", "ordered", "copy", "fin", "end", "total pages", "tube", "zip", "postcode",
    "lot", "run", "batch", "npi", "ssn", "insurance", "diagnosis", "diagnostic", "discharge", "temperature",
    "intubated", "peep", "mr", "mrs", "ms", "mme", "lit", "chambre", "ventilator", "tidal", "ventilation", "o2 flow", "required",
}
_SECTION_URINE = re.compile(r"\b(urinalysis|urine|urines|urinaire|urinaires|ecbu|bandelette|dipstick|uria)\b", re.I)
_SECTION_OTHER = re.compile(r"\b(hematology|haematology|chemistry|biochemistry|biochimie|h[ée]matologie|"
                            r"lipid|thyroid|coagulation|h[ée]mostase|blood gas|gaz du sang|serum|s[ée]rum|"
                            r"metabolic|panel|cbc|complete blood|num[ée]ration|iron|immunology|immunologie|"
                            r"hormon|inflammation|cardiac|liver|hepatic|h[ée]patique|renal|kidney)\b", re.I)
_AGE = [re.compile(r"\b(?:age|âge|возраст)\s*[:=]?\s*(?P<age>\d{1,3})\b", re.I),
        re.compile(r"\b(?P<age>\d{1,3})\s*(?:y/?o|yrs?\b|years?\b(?:[- ]old)?|ans\b|-year-old|лет\b|года?\b)", re.I)]
_AGE_OVER = re.compile(r"\b(?:age|âge)\s*[:=]?\s*(?P<text>(?:over|>|plus de)\s*\d{2,3})", re.I)
_SEX = [re.compile(r"\b(?:sex|gender|sexe)\s*[:=/]?\s*(?P<sex>male|female|masculin|f[ée]minin|homme|femme|m|f|h)\b", re.I),
        re.compile(r"(?<!\w)пол\s*[:=]?\s*(?P<sex>муж|жен)", re.I),
        re.compile(r"\b\d{1,3}\s*(?:y/?o|yrs?|years?[- ]old|-year-old|ans)\s*,?\s*(?P<sex>male|female|man|woman|m|f|homme|femme)\b", re.I)]
_SEX_MAP = {"male": "male", "m": "male", "masculin": "male", "homme": "male", "man": "male", "h": "male",
            "female": "female", "f": "female", "féminin": "female", "feminin": "female", "femme": "female", "woman": "female",
            "муж": "male", "жен": "female"}


# --- number normalisation -------------------------------------------------------------------------
# A count with dots between groups of three digits ('8.500 /mm3', '150.000 a 450.000 /mm³'): the thousands of a
# report written with decimal commas. Only on a line with a count unit: '1.020' is a specific gravity.
_DOTTED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d,]|\.\d)")
_COUNT_UNIT = re.compile(r"/\s?(?:mm3|mm³|[µμu]l|mcl)\b", re.IGNORECASE)


def _uses_decimal_comma(text: str) -> bool:
    commas = len(re.findall(r"\d,\d{1,2}(?!\d)", text))
    dots = len(re.findall(r"\d\.\d", text)) - sum(m.group().count(".") for m in _DOTTED_THOUSANDS.finditer(text))
    return commas > dots


def _normalize_numbers(line: str, decimal_comma: bool) -> str:
    """Decimal commas -> dots and thousands separators removed, so every number reads as float."""
    if decimal_comma:
        if _COUNT_UNIT.search(line):
            line = _DOTTED_THOUSANDS.sub(lambda m: m.group().replace(".", ""), line)
        line = re.sub(r"(?<![\d.,])(\d{1,3})[ \u202f](\d{3})(?![\d,.])(?!\s*[-–à]\s*\d{1,2}(?:\D|$))", r"\1\2", line)
        line = re.sub(r"(?<=\d),(?=\d)", ".", line)
    else:
        line = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", line)
        line = re.sub(r"(?<=\d),(?=\d{1,2}(?!\d))", ".", line)
    return line


def _clean_line(line: str) -> str:
    line = line.replace("\u00a0", " ").replace("\t", "    ").replace("≤", "<=").replace("≥", ">=")
    line = re.sub(r"\s*\|\s*", "    ", line)
    line = re.sub(r"\.{3,}|_{3,}|·{3,}", "    ", line)
    line = re.sub(r"^\s*(?:[-•*▪●◦]|\d{1,2}[.)])\s+(?=[^\W\d_])", "", line)
    line = re.sub(r"(?<=[a-z]{3})(?=\d+\.\d)", " ", line)  # OCR glue: 'Absolute Lymphocyte Count2.71'
    line = re.sub(r"\{[^{}]{0,3}\}", " ", line)  # footnote marks: '{ # } MPV'
    line = _SPACED_RANGE.sub(lambda m: "(" + re.sub(r"(?<=\d) (?=\d{1,2}(?:\s?[-–]|$))", ".", m.group(1)) + ")", line)
    return line.rstrip()


# A bracketed range whose decimal points OCR read as spaces: '(4 1-10 5)' is (4.1-10.5), '(4 1-12)' is (4.1-12).
_SPACED_RANGE = re.compile(r"\((\d{1,3} \d{1,2}\s?[-–]\s?\d{1,3}(?: \d{1,2})?|\d{1,3}(?:\.\d+)?\s?[-–]\s?\d{1,3} \d{1,2})\)")


def _to_float(text: str) -> float:
    return float(text.replace("+", "")) if text.strip("+") else float("nan")


# --- one line -------------------------------------------------------------------------------------
# Marks OCR reads from a photo's table rules or shadows before a name ('‹ Средняя конц. гемоглобина', '__€03 по
# Вестергрену', '> Индекс распред.'): never part of a test name.
_OCR_LEAD = re.compile(r"^[‹›<>«»_€|~•·]+\s*(?=\w)")


@dataclass
class _Raw:
    test: str
    value: float | None
    comparator: str | None
    value_text: str
    unit: str | None
    low: float | None
    high: float | None
    ref_text: str | None
    report_flag: str | None


# Names that label a risk band, an interpretation or a reference note, never a test ("Optimal <100",
# "Extreme=<50", "Risk Group=<=30", "Negative <1:80", "Borderline high 130-159").
_INTERPRETATION = re.compile(
    r"(?:(?:very|borderline|near|above|below|moderately|mildly|slightly|high|low|average|moderate|increased|"
    r"decreased|extreme|elevated|normal|non|pre)\s)*"
    r"(?:low|high|optimal|desirable|undesirable|normal|borderline|negative|positive|equivocal|indeterminate|"
    r"reactive|weakly positive|deficient|deficiency|insufficient|insufficiency|sufficient|sufficiency|toxic|"
    r"toxicity|elevated|increased|decreased|extreme|diabetes|diabetic|prediabetes|diabetes mellitus|ifg|igt|"
    r"good|poor|ideal|intermediate|adequate|inadequate|target|goal|risk|risk group|category|grade|stage|"
    r"interpretation|remark|remarks|comment|comments|note|notes|impression|"
    r"impaired fasting glucose|impaired glucose tolerance|kidney failure|physiological|"
    r"child|children|adult|adults|men|women|male|female|newborn|infant|elderly|pregnancy|pregnant)"
    r"(?:\s(?:risk|group|level|levels|range|control|category|value|values|zone))*")
# Instruments, methods and page furniture that sit on a result row in scans ("Cobas C111-Jaffé", "Ph: +91 ...").
_NOT_A_NAME = re.compile(
    r"\b(?:cobas|architect|alinity|sysmex|mindray|beckman|coulter|siemens|atellica|vitros|abbott|roche|horiba|"
    r"erba|olympus|hitachi|dimension|advia|unicel|immulite|liaison|vidas|mini ?vidas|jaff[ée]|kinetic|enzymatic|"
    r"colorimetric|colorim[ée]trique|immunoturbidimetr\w*|turbidim[ée]tr\w*|photometr\w*|spectrophotom\w*|"
    r"eclia|cmia|clia|elisa|elfa|hplc|method|m[ée]thode|technique|analy[sz]er|automate|instrument|"
    r"avenue|street|road|nagar|floor|building|suite|p\.?o\.? box|city|sector|phase|plot|"
    r"e-?mail|website|www|toll free|helpline|customer care)\b", re.IGNORECASE)
MAX_NAME_CHARS = 60   # a test name is at most this long once bracketed notes are removed
MAX_NAME_SCAN = 400   # characters scanned for a value after a line's name: keeps parsing linear in the line


def _name_core(name: str) -> str:
    """The name without bracketed notes: 'Glucose (fasting sample, drawn at 8am)' -> 'Glucose'."""
    return re.sub(r"\([^()]*\)|\[[^\[\]]*\]", " ", name).strip()


def _valid_name(name: str) -> bool:
    core = _name_core(name)
    if len(core) > MAX_NAME_CHARS or len(name) > 3 * MAX_NAME_CHARS:
        return False
    norm = normalize_name(core)
    letters = len(re.findall(r"[^\W\d_]", core))
    if letters < 1 or (letters < 2 and not re.fullmatch(r"p[0O]2|p[cC][0O]2|[TtBbKk]\d{1,2}", core.strip())) \
            or len(norm.split()) > 7:
        return False
    if _INTERPRETATION.fullmatch(norm) or re.search(r"[<>=≤≥]\s*\d", core):
        return False
    if _NOT_A_NAME.search(core) and not get_catalogue()._candidates(core):
        return False  # "Cobas C111-Jaffé", an address; "Creatinine, Jaffe method" stays
    if norm in _HEADER_WORDS or sum(word in _HEADER_WORDS for word in norm.split()) >= 2:
        return False
    first = norm.split()[0] if norm else ""
    return first not in _NOT_TESTS and norm not in _NOT_TESTS


def _find_range(text: str):
    """(low, high, printed text, span) of the first reference range in `text`, else None."""
    best = None
    for regex in (_RANGE_BETWEEN, _RANGE_BELOW, _RANGE_ABOVE):
        match = regex.search(text)
        if match and (best is None or match.start() < best[0].start()):
            best = (match, regex)
    if best is None:
        return None
    match, regex = best
    group = match.groupdict()
    low = float(group["lo"]) if group.get("lo") else None
    high = float(group["hi"]) if group.get("hi") else None
    if regex is _RANGE_BETWEEN and low is not None and high is not None and low > high:
        return None
    return low, high, match.group(0).strip(), match.span()


_BARE_PAIR = re.compile(r"^\s*(?:[^\s\dHLhl*]\s+)?(?P<lo>\d+(?:\.\d+)?)\s+(?:[^\s\d]\s+)?(?P<hi>\d+(?:\.\d+)?)\s*"
                        r"(?:[A-Za-z*]{1,4})?\s*$")


def _bare_pair_range(rest: str):
    """'80    94' after the unit: a range printed as two columns (the bar-graph layout), low < high; a stray
    OCR'd glyph of the bar before or between them is ignored ('4.18 T 5.48', 'V 0.3   0.8')."""
    match = _BARE_PAIR.match(rest)
    if not match or float(match.group("lo")) >= float(match.group("hi")):
        return None
    return float(match.group("lo")), float(match.group("hi")), f"{match.group('lo')} - {match.group('hi')}", \
        (match.start("lo"), match.end("hi"))


def _find_flag(text: str) -> str | None:
    found = None
    for match in _FLAG_RE.finditer(text):
        meaning = _FLAG_TOKENS.get(match.group(1).lower())
        if meaning and (found is None or meaning.startswith("critical")):
            found = meaning
    return found


def _value_matches(line: str):
    """Value matches with a plausible name before them, at most 3, scanning a bounded prefix (linear time)."""
    lead = len(line) - len(line.lstrip(" :=\t"))
    found = []
    for match in _VALUE.finditer(line):
        if match.start() - lead > MAX_NAME_SCAN or len(found) == 3:
            break
        prefix = line[lead:match.start()]
        if (prefix.count("(") > prefix.count(")") and ")" in line[match.end():match.end() + MAX_NAME_CHARS]) or \
                (prefix.count("[") > prefix.count("]") and "]" in line[match.end():match.end() + MAX_NAME_CHARS]):
            continue  # "eGFR (CKD-EPI 2021) 65": a number inside a bracket that closes later belongs to the name
        if _valid_name(prefix.strip(" :=\t")):
            found.append(match)
    return found


def _split(line: str, catalogue: Catalogue) -> tuple[str, re.Match] | None:
    """Name and value match of a result line: the longest catalogue name wins among the first values."""
    matches = _value_matches(line)
    if not matches:
        return None
    chosen = matches[0]
    footnote = (re.fullmatch(r"\d", chosen.group(0).strip()) and line[:chosen.start()].rstrip().endswith(")")) \
        or re.fullmatch(r"0\d", chosen.group(0).strip())  # a lab or footnote code: 'Glucose   01   95   65-99'

    name_end = chosen.start()
    if footnote and len(matches) > 1 and re.fullmatch(r"\s{2,}", line[chosen.end():matches[1].start()]):
        chosen = matches[1]  # "Glukoza (ICD-9: L43) 2    189 mg/dl": a footnote number after the name
        return line[:name_end].strip(" :=\t-").rstrip(". "), chosen
    for later in matches[1:3]:  # "Vitamine D 25 OH  32 ng/ml": a number inside the name
        between = line[chosen.end():later.start()].strip()
        if not re.fullmatch(r"[A-Za-z][A-Za-z\- ]{0,10}", between) or any(looks_like_unit(t) for t in between.split()) \
                or _FLAG_RE.fullmatch(between):
            break
        if catalogue._candidates(line[:later.start()].strip(" :=\t")):
            chosen = later
    return line[:chosen.start()].strip(" :=\t-").rstrip(". "), chosen


def parse_line(line: str, catalogue: Catalogue, decimal_comma: bool = False, urine: bool = False) -> _Raw | None:
    """The result on one line of text, or None when the line is not a result."""
    printed = _clean_line(line)
    if not printed.strip() or _FURNITURE.search(printed):
        return None
    work = _normalize_numbers(printed, decimal_comma)
    appearance = _APPEARANCE.match(work)
    if appearance:  # "Appearance   Hazy   Clear": the second word is the expected one
        expected = re.match(r"\s*([A-Za-zÀ-ÿ]+(?: [A-Za-zÀ-ÿ]+)?)\s*$", appearance.group("rest"))
        return _Raw(appearance.group("name").strip(), None, None, appearance.group("value"), None, None, None,
                    expected.group(1) if expected else None, None)
    category = _CATEGORY.match(work)
    if category and _valid_name(category.group("name")):
        return _Raw(category.group("name").strip(), None, None, category.group("value"), None, None, None, None, None)
    span_row = _URINE_SPAN.match(work) if urine else None
    if span_row and _valid_name(span_row.group("name")):
        return _Raw(span_row.group("name").strip(), None, None, re.sub(r"\s+", "", span_row.group("span")), None,
                    None, None, None, None)
    split = _split(work, catalogue)
    if split is None:
        return None
    name, match = split
    report_flag = None
    name_flag = re.search(r"\s{2,}(H|L|HH|LL|A|\*|High|Low)$", name)
    if name_flag:  # a flag column printed between the name and the value
        report_flag = _find_flag(name_flag.group(1))
        name = name[:name_flag.start()].strip()
    rest = work[match.end():]
    if match.group("titer") or match.group("span"):  # "1:160", "21-50 /hpf": printed text, no single number
        value, comparator, value_text = None, None, re.sub(r"\s+", "", match.group("titer") or match.group("span"))
    elif match.group("qual"):
        value, comparator, value_text = None, None, re.sub(r"\s+", "", match.group("qual")) if "+" in match.group("qual") \
            else _cyrillic_word(match.group("qual").strip())
    else:
        comparator = match.group("cmp")
        comparator = {"≤": "<=", "≥": ">="}.get(comparator, comparator)
        value = float(match.group("num"))
        value_text = _printed_value(printed, match.group(0).strip())
    unit = None
    stripped = rest.lstrip()
    unit_match = _UNIT_AT_START.match(stripped)
    flag_column = re.match(r"[\[(]?(H|L|HH|LL|A|\*|High|Low|HIGH|LOW)[\])]?\s{2,}", stripped)
    if flag_column:  # "161   H   mg/dL": a flag column before the unit column
        report_flag = _find_flag(flag_column.group(1))
        stripped = stripped[flag_column.end():]
        unit_match = _UNIT_AT_START.match(stripped)
        rest = stripped
    if unit_match and _unit_like(unit_match.group(0)) and not _FLAG_RE.fullmatch(unit_match.group(0)):
        unit = unit_match.group(0).strip()
        rest = stripped[unit_match.end():]
    found = None if match.group("titer") else _find_range(rest) or _bare_pair_range(rest)
    if found is None and value is not None:
        found = _find_range(work[len(name):match.start()])
    low = high = ref_text = None
    qualitative_ref = None
    if found:
        low, high, ref_text, span = found
        if work[len(name):match.start()].find(ref_text) < 0:
            after = rest[span[1]:]
            if unit is None:  # "13.5 (12.0-15.5) g/dL"
                unit_after = _UNIT_AT_START.match(after.lstrip())
                if unit_after and _unit_like(unit_after.group(0)) and not _FLAG_RE.fullmatch(unit_after.group(0)):
                    unit = unit_after.group(0).strip()
            rest = rest[:span[0]] + " " + after
        ref_text = _printed_fragment(printed, _strip_range_decoration(ref_text))
    else:
        qual = _RANGE_QUAL.search(rest)
        if qual:
            qualitative_ref = (qual.group("text") or qual.group("text2")).strip()
            rest = rest[:qual.start()] + " " + rest[qual.end():]
    titer_ref = _TITER_REF.search(rest) if match.group("titer") or (value is None and qualitative_ref is None) else None
    if titer_ref:  # "1:160   Negative <1:80": the cut-off titer is the reference
        qualitative_ref, rest = titer_ref.group(0).strip(), rest[:titer_ref.start()] + " " + rest[titer_ref.end():]
    if value is None and qualitative_ref is None:  # "Glucose   Negative   Negative": a bare expected value
        # the first of a list of bands: "Negative   - Negative : < 0.1   - Positive : > 0.1"
        bare = re.match(r"\s*(?:[-–•]\s*)?(" + _QUALITATIVE + r")(?![\wÀ-ÿ])", rest, re.IGNORECASE)
        if bare:
            qualitative_ref, rest = bare.group(1), rest[bare.end():]
    if rest.strip():
        report_flag = _find_flag(rest) or report_flag
    if value is None and not match.group("span"):
        ref_text = qualitative_ref
    elif value is not None and unit is None and not found and not report_flag and not catalogue._candidates(name):
        return None
    if value is None and not qualitative_ref and not report_flag and not found \
            and catalogue.lookup(name, qualitative=True) is None and not _tabulated(work, name, match, rest):
        return None
    if value is not None and comparator in ("<=", ">=") and not catalogue._candidates(name):
        return None  # "cukrzyca: >= 126 mg/dl": an interpretation band, not a measured result
    if value is None and len(normalize_name(_name_core(name)).split()) > 5 and not catalogue._candidates(name):
        return None  # "... carries mostly fat and only a small amount": narrative, not a qualitative result
    prose = [w for w in re.findall(r"(?<![\w/])[a-zà-ÿ]{3,}\b(?![/.])", rest)
             if not _NOT_A_NAME.fullmatch(w) and w not in _FLAG_TOKENS and w not in _STATUS_WORDS]
    # Two prose words after the value mark a dose or advice in the narrative ("1500 mcg daily for 3 months"):
    # dev_12's advice lines carry 2-6; no result row of the 17 dev reports or of tests/data/reports is dropped by it.
    if len(prose) >= 2:
        return None
    if value is not None and re.fullmatch(r"\+\d{1,3}", value_text) and re.match(r"[\s-]*\d", rest):
        return None  # "Ph: +91 98765 43210": a telephone country code
    if unit is None and value is not None and not found and not catalogue._candidates(name):
        return None
    return _Raw(name, value, comparator, value_text, unit, low, high, ref_text, report_flag)


_TO_CYRILLIC = str.maketrans("aceopxyHKMTBAECOPXY", "асеорхуНКМТВАЕСОРХУ")


def _cyrillic_word(text: str) -> str:
    """A Russian result OCR'd partly in Latin look-alikes, in Cyrillic: 'He обнаружены' -> 'Не обнаружены'."""
    return text.translate(_TO_CYRILLIC) if re.search(r"[\u0400-\u04ff]", text) else text


def _tabulated(work: str, name: str, match: re.Match, rest: str) -> bool:
    """A qualitative result printed as a table cell or after a colon, with nothing but a flag after it
    ("Antinuclear Antibodies, IFA: Negative"): kept even when the test is not in the catalogue."""
    start = work.find(name)
    gap = work[start + len(name):match.start()] if start >= 0 else ""
    separated = ":" in gap or "=" in gap or len(gap) - len(gap.lstrip()) >= 2 or re.search(r"\s{2,}$", gap)
    worded = re.search(r"[^\W\d_]", match.group(0)) or match.group("titer") or match.group("span")
    return bool(separated) and len(rest.strip()) <= 12 and bool(worded)


def _unit_like(token: str) -> bool:
    """A unit token, footnote-marked ('fl*') or OCR-damaged in a repairable way ('fi', 'tys/µ1')."""
    token = token.rstrip("*")
    return looks_like_unit(token) or repair_unit(token) is not None


def _plausible_unit(unit: str | None) -> str | None:
    """The printed unit without footnote marks, or None when it is damaged beyond reading ('7p/6', 'TP/'):
    an unknown unit is shown as unknown rather than wrong."""
    if not unit:
        return None
    unit = re.sub(r"(?<=10)[еЕ](?=\d)", lambda m: "e" if m.group() == "е" else "E", unit)  # Cyrillic е as exponent
    unit = unit.rstrip("*").strip()
    return repair_unit(unit) or _russian_unit(unit)


# Latin letters OCR returns for the Cyrillic ones of Russian units ('r/n' is 'г/л', 'EA/n' 'ЕД/л', 'φn' 'фл').
_UNIT_TO_CYRILLIC = str.maketrans("naAErMmKkcoxypuHTBeφ", "лдДЕгМмКксохурuНТВеф".replace("u", "и"))


def _russian_unit(unit: str) -> str | None:
    """A damaged unit that is a Russian unit read in Latin look-alikes, in Cyrillic; else None. Every letter
    must have a Cyrillic twin (the exponent of '10e9/n' stays), so an English unit is never turned Russian."""
    head = re.match(r"(?:x?10[eE]\d{1,2})?", unit).group(0)
    tail = unit[len(head):].translate(_UNIT_TO_CYRILLIC)
    if tail == unit[len(head):] or re.search(r"[A-Za-z]", tail):
        return None
    return head + tail if is_plausible_unit(head + tail) else None


def _strip_range_decoration(text: str) -> str:
    """'(Ref: 3.5 - 5.1)' -> '3.5 - 5.1'; '[3,5 - 5,1]' -> '3,5 - 5,1'."""
    text = text.strip().strip("[]()").strip()
    return re.sub(r"^" + _RANGE_PREFIX, "", text, flags=re.IGNORECASE).strip()


def _printed_value(printed: str, normalized: str) -> str:
    """The value as printed (keeps a decimal comma): find the normalized token's printed twin."""
    pattern = re.escape(normalized).replace(r"\.", "[.,]").replace(r"\ ", r"\s?")
    match = re.search(r"(?<![\d.,])" + pattern + r"(?![\d])", printed)
    if match:
        return match.group(0)
    digits = re.sub(r"(\d)(?=(\d{3})+$)", r"\1 ", normalized)
    return digits if digits in printed else normalized


def _printed_fragment(printed: str, normalized: str) -> str:
    pattern = re.escape(normalized).replace(r"\.", "[.,]")
    pattern = re.sub(r"(\\ )+", r"\\s*", pattern)
    match = re.search(pattern, printed)
    return match.group(0).strip() if match else normalized


def _segments(line: str, catalogue: Catalogue) -> list[str]:
    """Split a line holding several results ("Na 140 mmol/L   K 4.1 mmol/L", or '; '-separated) into one per result.
    Linear in the line: each part is looked at once."""
    parts = re.split(r"(;\s+|\s{4,}|\t+|\s*\|\s*)", line)
    chunks, has_value = [""], False
    for part in parts:
        starts_test = re.match(r"[A-Za-zÀ-ÿА-яЁё]", part) and len(part.strip()) > 1
        if starts_test and has_value:
            head = _VALUE.search(part[:MAX_NAME_SCAN])
            name = (part[:head.start()] if head else part[:MAX_NAME_SCAN]).strip(" :=")
            if catalogue._candidates(name) and not _FLAG_RE.fullmatch(name) and not looks_like_unit(name):
                chunks.append(part)
                has_value = bool(head)
                continue
        chunks[-1] += part
        has_value = has_value or bool(_VALUE.search(_clean_line(part)))
    return chunks


# --- whole report ---------------------------------------------------------------------------------
def _patient(text: str) -> tuple[int | None, str | None, str | None]:
    age = age_text = sex = None
    over = _AGE_OVER.search(text)
    if over:
        age_text = over.group("text")
    else:
        for regex in _AGE:
            match = regex.search(text)
            if match and 0 < int(match.group("age")) < 120:
                age, age_text = int(match.group("age")), match.group("age")
                break
    for regex in _SEX:
        match = regex.search(text)
        if match:
            sex = _SEX_MAP.get(match.group("sex").lower())
            break
    return age, age_text, sex


def _sibling_by_range(analyte, raw: _Raw, catalogue: Catalogue, sex: str | None):
    """Without a readable unit, 'Basophils 0.03 (0.00-0.10)' is the absolute count and 'Basophils 0.5 (0-1)' the
    percentage: of an analyte and its _pct/_abs twin, the one whose catalogue range matches the printed range."""
    stem, _, kind = analyte.id.rpartition("_")
    twin = catalogue.get(f"{stem}_{'abs' if kind == 'pct' else 'pct'}") if kind in ("pct", "abs") else None
    if twin is None or (raw.low is None and raw.high is None):
        return analyte
    fits = [(range_misfit(a, a.unit, raw.low, raw.high, sex), a) for a in (analyte, twin)]
    fits = [(misfit, a) for misfit, a in fits if misfit is not None]
    return min(fits, key=lambda pair: pair[0])[1] if fits else analyte


def _method_row(line: str, name: str, catalogue: Catalogue, decimal_comma: bool) -> _Raw | None:
    """'Cobas C111-Jaffé   12 mg/l   7-13' under a line 'Créatinine': the result belongs to the test named above,
    the instrument or method only shares its row."""
    cells = re.split(r"\s{2,}", line.strip(), maxsplit=1)
    return parse_line(f"{name}    {cells[1]}", catalogue, decimal_comma) if len(cells) == 2 else None


ADULT_AGE = 18  # the catalogue's ranges are adult ranges: a child's unranged result is not judged against them
MAX_ROWS = 2000  # results kept per report: far above any real report (the longest dev report has 36 rows)
MAX_LINE_CHARS = 2000  # a longer line is cut into pieces at spaces: no real result row is this long


def _bounded_lines(page: str) -> Iterable[str]:
    """The page's lines, each cut into pieces of at most MAX_LINE_CHARS at a space (a 1 MB one-line text
    still parses in linear time)."""
    for line in page.splitlines():
        while len(line) > MAX_LINE_CHARS:
            cut = line.rfind(" ", 0, MAX_LINE_CHARS)
            cut = cut if cut > 0 else MAX_LINE_CHARS
            yield line[:cut]
            line = line[cut:]
        yield line


# A result printed under its test's name, its range on the next line ("GLUCOSE, FASTING / Result: 126 mg/dL /
# Reference range: 70 - 99 mg/dL"; the Brazilian "GLICOSE / Resultado: 126 mg/dL / Valores de referência: 70 a 99
# mg/dL"): the three lines are read as one row. Without this the row was named "Result" or not read at all.
_RESULT_LABEL = re.compile(r"^\s*(?:results?|resultados?|risultato|r[ée]sultats?|ergebnis|wynik|sonu[çc]|valor|value)"
                           r"\s*[:.]\s*(?P<rest>[<>≤≥]?\s*\d.*)$", re.IGNORECASE)
_REFERENCE_LABEL = re.compile(
    r"^\s*(?:(?:reference|ref\.?|normal)\s*(?:range|interval|values?)?|valor(?:es)? de refer[êe]ncia|"
    r"valores? (?:de referencia|normales?)|valori (?:di riferimento|normali)|intervallo di riferimento|"
    r"rango de referencia|referenzbereich|normbereich|zakres referencyjny|referans (?:aral[ıi][ğg][ıi]|de[ğg]eri)|"
    r"valeurs? de r[ée]f[ée]rence)\s*[:.]\s*(?P<range>\S.*)$", re.IGNORECASE)
MAX_NAME_CHARS = 60


def _result_blocks(lines: Iterable[str]) -> Iterable[str]:
    """The lines, with each "NAME / Result: value / Reference: range" block joined into "NAME: value    range"."""
    previous = None  # the line before, held back: it may be the name of a result below it
    reference_of = None  # the row waiting for a reference line
    for line in lines:
        if reference_of is not None:
            if not line.strip():
                continue
            ref = _REFERENCE_LABEL.match(line)
            yield f"{reference_of}    {ref.group('range')}" if ref else reference_of
            reference_of = None
            if ref:
                continue
        result = _RESULT_LABEL.match(line)
        name = previous.strip() if previous else ""
        if result and name and len(name) <= MAX_NAME_CHARS and re.search(r"[^\W\d_]", name) \
                and not _RESULT_LABEL.match(name) and not _REFERENCE_LABEL.match(name):
            previous, reference_of = None, f"{name.rstrip(':')}: {result.group('rest')}"
            continue
        if previous is not None:
            yield previous
        previous = line
    if reference_of is not None:
        yield reference_of
    if previous is not None:
        yield previous


# A cumulative report prints one value column per sample date ("Test | 06/01/2025 | 24/03/2025 | Unit | Range"):
# a row's result is the latest date's value, with its flag; the earlier columns are history. Without this the
# first date's value was read and the next column taken for the unit ("Potassium | 5.2 | 5.4 H | mmol/L": 5.2,
# no unit, normal).
_DATE_CELL = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})(?:\s+\d{1,2}:\d{2})?$|^(\d{4})-(\d{1,2})-(\d{1,2})$")


def _cells(line: str) -> list[str]:
    """A table line's cells: split at '|' when it has one, else at tabs and runs of 2+ spaces."""
    return [c.strip() for c in (line.split("|") if "|" in line else re.split(r"\t+|\s{2,}", line.strip()))]


def _date_order(cells: list[str], columns: list[int]) -> list[int]:
    """The date columns, latest first. Day/month order is read from a part above 12; when none tells, the
    right-most column is taken as the latest (the usual cumulative layout)."""
    parts = [_DATE_CELL.match(cells[i]).groups() for i in columns]
    if all(p[3] for p in parts):  # ISO dates
        return sorted(columns, key=lambda i: _DATE_CELL.match(cells[i]).group(0), reverse=True)
    day_first = any(int(p[0]) > 12 for p in parts if p[0])
    month_first = any(int(p[1]) > 12 for p in parts if p[1])
    if day_first == month_first:
        return columns[::-1]

    def key(i: int) -> tuple[int, int, int]:
        a, b, year = (int(x) for x in _DATE_CELL.match(cells[i]).groups()[:3])
        year += 2000 if year < 100 else 0
        return (year, b, a) if day_first else (year, a, b)
    return sorted(columns, key=key, reverse=True)


def _latest_columns(lines: Iterable[str], notes: list[str]) -> Iterable[str]:
    """The lines of a page, with each row of a cumulative table cut to its latest date's value; `notes` says so
    once per table header."""
    table = None  # (cells per row, date columns latest first)
    for line in lines:
        cells = _cells(line)
        dates = [i for i, cell in enumerate(cells) if _DATE_CELL.match(cell)]
        if len(dates) >= 2 and dates[0] >= 1 and len(dates) < len(cells) - 1:
            table = (len(cells), _date_order(cells, dates))
            note = (f"A table has one column per sample date ({', '.join(cells[i] for i in dates)}): its results are "
                    f"the latest date's ({cells[table[1][0]]}), or a test's last value where that date has none.")
            if note not in notes:
                notes.append(note)
            yield line
            continue
        if table and len(cells) == table[0] and "".join(cells[i] for i in table[1]):
            chosen = next(i for i in table[1] if cells[i])
            yield "    ".join(cell for i, cell in enumerate(cells) if i == chosen or i not in table[1])
            continue
        yield line


def parse_report(text_or_pages: str | Iterable[str], catalogue: Catalogue | None = None,
                 max_rows: int = MAX_ROWS) -> ParsedReport:
    """Every lab result of a report (a text or a list of page texts), flagged, with age and sex; at most
    `max_rows` results."""
    catalogue = catalogue or get_catalogue()
    pages = [text_or_pages] if isinstance(text_or_pages, str) else list(text_or_pages)
    full = "\n".join(pages)
    decimal_comma = _uses_decimal_comma(full)
    age, age_text, sex = _patient(full)
    # Only a labelled age ('Age: 12', 'Возраст: 12') marks a child: an age band of a reference note ('children
    # under 14 years') must not switch the stand-in ranges off.
    labelled = _AGE[0].search(full)
    adult = not (labelled and int(labelled.group("age")) < ADULT_AGE)
    report = ParsedReport(age=age, age_text=age_text, sex=sex)
    specimen = pending_name = None
    for page_number, page in enumerate(pages, start=1):
        for line in (segment for text_line in _latest_columns(_result_blocks(_bounded_lines(page)), report.notes)
                     for segment in _segments(text_line, catalogue)):
            if len(report.results) >= max_rows:
                break
            raw = parse_line(line, catalogue, decimal_comma, urine=specimen == "urine")
            if raw is None and pending_name and _NOT_A_NAME.search(line):
                raw = _method_row(line, pending_name, catalogue, decimal_comma)
            pending_name = line.strip() if raw is None and catalogue._candidates(line.strip()) else None
            if raw is None:
                if line.strip() and len(line.strip()) < 60 and not re.search(r"\d", line):
                    if _SECTION_URINE.search(line):
                        specimen = "urine"
                    elif _SECTION_OTHER.search(line):
                        specimen = "blood"
                continue
            raw.test = catalogue.restore_cyrillic(_OCR_LEAD.sub("", raw.test))
            line_specimen = "urine" if _SECTION_URINE.search(raw.test) else specimen
            raw.unit = _plausible_unit(raw.unit)
            analyte = catalogue.lookup(raw.test, raw.unit or "", line_specimen, qualitative=raw.value is None)
            if analyte is not None and raw.unit is None:
                analyte = _sibling_by_range(analyte, raw, catalogue, sex)
            decision = decide(value=raw.value, comparator=raw.comparator, value_text=raw.value_text, unit=raw.unit,
                              printed_low=raw.low, printed_high=raw.high, printed_ref_text=raw.ref_text,
                              report_flag=raw.report_flag, analyte=analyte, sex=sex,
                              adult=adult)
            report.results.append(LabResult(
                test=raw.test, analyte=analyte.id if analyte else None, value=raw.value, value_text=raw.value_text,
                unit=raw.unit, ref_low=decision.ref_low, ref_high=decision.ref_high, ref_text=decision.ref_text,
                ref_source=decision.ref_source, flag=decision.flag, page=page_number))
    return report
