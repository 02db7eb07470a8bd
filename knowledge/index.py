"""The loaded knowledge base: passages, dense (exact inner product) and BM25 (keyword) indexes, topic names and vocabulary."""
from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from knowledge import store
from knowledge.corpus import Passage
from knowledge.terms import fold
from knowledge.text import RRF_K, content_tokens, tokenize
from safety.grounding import stem

# A question naming a topic (its title or an "also called" name) ranks that topic's passages as if they were
# first in one more ranking. Question-type words ("symptoms", "treat") favour passages answering that type.
TITLE_BONUS = 1.0 / RRF_K
QTYPE_BONUS = 0.5 / RRF_K
# MedlinePlus topic summaries are written for the public and come first (health_kb README).
MEDLINEPLUS_BONUS = 0.5 / RRF_K
CANDIDATES = 40          # passages fused from each ranking
FUZZY_CUTOFF = 0.8       # difflib ratio for a typo ('diabetis' -> 'diabetes' is 0.875)
LENGTH_PENALTY = 0.03
# Words of 5 letters or fewer only become words used 20 times or more: 'astma' -> 'asthma' (154 uses, 0.88),
# 'eczma' -> 'eczema' (20), but not 'covid' -> 'cvid' (5 uses).
SHORT_FUZZY_CUTOFF = 0.85
SHORT_MIN_COUNT = 20
_QTYPES = {
    "symptoms": ("symptom", "sign", "feel", "notice"), "treatment": ("treat", "cure", "therap", "medicin", "manag"),
    "causes": ("cause", "why", "reason", "trigger"), "prevention": ("prevent", "avoid", "stop", "protect"),
    "exams and tests": ("test", "diagnos", "check", "screen", "exam"),
    "susceptibility": ("risk", "who", "get", "catch", "contagious", "spread"),
    "outlook": ("outlook", "prognos", "life", "surviv", "recover"), "frequency": ("common", "many", "often"),
}
_PHRASE_WORDS = re.compile(r"[a-z0-9]+")


@dataclass
class Hit:
    index: int
    passage: Passage
    fused: float       # reciprocal-rank-fusion score with bonuses (orders the hits)
    dense: float       # cosine similarity of query and passage
    coverage: float    # IDF-weighted share of the query's topic words found in the passage

    @property
    def evidence(self) -> float:
        """How well the passage matches the question, 0..1 (used for abstention)."""
        return 0.5 * max(self.dense, 0.0) + 0.5 * self.coverage


def question_types(text: str) -> set[str]:
    """MedQuAD question types the question asks about ('what are the symptoms' -> {'symptoms'})."""
    lowered = text.lower()
    return {qtype for qtype, cues in _QTYPES.items() if any(cue in lowered for cue in cues)}


def _phrase(text: str) -> str:
    return " ".join(_PHRASE_WORDS.findall(fold(text)))


class KnowledgeBase:
    """Passages with their unit embeddings; indexes are built in memory at load."""

    def __init__(self, passages: list[Passage], vectors: np.ndarray, meta: dict, vocabulary: dict[str, float]):
        from rank_bm25 import BM25Okapi

        self.passages = passages
        self.vectors = vectors
        self.meta = meta
        self.vocabulary = vocabulary
        # Dense search is one matrix-vector product (about 2 ms for ~10k x 384): FAISS's OpenMP search spun
        # forever in request threads beside torch (seen in the app and the test suite), and buys nothing here.
        self.dense = np.ascontiguousarray(vectors, dtype=np.float32)
        tokens = [tokenize(p.search_text) for p in passages]
        self.bm25 = BM25Okapi(tokens)
        self._token_sets = [set(t) for t in tokens]
        self._doc_freq: dict[str, int] = {}
        for token_set in self._token_sets:
            for token in token_set:
                self._doc_freq[token] = self._doc_freq.get(token, 0) + 1
        self.topic_passages: dict[str, list[int]] = {}
        self.names: dict[str, set[str]] = {}
        for i, passage in enumerate(passages):
            self.topic_passages.setdefault(passage.topic, []).append(i)
            for name in [passage.title, *passage.synonyms]:
                key = _phrase(name)
                if len(key) >= 3:
                    self.names.setdefault(key, set()).add(passage.topic)

    @classmethod
    def load(cls, folder: Path) -> KnowledgeBase:
        passages, vectors, meta = store.load(folder)
        return cls(passages, vectors, meta, store.load_vocabulary(folder))

    def __len__(self) -> int:
        return len(self.passages)

    def title(self, topic: str) -> str:
        return self.passages[self.topic_passages[topic][0]].title

    # ---- words -----------------------------------------------------------------------------
    def knows(self, word: str) -> bool:
        """The word is in a topic name, or (lightly stemmed) in at least two passages (one use is often a typo)."""
        return word in self._name_words or self.vocabulary.get(stem(word), 0.0) * len(self.passages) >= 1.5

    @cached_property
    def _name_words(self) -> frozenset[str]:
        return frozenset(word for name in self.names for word in name.split())

    @cached_property
    def _surface_words(self) -> dict[str, dict[str, int]]:
        """Words used at least 3 times in the passages with their counts, by first letter (for typo correction)."""
        counts: dict[str, int] = {}
        for passage in self.passages:
            for word in re.findall(r"[a-z]{4,}", passage.search_text.lower()):
                counts[word] = counts.get(word, 0) + 1
        buckets: dict[str, dict[str, int]] = {}
        for word, count in counts.items():
            if count >= 3:
                buckets.setdefault(word[0], {})[word] = count
        return buckets

    def correct(self, word: str) -> str | None:
        """The knowledge-base word a misspelt `word` most likely means (None: nothing close)."""
        word = word.lower()
        short = len(word) <= 5
        best, best_score, best_count = None, SHORT_FUZZY_CUTOFF if short else FUZZY_CUTOFF, 0
        for candidate, count in self._surface_words.get(word[:1], {}).items():
            if abs(len(candidate) - len(word)) > 2 or (short and count < SHORT_MIN_COUNT):
                continue
            matcher = difflib.SequenceMatcher(None, word, candidate)
            if matcher.quick_ratio() < best_score:
                continue
            # a length change costs a little: 'diabetis' means 'diabetes', not 'diabetesis'; 'grandma' is not 'grand'
            score = matcher.ratio() - LENGTH_PENALTY * abs(len(candidate) - len(word))
            if score > best_score or (score == best_score and count > best_count):  # ties: the commoner word
                best, best_score, best_count = candidate, score, count
        return best

    def named_topics(self, text: str) -> set[str]:
        """Topics whose title or 'also called' name appears in `text` as whole words; a name inside a longer
        one is left out ('cough' in 'whooping cough')."""
        words = _phrase(text).split()
        spans: list[tuple[int, int, set[str]]] = []
        for size in range(min(6, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                topics = self.names.get(" ".join(words[start:start + size]))
                inside = any(s <= start and start + size <= e for s, e, _ in spans)
                if topics and not inside:
                    spans.append((start, start + size, topics))
        return {topic for _, _, topics in spans for topic in topics}

    # ---- retrieval -------------------------------------------------------------------------
    def document_frequency(self, token: str) -> int:
        """Passages whose keyword tokens include `token`."""
        return self._doc_freq.get(token, 0)

    def topic_mentions(self, topic: str, token: str) -> bool:
        """Some passage of `topic` has the keyword token."""
        return any(token in self._token_sets[i] for i in self.topic_passages.get(topic, []))

    def _idf(self, token: str) -> float:
        return math.log(1 + (len(self.passages) + 1) / (self._doc_freq.get(token, 0) + 0.5))

    def coverage(self, index: int, topics: list[str]) -> float:
        """IDF-weighted share of the query's topic tokens found in passage `index`."""
        unique = set(topics)
        total = sum(self._idf(t) for t in unique)
        found = sum(self._idf(t) for t in unique if t in self._token_sets[index])
        return found / total if total else 0.0

    def search(self, query: str, vector: np.ndarray, k: int = 10, prefer: set[str] | None = None,
               qtypes: set[str] | None = None) -> list[Hit]:
        """Top `k` passages by reciprocal rank fusion of dense and BM25 rankings, plus bonuses for the topics
        in `prefer` (named in the question, or a follow-up's topic) and passages answering `qtypes`."""
        similarities = self.dense @ np.asarray(vector, dtype=np.float32).reshape(-1)
        nearest = np.argpartition(-similarities, min(CANDIDATES, len(similarities) - 1))[:CANDIDATES]
        ids = nearest[np.argsort(-similarities[nearest])]
        topics = content_tokens(query)
        fused: dict[int, float] = {}
        for rank, i in enumerate(int(i) for i in ids):
            fused[i] = 1.0 / (RRF_K + rank)
        if topics:
            scores = self.bm25.get_scores(topics)
            for rank, i in enumerate(np.argsort(-scores)[:CANDIDATES]):
                if scores[i] > 0:
                    fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (RRF_K + rank)
        for topic in prefer or set():
            for i in self.topic_passages.get(topic, []):
                fused[i] = fused.get(i, 0.0) + TITLE_BONUS
        for i in fused:
            if qtypes and self.passages[i].qtype in qtypes:
                fused[i] += QTYPE_BONUS
            if self.passages[i].topic.startswith("kb:4:"):
                fused[i] += MEDLINEPLUS_BONUS
        best = sorted(fused, key=fused.get, reverse=True)[:k]
        return [Hit(i, self.passages[i], fused[i], float(similarities[i]), self.coverage(i, topics))
                for i in best]
