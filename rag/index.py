"""One session's hybrid index: dense (FAISS inner product on normalised embeddings) + BM25, fused by RRF."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.chunking import Chunk

RRF_K = 60  # the usual reciprocal-rank-fusion constant
STEM = 5  # words are cut to their first letters: 'allergic'/'allergies', 'smoke'/'smoker' meet
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")
# Words that carry no topic: dropped from BM25 queries and from keyword coverage.
STOPWORDS = frozenset("""
a about according after again all also am an and any are as at be been before being both but by can could
did do does doing done during each else ever for from had has have having he her here hers him his how i if
in into is it its me mine my myself no nor not of off on once only or other our out over own please said say
says she should show so some such tell than that the their them then there these they this those through to
too under until up upon very was we were what when where which while who whom why will with would you your
yours level levels value values result results record records document documents report reports
mention mentioned listed written find found give given know much many number get got
""".split())
_STOP_STEMS = frozenset(t[:STEM] if t.isalpha() else t for t in STOPWORDS)


def tokenize(text: str) -> list[str]:
    """Lower-case number tokens and word stems (the first STEM letters of a word)."""
    return [t[:STEM] if t.isalpha() else t for t in _TOKEN.findall(text.lower())]


def content_tokens(text: str) -> list[str]:
    """The topic words of a question: stems that are not stopwords."""
    return [t for t in tokenize(text) if t not in _STOP_STEMS]


def expanded(tokens: list[str]) -> list[str]:
    """Topic words plus their everyday/record synonyms from `rag.lexicon`."""
    from rag.lexicon import related_terms

    out = list(tokens)
    for token in tokens:
        out += sorted(related_terms(token) - set(out))
    return out


def search_text(chunk: Chunk) -> str:
    """What gets embedded and keyword-indexed: the document's name gives each chunk its context."""
    title = Path(chunk.doc_name).stem.replace("_", " ").replace("-", " ")
    return f"{title}: {chunk.text}"


@dataclass
class Hit:
    chunk: Chunk
    rrf: float        # fused rank score (orders the hits)
    dense: float      # cosine similarity of question and chunk
    keyword: float    # IDF-weighted share of the question's topic words found in the chunk
    bm25: float

    @property
    def evidence(self) -> float:
        """How well this chunk supports an answer, 0..1 (used for abstention and shown as score)."""
        return 0.5 * max(self.dense, 0.0) + 0.5 * self.keyword


class HybridIndex:
    """Chunks plus their embeddings; rebuilt cheaply on every change (sessions hold few documents)."""

    def __init__(self, dim: int):
        self.dim = dim
        self.chunks: list[Chunk] = []
        self.embeddings = np.zeros((0, dim), dtype=np.float32)
        self._faiss = None
        self._bm25 = None
        self._doc_freq: dict[str, int] = {}
        self._chunk_tokens: list[set[str]] = []

    def __len__(self) -> int:
        return len(self.chunks)

    def add(self, chunks: list[Chunk], embeddings: np.ndarray) -> None:
        if len(chunks) != len(embeddings):
            raise ValueError("one embedding per chunk")
        self.chunks.extend(chunks)
        self.embeddings = np.vstack([self.embeddings, np.asarray(embeddings, dtype=np.float32).reshape(-1, self.dim)])
        self._rebuild()

    def remove_doc(self, doc_id: str) -> int:
        keep = [i for i, c in enumerate(self.chunks) if c.doc_id != doc_id]
        removed = len(self.chunks) - len(keep)
        self.chunks = [self.chunks[i] for i in keep]
        self.embeddings = self.embeddings[keep] if keep else np.zeros((0, self.dim), dtype=np.float32)
        self._rebuild()
        return removed

    def _rebuild(self) -> None:
        import faiss
        from rank_bm25 import BM25Okapi

        self._faiss = faiss.IndexFlatIP(self.dim)
        if len(self.embeddings):
            self._faiss.add(np.ascontiguousarray(self.embeddings))
        tokenized = [tokenize(search_text(c)) for c in self.chunks]
        self._bm25 = BM25Okapi(tokenized) if tokenized else None
        self._chunk_tokens = [set(t) for t in tokenized]
        self._doc_freq = {}
        for tokens in self._chunk_tokens:
            for token in tokens:
                self._doc_freq[token] = self._doc_freq.get(token, 0) + 1

    def _idf(self, token: str) -> float:
        return math.log(1 + (len(self.chunks) + 1) / (self._doc_freq.get(token, 0) + 0.5))

    def _mentions(self, i: int, token: str) -> bool:
        from rag.lexicon import related_terms

        words = self._chunk_tokens[i]
        return token in words or not related_terms(token).isdisjoint(words)

    def search(self, query: str, query_embedding: np.ndarray, k: int) -> list[Hit]:
        """The top `k` chunks by reciprocal rank fusion of dense and BM25 rankings."""
        if not self.chunks:
            return []
        n = len(self.chunks)
        vector = np.asarray(query_embedding, dtype=np.float32).reshape(1, self.dim)
        dense_scores, dense_ids = self._faiss.search(vector, n)
        dense = {int(i): float(s) for i, s in zip(dense_ids[0], dense_scores[0]) if i >= 0}
        topics = content_tokens(query)
        query_tokens = expanded(topics)
        bm25 = self._bm25.get_scores(query_tokens) if query_tokens else np.zeros(n)
        fused = {i: 1.0 / (RRF_K + rank) for rank, i in enumerate(int(i) for i in dense_ids[0] if i >= 0)}
        for rank, i in enumerate(i for i in np.argsort(-bm25) if bm25[i] > 0):
            fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (RRF_K + rank)
        total = sum(self._idf(t) for t in set(topics))
        best = sorted(fused, key=fused.get, reverse=True)[:k]
        hits = []
        for i in best:
            covered = sum(self._idf(t) for t in set(topics) if self._mentions(i, t))
            hits.append(Hit(self.chunks[i], fused[i], dense.get(i, 0.0), covered / total if total else 0.0, float(bm25[i])))
        return hits

    # Persistence (kept records of a logged-in user)
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "embeddings.npy", self.embeddings)
        (folder / "chunks.json").write_text(json.dumps([c.to_dict() for c in self.chunks]), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, dim: int) -> HybridIndex:
        index = cls(dim)
        chunks = [Chunk(**c) for c in json.loads((folder / "chunks.json").read_text(encoding="utf-8"))]
        embeddings = np.load(folder / "embeddings.npy")
        if chunks:
            index.add(chunks, embeddings)
        return index
