"""Is the answer in the records? A graded decision from several signals, not one similarity.

For the best few hits, every sentence (or table row) is scored on:
- how much of the question it covers, as concepts after lay -> clinical mapping (`rag.lexicon`), with the
  chunk's document title and section heading as context ("MEDICATIONS: ... torsemide 20 MG");
- whether it holds the kind of thing asked: a number for "how much / what level", a date for "when",
  a dose for "what dose / which medicine", a name for "who";
- the chunk's dense similarity (a small share, to order equally covered sentences);
and, over the whole session's records: which share of the question no chunk covers at all, and whether
what the question asks about is there (a test never done: "tacrolimus", "the ultrasound of my kidney").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.index import Hit, HybridIndex, doc_title, tokenize
from rag.lexicon import Concept, question_concepts
from rag.prompting import looks_like_instruction
from safety.guard import SENTENCE_BREAK

ANSWER, PARTIAL, REFUSE = "answer", "partial", "refuse"
# Thresholds, fitted on real_records_dev sets A, B, D (set C is kept for reporting) together with the
# project's own tests/data/rag set; the figures are each question's values from `decide`
# (`scripts/eval_rag.py --verbose [--dev FOLDER]` prints them):
# - PARTIAL_AT: the lowest best-sentence coverage of an answerable question was 0.21 ("When was I
#   discharged from St. Mary's?", "What dose of lisinopril was prescribed in May?"); the unanswerable
#   refused only by this threshold had 0.04 ("How many days did I stay in hospital ..."): midpoint 0.12.
# - ANSWER_AT: under it a match is shown as "This may answer it" (not refused). 0.45 put 14 of the 83
#   answerable questions there; those had 1-2 of 3-5 topic words in the sentence.
# - MISSING_REFUSE: the largest uncovered share of an answerable question was 0.63, the smallest of the
#   unanswerables it has to catch 0.74 (eGFR; "next dentist appointment"): 0.70.
# - HEAD_OVERRIDE: a missing head concept is overridden only by strong coverage of the rest. The
#   unanswerables with a missing head reached 0.449 (vitamin D, skin biopsy); no answerable had a missing
#   head, so this stays at ANSWER_AT rather than being fitted (a tight margin: watch it on new data).
# - MENTIONED_MARGIN: gap between the best-covering sentence and the best one holding the asked kind;
#   answerable (below ANSWER_AT, not dates) at most 0.23, unanswerables 0.42 (lisinopril, no dose),
#   0.63 (decoy cells "next visit"), 1.0 (MRI "could be done"): 0.32.
ANSWER_AT = 0.45
PARTIAL_AT = 0.12
MISSING_REFUSE = 0.70
HEAD_OVERRIDE = 0.45
MENTIONED_MARGIN = 0.32
HEAD_CONCEPTS = 1      # a wh-question's first concept names what it asks about (2 refused "antibiotic ... intravenously")
DENSE_WEIGHT = 0.2     # share of the chunk's cosine similarity in a sentence's strength (a tie-breaker)
CONTEXT_SHARE = 0.5    # a concept covered only by the title/heading counts half

_UNIT = (r"(?:mg|mcg|µg|ug|g|gm|grams?|kg|lbs?|pounds?|ml|cc|l|mmol|meq|units?|iu|%|percent|mm\s*hg|mm\[hg\]|"
         r"bpm|/min|cm|mm|in|inches|mci|mbq|ng|pg|u/l|f|c|cel|°|kcal|calories?|hours?|minutes?|days?|weeks?|"
         r"months?|years?|ounces?|oz|servings?)")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)?\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"fifteen|twenty|thirty|forty|fifty|hundred|half|once|twice)\b", re.IGNORECASE)
_NUMBER_UNIT = re.compile(rf"\b\d+(?:[.,]\d+)?\s*-?\s*{_UNIT}(?![a-z])", re.IGNORECASE)
_DOSE = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|gm|ml|meq|units?|iu|puffs?|tablets?|drops?)(?![a-z])",
                   re.IGNORECASE)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE = re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTHS}|\b{_MONTHS},?\s+\d{{4}}\b|"
                   r"\b\d{1,4}[/-]\d{1,2}[/-]\d{2,4}\b|\b(?:19|20)\d{2}\b|\b\d+\s+(?:days?|weeks?|months?|years?)\b|"
                   r"\b(?:ago|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                   re.IGNORECASE)
_NAME = re.compile(r"\b(?:Dr|Doctor|Mr|Mrs|Ms|Prof)\.?\s+[A-Z]|\b(?:MD|M\.D\.|RN|NP|PA-C|DO)\b")
_ASKS = (  # (kind, question pattern), first match wins
    # "When was/did ..." asks for a date; "When should I take it / go back" asks for a moment or a condition.
    ("date", re.compile(r"^\s*when (?:was|were|did|had|have)\b|\bwhat (?:date|day|year|month)\b|\bsince when\b|"
                        r"\bhow long ago\b", re.IGNORECASE)),
    ("name", re.compile(r"\bwho\b|\bwhich (?:doctor|surgeon|physician)\b|\bname of\b", re.IGNORECASE)),
    ("dose", re.compile(r"\b(?:dose|doses|dosage|strength|how much \w+ (?:do|did|should) i take|how often)\b", re.IGNORECASE)),
    ("number", re.compile(r"\bhow (?:much|many|high|low|big|large|long|heavy|tall|fast|far)\b|\b(?:lowest|highest|"
                          r"level|levels|number|count|score|reading|size|weight|percentage|value)\b", re.IGNORECASE)),
)
# A question after a finding ("what did the MRI show", "what was my PSA level") is not answered by a
# plan or a possibility ("an MRI could be done", "Pending Tests: urine dipstick", "recheck at next visit").
# In a wh-question the first topic word names what is asked about ("What was my eGFR ..."); in a yes/no
# question it need not ("Did the surgeon get all the cancer out").
_WH_QUESTION = re.compile(r"^\s*(?:what|which|how|when|where|who)\b", re.IGNORECASE)
_ABOUT_ME = re.compile(r"^\s*(?:did|have|has|had|was|were|am|do)\s+i\s+(?:ever\s+)?(?:been\s+)?(?:have|had|get|got|"
                       r"receive|received|take|taken|undergo|undergone|need|needed|on|given|prescribed|"
                       r"diagnosed with|treated for|tested for|told)?\b(.*)$", re.IGNORECASE)
_ASKS_FINDING = re.compile(r"\b(?:show|showed|shown|find|found|finding|findings|result|results|level|levels|"
                           r"reading|was my|were my|what was|what were)\b", re.IGNORECASE)
_PLAN = re.compile(r"\b(?:could|would|will|may|might|should|to) be (?:done|performed|obtained|checked|repeated|"
                   r"considered|scheduled|sent|drawn)\b|\bpending\b|\bplanned\b|\bnext visit\b|\bif (?:it is )?"
                   r"clinically indicated\b|\brecheck\b|\bwill (?:check|obtain|order|repeat)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    hit_rank: int      # 0-based rank of the hit the sentence comes from
    hit: Hit
    sentence: str      # the sentence or table row, as written in the record
    coverage: float    # IDF-weighted share of the question's concepts it covers (with title + heading)
    typed: bool        # holds the kind of thing asked (always True when the question asks no kind)


@dataclass(frozen=True)
class Decision:
    verdict: str                 # ANSWER, PARTIAL or REFUSE
    best: Candidate | None
    asks: str                    # "date", "name", "dose", "number" or "" (an open question)
    missing: float               # IDF-weighted share of the question's concepts that no chunk covers
    head_missing: bool           # no chunk covers what the question asks about (`asked_about`)
    score: float                 # the best answering sentence's coverage, which the verdict was read from
    topical: float = 0.0         # the best coverage of any sentence, whether or not it holds the asked kind


def asked_kind(question: str) -> str:
    """What kind of thing the question asks for ("" when it is open: "what did the scan show")."""
    for kind, pattern in _ASKS:
        if pattern.search(question):
            return kind
    return ""


def holds_kind(text: str, kind: str) -> bool:
    """Whether `text` holds the kind of thing asked."""
    if kind == "date":
        return bool(_DATE.search(text))
    if kind == "name":
        return bool(_NAME.search(text))
    if kind == "dose":
        return bool(_DOSE.search(text))
    if kind == "number":
        return bool(_NUMBER_UNIT.search(text) or _NUMBER.search(text))
    return True


def sentences(hit: Hit) -> list[str]:
    """The sentences of a text chunk; a table row or lab line is one sentence."""
    text = hit.chunk.text
    if hit.chunk.kind in ("row", "lab"):
        return [text]
    merged: list[str] = []
    for line in text.split("\n"):
        for part in (p.strip() for p in SENTENCE_BREAK.split(line)):
            if not part:
                continue
            if merged and (merged[-1].endswith(":") or len(merged[-1]) < 25):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
    return merged


def _coverage(concepts: list[Concept], weights: list[float], own: set[str], context: set[str]) -> float:
    """IDF-weighted share of the concepts a sentence covers; one covered only by its context (document title,
    section heading) counts CONTEXT_SHARE, so the sentence that names it wins over its neighbours."""
    total = sum(weights)
    covered = 0.0
    for concept, weight in zip(concepts, weights):
        if concept.covered_by(own):
            covered += weight
        elif concept.covered_by(context):
            covered += CONTEXT_SHARE * weight
    return covered / total if total else 0.0


def asked_about(question: str, concepts: list[Concept]) -> list[Concept] | None:
    """The concepts that name what the question asks about, or None when that cannot be told.

    In a wh-question, the first concept ("What was my eGFR ..."); in "Did I have / Have I been / Was I ..."
    every concept of its object ("Did I have a skin biopsy?"). In other yes/no questions the subject
    need not be asked about ("Did the surgeon get all the cancer out").
    """
    if _WH_QUESTION.match(question):
        return concepts[:HEAD_CONCEPTS]
    about_me = _ABOUT_ME.match(question)
    return question_concepts(about_me.group(1)) if about_me else None


def candidates(question: str, hits: list[Hit], index: HybridIndex) -> tuple[list[Candidate], float, bool]:
    """Every sentence of `hits`, scored; the share of the question that no chunk covers; and whether no
    chunk covers the question's first concept ("the ultrasound" of "What did the ultrasound of my kidney show").

    Sentences that read like an instruction to an assistant are records' data, never an answer.
    """
    concepts = question_concepts(question)
    weights = [index.concept_weight(c) for c in concepts]
    total = sum(weights)
    missing = sum(w for c, w in zip(concepts, weights) if not index.covering(c)) / total if total else 1.0
    head = asked_about(question, concepts)
    head_missing = head is not None and (not head or not all(index.covering(c) for c in head))
    kind = asked_kind(question)
    wants_finding = bool(_ASKS_FINDING.search(question))
    found = []
    for rank, hit in enumerate(hits):
        context = f"{doc_title(hit.chunk.doc_name)} {hit.chunk.section}"
        context_tokens = set(tokenize(context))
        for sentence in sentences(hit):
            if looks_like_instruction(sentence):
                continue
            typed = holds_kind(sentence, kind) and not (wants_finding and _PLAN.search(f"{hit.chunk.section} {sentence}"))
            found.append(Candidate(rank, hit, sentence,
                                   _coverage(concepts, weights, set(tokenize(sentence)), context_tokens), typed))
    return found, missing, head_missing


def strength(candidate: Candidate) -> float:
    """A sentence's evidence: its coverage, halved when it lacks the kind of thing asked, plus a little of the
    chunk's dense similarity (which breaks ties between equally covered sentences)."""
    return candidate.coverage * (1.0 if candidate.typed else 0.5) + DENSE_WEIGHT * max(candidate.hit.dense, 0.0)


def rerank(hits: list[Hit], found: list[Candidate]) -> list[Hit]:
    """Hits ordered by their best sentence's strength (retrieval order breaks ties)."""
    best: dict[int, float] = {}
    for candidate in found:
        best[candidate.hit_rank] = max(best.get(candidate.hit_rank, 0.0), strength(candidate))
    order = sorted(range(len(hits)), key=lambda i: (-best.get(i, 0.0), i))
    return [hits[i] for i in order]


def decide(question: str, hits: list[Hit], index: HybridIndex) -> tuple[Decision, list[Hit]]:
    """The verdict, and the hits re-ordered so the one that answers comes first."""
    if not hits:
        return Decision(REFUSE, None, asked_kind(question), 1.0, True, 0.0), []
    found, missing, head_missing = candidates(question, hits, index)
    ordered = rerank(hits, found)
    kind = asked_kind(question)
    best = max((c for c in found if c.typed), key=strength, default=None)
    topical = max((c.coverage for c in found), default=0.0)
    if best is None or missing >= MISSING_REFUSE:
        return Decision(REFUSE, best, kind, missing, head_missing, 0.0), ordered
    if head_missing and best.coverage < HEAD_OVERRIDE:
        # What the question asks about is nowhere in the records (a test never done: "the ultrasound of
        # my kidney", "my eGFR"); the rest of the question matching is not enough.
        verdict = REFUSE
    elif topical - best.coverage >= MENTIONED_MARGIN and best.coverage < ANSWER_AT and kind != "date":
        # The records name the topic, but where they do they lack what was asked: "Lisinopril" with no
        # dose, "an MRI could be done", "urine for decoy cells on his next visit". (Not for dates: a
        # hospital's name can outweigh the "Discharged: 7 March 2024" line that answers.)
        verdict = REFUSE
    elif best.coverage >= ANSWER_AT:
        verdict = ANSWER
    elif best.coverage >= PARTIAL_AT:
        verdict = PARTIAL
    else:
        verdict = REFUSE
    return Decision(verdict, best, kind, missing, head_missing, best.coverage, topical), ordered
