"""Semantic signal of the red-flag detector: MiniLM nearest neighbours in a bank of labelled phrases.

The bank is data/redflags/train.tsv: emergency descriptions per category and non-emergency health
messages (category "none"), English and French. A message (and each of its sentences) is embedded;
a category's score is the mean cosine similarity of its `TOP_K` nearest bank phrases. The best
emergency category fires when its score reaches `min_score` and beats the non-emergency score by
`min_margin` (thresholds: safety/redflags.py, chosen on data/redflags/tune.tsv).

The bank's embeddings are computed once and cached as an .npz in the cache directory, keyed by a hash
of the phrases and the model: 2-3 MB that would go stale if committed beside editable phrase files.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from safety.french_gloss import english_gloss

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "redflags"
TUNING_SETS = ("tune", "tune2", "tune3", "tune4")   # thresholds, phrases and patterns were chosen on these
HELD_OUT_SETS = ("heldout", "heldout5", "heldout6", "heldout7")   # reported only, never tuned on
SETS = ("train", *TUNING_SETS, *HELD_OUT_SETS)
NO_EMERGENCY = "none"
TOP_K = 3  # neighbours averaged per category; 1-5 compared on the tuning set (see safety/redflags.py)


@dataclass(frozen=True)
class LabelledMessage:
    category: str  # an emergency category, or NO_EMERGENCY
    lang: str      # "en" | "fr"
    text: str


@dataclass(frozen=True)
class SemanticMatch:
    category: str         # best emergency category
    score: float          # its mean top-k cosine similarity
    margin: float         # score minus the non-emergency score
    segment: str          # the part of the message that scored best


def load_set(name: str, data_dir: Path = DATA_DIR) -> list[LabelledMessage]:
    """Messages of data/redflags/<name>.tsv (`category<TAB>lang<TAB>text`; '#' lines are comments)."""
    messages = []
    for number, line in enumerate((data_dir / f"{name}.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or parts[1] not in ("en", "fr") or not parts[2].strip():
            raise ValueError(f"{name}.tsv line {number}: expected category<TAB>en|fr<TAB>text")
        messages.append(LabelledMessage(parts[0].strip(), parts[1], parts[2].strip()))
    return messages


def default_cache_dir() -> Path:
    """$HEALIFY_CACHE_DIR, else a folder in the system temp directory."""
    return Path(os.environ.get("HEALIFY_CACHE_DIR") or Path(tempfile.gettempdir()) / "healify-cache")


def segments(text: str) -> list[str]:
    """The whole message, plus its sentences/clauses when it has several (an emergency can hide in one)."""
    text = " ".join((text or "").split())
    parts = [p.strip() for p in re.split(r"(?<=[.!?;])\s+|\s+(?:but|mais)\s+", text) if len(p.strip()) > 3]
    return [text] + (parts if len(parts) > 1 else [])


class SemanticScorer:
    """Nearest-neighbour scores of a message against the labelled bank."""

    def __init__(self, embedder, bank: list[LabelledMessage], vectors: np.ndarray):
        self.embedder = embedder
        self.categories = sorted({m.category for m in bank} - {NO_EMERGENCY})
        labels = np.array([m.category for m in bank])
        self._rows = {c: np.flatnonzero(labels == c) for c in [*self.categories, NO_EMERGENCY]}
        self.vectors = vectors

    def _category_scores(self, similarities: np.ndarray) -> dict[str, float]:
        scores = {}
        for category, rows in self._rows.items():
            values = similarities[rows]
            k = min(TOP_K, len(values))
            scores[category] = float(np.partition(values, -k)[-k:].mean())
        return scores

    def best(self, text: str, gloss: str | None = None, whole_only: bool = False) -> SemanticMatch:
        """The emergency category closest to any segment of `text` (or to its English `gloss`), with its margin
        over non-emergencies; `whole_only` embeds the whole message alone."""
        parts = segments(text)[:1] if whole_only else segments(text)
        parts += [" ".join(gloss.split())] if gloss else []  # the whole gloss only: speed
        similarities = self.embedder.encode(parts) @ self.vectors.T
        best: SemanticMatch | None = None
        for part, row in zip(parts, similarities):
            scores = self._category_scores(row)
            negative = scores.pop(NO_EMERGENCY)
            category = max(scores, key=scores.get)
            match = SemanticMatch(category, scores[category], scores[category] - negative, part)
            if best is None or match.margin > best.margin:
                best = match
        return best


def with_glosses(bank: list[LabelledMessage]) -> list[LabelledMessage]:
    """The bank plus the English gloss of each French phrase, so that a glossed message meets glossed phrases of
    both kinds (emergency and not) and the gloss does not favour one side."""
    return bank + [LabelledMessage(m.category, "fr", english_gloss(m.text)) for m in bank if m.lang == "fr"]


def bank_vectors(embedder, bank: list[LabelledMessage], cache_dir: Path) -> np.ndarray:
    """Embeddings of the bank phrases, from the .npz cache when phrases and model are unchanged."""
    digest = hashlib.sha256("\n".join([embedder.source, *(m.text for m in bank)]).encode()).hexdigest()[:16]
    path = Path(cache_dir) / f"redflags-bank-{digest}.npz"
    if path.exists():
        return np.load(path)["vectors"]
    vectors = embedder.encode([m.text for m in bank])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp.npz")
    np.savez(temporary, vectors=vectors)
    temporary.replace(path)
    return vectors


@lru_cache(maxsize=2)
def semantic_scorer(cache_dir: str | None = None) -> SemanticScorer:
    """The scorer over data/redflags/train.tsv with the embedded MiniLM (loaded once, lazily)."""
    from models.embedder import EMBEDDED, load_embedder

    embedder = load_embedder(EMBEDDED)
    bank = with_glosses(load_set("train"))
    return SemanticScorer(embedder, bank, bank_vectors(embedder, bank, Path(cache_dir or default_cache_dir())))
