"""Content-word grounding guard: a generated sentence survives only if the sources support what it says.

A sentence is kept when
- every number it names is in the passages or the question (with a unit they use; `safety.guard`);
- it has at least MIN_CONTENT_WORDS content words (stopwords and hedges out, words lightly stemmed);
- none of its unsupported content words is unknown (not in the knowledge base's vocabulary: an invented
  word such as "anteprolizondo") or specific (in fewer than COMMON_SHARE of the knowledge-base passages:
  a medical term such as "bacteria" next to "shingles" that the passages do not use);
- at least MIN_SUPPORT of its content words are supported by the passages or the question.
Sentences that fail are dropped silently: no "(removed)" stub replaces them.

Thresholds were chosen with `scripts/eval_knowledge.py --grounding` on tests/data/knowledge/grounding_cases.json
(35 hand-written paraphrases and 34 false claims about 10 MedlinePlus topics; kept / dropped share):
  COMMON_SHARE 0.00: MIN_SUPPORT 0.75 keeps 1.000 / drops 0.824; 0.90 -> 0.914 / 0.941
  COMMON_SHARE 0.02: MIN_SUPPORT 0.75 keeps 0.971 / drops 0.912
  COMMON_SHARE 0.05: MIN_SUPPORT 0.60 keeps 0.914 / drops 0.912; 0.70 to 1.00 -> 0.914 / 0.941 (plateau)
COMMON_SHARE = 0.05 with MIN_SUPPORT = 0.75 (inside the plateau): a false claim costs more than a lost
paraphrase. The two false claims no setting drops reverse a relation with the passage's own words
("Give aspirin to children with a cold." against "do not give aspirin to children"): word overlap cannot
see negation, so generated text stays second to the quoted passages.
"""
from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from safety.guard import split_sentences, unsupported_numbers

MIN_SUPPORT = 0.75
COMMON_SHARE = 0.05
MIN_CONTENT_WORDS = 2
VOCABULARY_PATH = Path(__file__).resolve().parents[1] / "data" / "knowledge" / "vocabulary.json.gz"

_WORD = re.compile(r"[a-zà-öø-ÿ][a-zà-öø-ÿ0-9]*(?:'[a-z]+)?")  # words, with names like 'a1c' and 'b12'; numbers apart
_CITATION = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
# Function words and hedges: they carry no claim that a source could support or contradict.
STOPWORDS = frozenset("""
a about above across after again against all almost along also although always am among an and another any
anyone anything are around as at away back be because become becomes been before being below best better
between both but by can cannot could did do does doing done down during each either else enough especially
even ever every everything few for from further get gets getting give given go going good got had has have
having he her here hers herself him himself his how however i if important in including instead into is it
its itself just keep kind know known less let like likely lot lots made make makes making many may maybe me
might more most much must my myself need needs never new no nor not now of off often on once one only or other
others otherwise our ours out over own part people person per perhaps please possible quite rather really
same see seem should show since so some someone something sometimes still such sure take tell than that the
their theirs them themselves then there these they thing things think this those though through thus to too
toward under until up upon us use used uses using usually various very want was way ways we well were what
whatever when where whether which while who whom whose why will with within without would yes yet you your
yours yourself also called known typically generally commonly mostly mainly certain specific different
type types called include includes included several number day days time times year years
""".split())  # noqa: SIM905 - a word list reads best as text


def stem(word: str) -> str:
    """Light stemming: plural and verb endings off, so 'infections'/'infection', 'caused'/'causes' meet."""
    word = word.lower().replace("'s", "")
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("edly", ""), ("ed", ""), ("ly", ""),
                                ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith(("ss", "us", "is")):
            word = word[: -len(suffix)] + replacement
            break
    return word[:-1] if word.endswith("e") and len(word) > 4 else word


def content_stems(text: str) -> list[str]:
    """Stems of the claim-bearing words of `text`, in order."""
    text = _CITATION.sub(" ", text.lower())
    return [stem(w) for w in _WORD.findall(text) if w not in STOPWORDS and len(w) > 1]


def _matches(word: str, support: set[str]) -> bool:
    """Supported as written, or by a longer shared root ('diabetic'/'diabetes', 'infectious'/'infection')."""
    if word in support:
        return True
    return len(word) >= 7 and any(len(s) >= 7 and s[:6] == word[:6] for s in support)


@lru_cache(maxsize=2)
def load_vocabulary(path: Path = VOCABULARY_PATH) -> dict[str, float]:
    """Stem -> share of knowledge-base passages that use it (written by scripts/build_knowledge.py)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def sentence_support(sentence: str, support: set[str], vocabulary: dict[str, float]) -> tuple[float, list[str]]:
    """(share of supported content words, the unsupported words that are invented or specific)."""
    words = content_stems(sentence)
    if not words:
        return 0.0, []
    unsupported = [w for w in words if not _matches(w, support)]
    blocking = [w for w in unsupported if vocabulary.get(w, 0.0) < COMMON_SHARE]
    return 1 - len(unsupported) / len(words), blocking


def is_grounded(sentence: str, support_text: str, support: set[str], vocabulary: dict[str, float],
                min_support: float = MIN_SUPPORT) -> bool:
    """One sentence against precomputed support (see module docstring for the rule)."""
    if len(content_stems(sentence)) < MIN_CONTENT_WORDS or unsupported_numbers(sentence, support_text):
        return False
    share, blocking = sentence_support(sentence, support, vocabulary)
    return not blocking and share >= min_support


def grounded_sentences(text: str, passages: Iterable[str], question: str = "",
                       vocabulary: dict[str, float] | None = None,
                       min_support: float = MIN_SUPPORT) -> tuple[str, list[str]]:
    """(`text` keeping only its grounded sentences, the dropped sentences)."""
    support_text = "\n".join([question, *passages])
    support = set(content_stems(support_text))
    vocabulary = load_vocabulary() if vocabulary is None else vocabulary
    kept, dropped = [], []
    for sentence in split_sentences(text):
        if not sentence.strip():
            continue
        if is_grounded(sentence, support_text, support, vocabulary, min_support):
            kept.append(sentence.strip())
        else:
            dropped.append(sentence.strip())
    return " ".join(kept), dropped
