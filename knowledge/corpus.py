"""Trusted passages: MedQuAD consumer-health answers (health_kb), the analyte catalogue and SkinGuard's condition cards.

Each passage keeps its title, publisher, link and the attribution its publisher asks for
(see ../shared/data/health_kb/README.md, "Licence").
"""
from __future__ import annotations

import glob
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from pathlib import Path

# MedQuAD folder -> (publisher shown to the user, attribution line, passages kept per document).
# MedlinePlus topics come first; the NIH/CDC pages follow. Genetics Home Reference keeps only its
# "What is X?" answer: its other four answers per condition (frequency, genes, inheritance,
# treatment) are long and technical, and would triple the artefact for rare conditions.
NO_ENDORSEMENT = "Healify's use of this material does not imply endorsement by CDC, HHS or NIH."
SOURCES = {
    "4_MPlus_Health_Topics_QA": ("MedlinePlus, National Library of Medicine",
                                 "Source: MedlinePlus, National Library of Medicine."),
    "5_NIDDK_QA": ("NIDDK, National Institutes of Health", "Source: NIDDK, National Institutes of Health."),
    "6_NINDS_QA": ("NINDS, National Institutes of Health", "Source: NINDS, National Institutes of Health."),
    "8_NHLBI_QA_XML": ("NHLBI, National Institutes of Health", "Source: NHLBI, National Institutes of Health."),
    "9_CDC_QA": ("CDC", "Source: CDC."),
    "1_CancerGov_QA": ("National Cancer Institute", "Source: National Cancer Institute (cancer.gov)."),
    "7_SeniorHealth_QA": ("NIHSeniorHealth, National Institutes of Health",
                          "Source: NIHSeniorHealth (NIA/NLM), National Institutes of Health."),
    "3_GHR_QA": ("MedlinePlus Genetics, National Library of Medicine",
                 "Source: MedlinePlus Genetics, National Library of Medicine."),
}
FOLDER_ORDER = list(SOURCES)
ONLY_FIRST_ANSWER = {"3_GHR_QA"}
# Words of one answer that are kept. MedlinePlus summaries are whole (at most 284 words). Long PDQ/NIDDK
# answers repeat the same facts stage by stage: their first 200 words carry the definition, symptoms or
# treatment summary a lay question needs. A genetics answer keeps its opening definition only.
MAX_ANSWER_WORDS = 200
FOLDER_WORDS = {"4_MPlus_Health_Topics_QA": 400, "3_GHR_QA": 100}
PASSAGE_WORDS = 90  # sentences are grouped into passages of about this many words (MiniLM reads 256 tokens)

_CREDIT = re.compile(r"\s{3,}((?:NIH|CDC|FDA|Genetics Home Reference|Centers for|National|U\.S\.|Agency)[^.]{0,140})$")
_SUMMARY = re.compile(r"^\s*(Summary|Key Points)\s*:?\s*")
_BOILERPLATE = re.compile(r"Images and logos on this website.*$", re.DOTALL)
_LIST_ITEM = re.compile(r"\s{2,}-\s+")
_BLOCK = re.compile(r"\s{3,}|\n+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"(])")


@dataclass
class Passage:
    """One retrievable piece of trusted text with everything needed to cite it."""
    topic: str                 # topic id: 'kb:<folder>:<doc id>', 'analyte:<id>' or 'condition:<code>'
    title: str
    publisher: str
    url: str
    attribution: str
    text: str
    question: str = ""         # the question the source answers (MedQuAD), used for retrieval
    qtype: str = ""            # MedQuAD question type: information, symptoms, treatment, causes, ...
    synonyms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def search_text(self) -> str:
        """What is embedded and keyword-indexed: title and 'also called' names give a passage its topic."""
        names = f" ({', '.join(self.synonyms[:6])})" if self.synonyms else ""
        return f"{self.title}{names}: {self.text}"


def current_url(url: str) -> str:
    """The live address of a 2017 MedQuAD link (MedlinePlus and GHR pages moved to medlineplus.gov)."""
    old = re.match(r"https?://www\.nlm\.nih\.gov/medlineplus/(.+)$", url or "")
    if old:
        return f"https://medlineplus.gov/{old.group(1)}"
    ghr = re.match(r"https?://ghr\.nlm\.nih\.gov/condition/([^/]+)", url or "")
    if ghr:
        return f"https://medlineplus.gov/genetics/condition/{ghr.group(1)}/"
    return url or ""


def _join_list(heading: str, items: list[str]) -> str:
    """A lead-in and its list items as one sentence: 'Symptoms include: wheezing; coughing; chest tightness.'"""
    items = [i[0].lower() + i[1:] if len(i) > 1 and i[1].islower() else i for i in items]
    joined = "; ".join(i.rstrip(".;:") for i in items)
    if not heading:
        return joined + "."
    return f"{heading.rstrip('.:')}: {joined}."


def sentences(text: str) -> list[str]:
    """Sentences of a plain-text answer; a list (MedQuAD writes items as '   - item') is joined to its lead-in."""
    text = _LIST_ITEM.sub("\n\u2022 ", text or "")
    out: list[str] = []
    items: list[str] = []
    after: list[str] = []  # sentences that followed the last list item in the same block
    heading = ""
    for block in (b.strip() for b in _BLOCK.split(text)):
        if block.startswith("\u2022"):
            first, *rest = _SENTENCE.split(re.sub(r"\s+", " ", block[1:].strip()))
            items.append(first)
            after = rest
            if not rest:
                continue
            block = ""
        if items:
            out.append(_join_list(heading, items))
            out += after
            items, after, heading = [], [], ""
        if not block:
            continue
        parts = [re.sub(r"\s+", " ", p).strip() for p in _SENTENCE.split(block) if p.strip()]
        if parts and not parts[-1].endswith((".", "!", "?")):
            heading = parts.pop()  # a lead-in such as 'Symptoms of asthma include'
        out += parts
    if items:
        out += [_join_list(heading, items)] + after
    elif heading:
        out.append(heading)
    return [s for s in out if len(s.split()) >= 3 and not _is_credit(s)]


def _is_credit(sentence: str) -> bool:
    """A name, not a sentence: an agency credit such as 'Food and Drug Administration.'"""
    long_words = [w for w in re.findall(r"[A-Za-z][\w'.-]*", sentence) if len(w) > 3]
    return bool(long_words) and all(w[0].isupper() for w in long_words)


def clean_answer(answer: str) -> str:
    """Answer text without 'Summary :' prefix, trailing agency credit or site boilerplate."""
    text = _SUMMARY.sub("", (answer or "").strip())
    text = _BOILERPLATE.sub("", text).rstrip()
    return _CREDIT.sub("", text).strip()


def group_sentences(items: list[str], words: int = PASSAGE_WORDS, limit: int = MAX_ANSWER_WORDS) -> list[str]:
    """Consecutive sentences joined into passages of about `words` words, at most `limit` words in all."""
    passages, current, total = [], [], 0
    for sentence in items:
        size = len(sentence.split())
        if total and total + size > limit:
            break
        current.append(sentence if sentence[-1] in ".!?:" else sentence + ".")
        total += size
        if sum(len(s.split()) for s in current) >= words:
            passages.append(" ".join(current))
            current = []
    if current:
        passages.append(" ".join(current))
    return passages


def _read_document(path: str) -> tuple[dict, list[tuple[str, str, str]]]:
    root = ET.parse(path).getroot()
    if root.tag in ("Document", "DiseaseFile"):
        focus = root.findtext("Focus")
        pairs = [(p.find("Question"), p.findtext("Answer")) for p in root.iter("QAPair")]
    else:  # four NINDS files use <doc>
        focus = root.findtext("doctitle-focus")
        pairs = [(p.find("question"), p.findtext("answer")) for p in root.iter("pair")]
    meta = {"id": root.get("id") or root.get("fid") or root.get("docid") or Path(path).stem,
            "url": root.get("url") or "", "focus": (focus or "").strip(),
            "synonyms": [s.text.strip() for s in root.iter("Synonym") if s.text and s.text.strip()]}
    qa = [((q.text or "").strip(), q.get("qtype") or "", a or "") for q, a in pairs if q is not None]
    return meta, qa


def medquad_passages(root: Path) -> list[Passage]:
    """Passages of health_kb's MedQuAD folders, MedlinePlus topics first; duplicate answers once."""
    passages: list[Passage] = []
    seen: set[str] = set()
    for folder in FOLDER_ORDER:
        publisher, attribution = SOURCES[folder]
        if folder == "9_CDC_QA":
            attribution = f"{attribution} {NO_ENDORSEMENT}"
        for path in sorted(glob.glob(str(root / folder / "*.xml"))):
            meta, pairs = _read_document(path)
            if folder in ONLY_FIRST_ANSWER:
                pairs = pairs[:1]
            title = meta["focus"] or Path(path).stem
            for question, qtype, answer in pairs:
                text = clean_answer(answer)
                key = re.sub(r"\W+", " ", text.lower())[:400]
                if not text or key in seen:
                    continue
                seen.add(key)
                limit = FOLDER_WORDS.get(folder, MAX_ANSWER_WORDS)
                for chunk in group_sentences(sentences(text), limit=limit):
                    passages.append(Passage(f"kb:{folder[:2].strip('_')}:{meta['id']}", title, publisher,
                                            current_url(meta["url"]), attribution, chunk, question, qtype,
                                            meta["synonyms"]))
    return passages


def analyte_passages(path: Path) -> list[Passage]:
    """The lab-test catalogue (data/analytes.json): what each test measures and what high/low values mean."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    passages = []
    for entry in raw["analytes"]:
        explanation = entry["explanation"]
        source = entry.get("source", "")
        url = (re.search(r"https?://\S+?(?=[.,;]?(\s|$))", source) or [""])[0]
        text = (f"{explanation['what']} A high value: {explanation['high']} "
                f"A low value: {explanation['low']}")
        names = entry["synonyms"]["en"] + entry["synonyms"]["fr"]
        passages.append(Passage(f"analyte:{entry['id']}", entry["name"], "Healify lab-test catalogue", url,
                                f"Source: Healify lab-test catalogue, written from {source}", text,
                                f"What does the {entry['name']} test measure?", "information", names))
    return passages


def condition_passages(path: Path) -> list[Passage]:
    """SkinGuard's condition cards (data/conditions.json): what each lesion type is, its signs and urgency."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    passages = []
    for code, card in raw.items():
        signs = "; ".join(card.get("typical_signs", []))
        text = f"{card['what_it_is']} Typical signs: {signs}. {card['urgency_text']}"
        passages.append(Passage(f"condition:{code}", card["name"], "Healify SkinGuard condition card", "",
                                "Source: Healify SkinGuard condition card (data/conditions.json).",
                                text, f"What is {card['name']}?", "information", [code]))
    return passages
