"""Lay words -> the words records use (data/lexicon/lay_clinical.tsv), for query expansion and coverage.

A question becomes a list of `Concept`s: each lay phrase of the lexicon found in the question
("water pill", "ultrasound of my heart") is one concept whose alternatives are the phrase itself and
its record words ("diuretic", "torsemide", "ejection fraction"); every other topic word is a concept
of its own, with its synonyms. A passage covers a concept when it holds every word of one alternative.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON = Path(__file__).resolve().parent.parent / "data" / "lexicon" / "lay_clinical.tsv"
# "High blood pressure, also called hypertension," in the MedlinePlus health-topic summaries.
_ALSO_CALLED = re.compile(r"([A-Za-z][A-Za-z' -]{2,40}?)(?:,| -| is) (?:also called|also known as) "
                          r"(?:an? |the )?([A-Za-z][A-Za-z' -]{2,40}?)[,.)]")


@dataclass(frozen=True)
class Concept:
    words: tuple[str, ...]                      # the question's stems this concept stands for
    alternatives: tuple[tuple[str, ...], ...]   # each a tuple of stems that together express it

    def covered_by(self, tokens: set[str] | frozenset[str]) -> bool:
        return any(all(t in tokens for t in alternative) for alternative in self.alternatives)

    def stems(self) -> set[str]:
        return {t for alternative in self.alternatives for t in alternative}


@dataclass(frozen=True)
class Lexicon:
    phrases: tuple[tuple[tuple[str, ...], tuple[tuple[str, ...], ...]], ...]  # lay stems -> record alternatives
    synonyms: dict[str, frozenset[tuple[str, ...]]]                           # stem -> its synonyms


def _stems(text: str) -> tuple[str, ...]:
    from rag.index import content_tokens

    return tuple(content_tokens(text))


@lru_cache(maxsize=1)
def load_lexicon(path: Path = LEXICON) -> Lexicon:
    """Parse the lexicon file (groups and lay phrases); '#' starts a comment."""
    phrases: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    synonyms: dict[str, set[tuple[str, ...]]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "\t" in line:
            lay, record = line.split("\t", 1)
            key = _stems(lay)
            if key:
                phrases.setdefault(key, set()).update(s for s in map(_stems, record.split(";")) if s)
            continue
        group = [s for s in map(_stems, line.split(";")) if s]
        for member in group:
            others = {g for g in group if g != member}
            if len(member) == 1:
                synonyms.setdefault(member[0], set()).update(others)
            else:
                phrases.setdefault(member, set()).update(others)
    # One hop: a lay phrase's record word brings its synonyms ("cholesterol pill" -> atorvastatin -> Lipitor).
    for key, records in phrases.items():
        records |= {s for r in list(records) if len(r) == 1 for s in synonyms.get(r[0], ())} - {key}
    ordered = sorted(phrases.items(), key=lambda item: -len(item[0]))  # longest phrase first
    return Lexicon(tuple((k, tuple(sorted(v))) for k, v in ordered),
                   {k: frozenset(v) for k, v in synonyms.items()})


# "Back" of a return or a time ("come back", "get back behind the wheel", "back in March") is no back (the body part).
_BACK = re.compile(r"\b(?:(?:come|comes|coming|came|get|gets|got|go|goes|going|went|bring|brought|call|ring|phone|"
                   r"send|sent|put|be|was|were|is)\s+(?:him\s+|her\s+|me\s+|them\s+|it\s+)?back|"
                   r"back\s+(?:in|on|at|from|then|when|home|behind))\b", re.IGNORECASE)


# "Right now", "right away" say when, not which side.
_NOW = re.compile(r"\bright (?:now|away)\b", re.IGNORECASE)


def question_concepts(question: str) -> list[Concept]:
    """The question's topic, as concepts in the order the question names them (lay phrases are matched
    first, longest first; every other topic word is a concept of its own)."""
    lexicon = load_lexicon()
    stems = _stems(_NOW.sub(" ", _BACK.sub(" ", question)))
    # 'vitamin D' -> ('vitamin', 'vitamind'): the lettered name alone is the topic ('vitamin C' does not cover it)
    stems = [t for i, t in enumerate(stems) if not (i + 1 < len(stems) and stems[i + 1][:-1] == t
                                                     and stems[i + 1][-1].isalpha() and len(stems[i + 1]) > 3)]
    tokens = list(dict.fromkeys(stems))
    left = set(tokens)
    concepts: list[Concept] = []
    for lay, record in lexicon.phrases:
        if len(lay) > 1 and all(t in left for t in lay):
            left -= set(lay)
            concepts.append(Concept(lay, (lay, *record)))
    single = dict(lexicon.phrases)
    for token in tokens:
        if token in left:
            alternatives = {(token,), *single.get((token,), ()), *lexicon.synonyms.get(token, ())}
            concepts.append(Concept((token,), tuple(sorted(alternatives, key=lambda a: (a != (token,), a)))))
    return sorted(concepts, key=lambda c: min(tokens.index(w) for w in c.words))


# Words a record uses for what kind of question it is, added to the keyword query only (not to coverage):
# a reason is written under "Reason for visit", "Indication"; a finding under "Findings", "Impression".
_CUES = (
    (re.compile(r"^\s*why\b", re.IGNORECASE), ("reason", "indication", "complaint")),
    (re.compile(r"\bwhat did (?:the |my )?[\w -]{2,40}? (?:show|find|say|conclude)\b", re.IGNORECASE),
     ("finding", "impression", "conclusion")),
    (re.compile(r"\b(?:at|on|upon) discharge\b|\bwhen i (?:was discharged|went home|left (?:the )?hospital)\b|"
                r"\b(?:leaving|left|leave) (?:the )?hospital\b|\b(?:sent|going|go|went|take) home\b", re.IGNORECASE),
     ("discharge", "discharged")),
    (re.compile(r"\b(?:after|following)\s+(?:the\s+|my\s+)?(?:\w+\s+)?(?:operation|surgery)\b", re.IGNORECASE),
     ("postoperative", "postop")),
    (re.compile(r"\b(?:before|prior to)\s+(?:the\s+|my\s+)?(?:\w+\s+)?(?:operation|surgery)\b", re.IGNORECASE),
     ("preoperative", "preop")),
)


def cue_terms(question: str) -> list[str]:
    """Keyword-query words for the kind of question ("why ..." -> reason, indication)."""
    return [t for pattern, terms in _CUES if pattern.search(question) for t in terms]


def expansion(concepts: list[Concept]) -> list[str]:
    """Every stem of every alternative: the keyword (BM25) query."""
    return sorted({t for concept in concepts for t in concept.stems()})


def kb_synonyms(folder: Path) -> list[tuple[str, str]]:
    """("high blood pressure", "hypertension") pairs from the KB's "also called" sentences."""
    pairs = set()
    for file in sorted(folder.glob("*.xml")):
        for first, second in _ALSO_CALLED.findall(file.read_text(encoding="utf-8", errors="replace")):
            pairs.add((first.strip().lower(), second.strip().lower()))
    return sorted(pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print candidate synonym lines from the health KB.")
    parser.add_argument("--from-kb", type=Path, required=True, help="MedQuAD 4_MPlus_Health_Topics_QA folder")
    args = parser.parse_args(argv)
    for first, second in kb_synonyms(args.from_kb):
        print(f"{first}; {second} # kb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
