"""A learned re-ranker for HealyChat's retrieved passages: which of the top hits holds the answer.

Hybrid retrieval (`rag.index`) finds the right passage among its top 20 for nearly every answerable question
written outside the project, but among its top 3 for only about three in four. Each of the top hits is described
by a few signals (dense and BM25 scores and ranks, how much of the question its best sentence covers after
lay -> clinical mapping, whether that sentence holds the kind of thing asked) and scored by a logistic
regression fitted on record sets written outside the project (`training/fit_rag_ranker.py`, which writes
`data/rag/ranker.json` with the figures that chose it).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.answerability import Candidate, strength
from rag.index import Hit

RANKER = Path(__file__).resolve().parent.parent / "data" / "rag" / "ranker.json"
RANK_DEPTH = 20  # hits the ranker reads: the right passage is among the top 20 for 0.99 of the tuning questions
FEATURES = ("dense", "dense_share", "dense_rank", "bm25_share", "bm25_rank", "keyword", "coverage",
            "typed_coverage", "typed", "bonus", "strength", "row", "lab", "fused_rank", "length")


def hit_features(hits: list[Hit], found: list[Candidate]) -> np.ndarray:
    """One row of FEATURES per hit; `found` are the scored sentences of `hits` (`answerability.candidates`)."""
    best: dict[int, dict[str, float]] = {}
    for candidate in found:
        row = best.setdefault(candidate.hit_rank, dict.fromkeys(("coverage", "typed_coverage", "typed", "bonus",
                                                                 "strength"), 0.0))
        row["coverage"] = max(row["coverage"], candidate.coverage)
        row["strength"] = max(row["strength"], strength(candidate))
        row["bonus"] = max(row["bonus"], candidate.bonus)
        if candidate.typed:
            row["typed"] = 1.0
            row["typed_coverage"] = max(row["typed_coverage"], candidate.coverage)
    top_dense = max((h.dense for h in hits), default=0.0) or 1.0
    top_bm25 = max((h.bm25 for h in hits), default=0.0) or 1.0
    rows = []
    for rank, hit in enumerate(hits):
        sentence = best.get(rank, {})
        rows.append([hit.dense, hit.dense / top_dense, math.log1p(hit.dense_rank), hit.bm25 / top_bm25,
                     math.log1p(min(hit.bm25_rank, 200)), hit.keyword, sentence.get("coverage", 0.0),
                     sentence.get("typed_coverage", 0.0), sentence.get("typed", 0.0), sentence.get("bonus", 0.0),
                     sentence.get("strength", 0.0), float(hit.chunk.kind == "row"), float(hit.chunk.kind == "lab"),
                     math.log1p(rank), math.log(max(len(hit.chunk.text), 20))])
    return np.asarray(rows, dtype=np.float64).reshape(len(hits), len(FEATURES))


@dataclass(frozen=True)
class Ranker:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def scores(self, features: np.ndarray) -> np.ndarray:
        """The log-odds that each hit holds the answer."""
        return ((features - self.mean) / self.scale) @ self.weights + self.bias

    def order(self, hits: list[Hit], found: list[Candidate]) -> list[int]:
        """Indices of `hits`, best first (a tie keeps retrieval order)."""
        if not hits:
            return []
        scores = self.scores(hit_features(hits, found))
        return sorted(range(len(hits)), key=lambda i: (-scores[i], i))

    def to_dict(self) -> dict:
        return {"features": list(FEATURES), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "weights": self.weights.tolist(), "bias": self.bias}


@lru_cache(maxsize=1)
def load_ranker(path: Path = RANKER) -> Ranker:
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was fitted on other features; run training/fit_rag_ranker.py")
    return Ranker(np.asarray(data["mean"]), np.asarray(data["scale"]), np.asarray(data["weights"]),
                  float(data["bias"]))
