"""Typos in a question ("potasium", "febuary", "hgih"): a word that neither the session's records, the health
knowledge base, everyday English (both in data/rag/words.txt.gz, `scripts/build_rag_words.py`), the lay -> clinical
lexicon nor the month names use is replaced by a known word one edit away (a letter added, dropped or changed, or
two neighbours swapped): the records' own word first, else the most common one."""
from __future__ import annotations

import gzip
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.index import MONTHS, STOPWORDS, WORD
from rag.lexicon import LEXICON

WORDS = Path(__file__).resolve().parent.parent / "data" / "rag" / "words.txt.gz"
MIN_LENGTH = 4  # shorter words are too close to too many others ("wat": what, was, war, ...)
_WORD = re.compile(r"[A-Za-z]+")


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def one_edit(a: str, b: str) -> bool:
    """Whether `b` is `a` with one letter added, dropped or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long)) if x != y), len(short))
    return short[i:] == long[i + 1:]


@dataclass(frozen=True)
class Speller:
    rank: dict[str, int]               # known word -> how many passages use it (higher is preferred)
    by_delete: dict[str, frozenset[str]]  # a word, or a word with one letter dropped -> the known words

    @classmethod
    def of(cls, rank: dict[str, int]) -> Speller:
        by_delete: dict[str, set[str]] = {}
        for word in rank:
            for key in (word, *_deletes(word)):
                by_delete.setdefault(key, set()).add(word)
        return cls(rank, {key: frozenset(words) for key, words in by_delete.items()})

    def suggestions(self, word: str) -> list[str]:
        """Known words one edit from `word`, most used first."""
        found = {w for key in (word, *_deletes(word)) for w in self.by_delete.get(key, ()) if one_edit(word, w)}
        return sorted(found, key=lambda w: (-self.rank[w], w))


@lru_cache(maxsize=1)
def knowledge_speller(path: Path = WORDS) -> Speller:
    """The known words with their scores, the lexicon's and the months added (cached)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rank = {word: int(n) for word, n in (line.split("\t") for line in handle)}
    for word in set(WORD.findall(LEXICON.read_text(encoding="utf-8").lower())) | set(MONTHS):
        rank[word] = max(rank.get(word, 0), 1)
    return Speller.of(rank)


@lru_cache(maxsize=16)
def records_speller(words: frozenset[str]) -> Speller:
    """The words of one session's records (cached while they stay the same)."""
    return Speller.of(dict.fromkeys(words, 1))


def _forms(word: str) -> tuple[str, ...]:
    """The word and the word without a plural or possessive ending ("bloods", "lachlans")."""
    return (word, word[:-1], word[:-2]) if word.endswith("es") else (word, word[:-1]) if word.endswith("s") else (word,)


def corrected(question: str, record_words: Iterable[str]) -> str:
    """The question with each unknown word of MIN_LENGTH+ letters replaced by its likeliest known neighbour."""
    records = records_speller(frozenset(record_words))
    knowledge = knowledge_speller()

    def fix(match: re.Match) -> str:
        word = match.group().lower()
        if len(word) < MIN_LENGTH or word in STOPWORDS or any(
                form in records.rank or form in knowledge.rank for form in _forms(word)):
            return match.group()
        best = next(iter(records.suggestions(word) or knowledge.suggestions(word)), None)
        return best or match.group()

    return _WORD.sub(fix, question)
