"""The committed knowledge artefact: passages (gzipped JSONL) and their MiniLM embeddings (int8 + per-row scale).

`data/knowledge/` holds it, so the app works where ../shared/data/health_kb is absent (a Hugging Face
Space). The dense matrix and BM25 are rebuilt from it at load, which takes well under the 2 s budget
(`scripts/benchmark_knowledge.py`).
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from knowledge.corpus import Passage

PASSAGES_FILE = "passages.jsonl.gz"
EMBEDDINGS_FILE = "embeddings.int8.npy"
SCALES_FILE = "scales.float32.npy"
META_FILE = "meta.json"
VOCABULARY_FILE = "vocabulary.json.gz"


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors as int8 codes with one float32 scale per row (cosine error below 0.001)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scales = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    codes = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return codes, scales.astype(np.float32)


def dequantize(codes: np.ndarray, scales: np.ndarray) -> np.ndarray:
    """float32 unit vectors back from int8 codes (renormalised, so inner product stays cosine)."""
    vectors = codes.astype(np.float32) * scales[:, None]
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.ascontiguousarray(vectors)


def save(folder: Path, passages: list[Passage], vectors: np.ndarray, meta: dict) -> None:
    """Write the artefact; passage i has embedding row i."""
    if len(passages) != len(vectors):
        raise ValueError("one embedding per passage")
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / PASSAGES_FILE, "wt", encoding="utf-8", compresslevel=9) as out:
        for passage in passages:
            out.write(json.dumps(passage.to_dict(), ensure_ascii=False) + "\n")
    codes, scales = quantize(vectors)
    np.save(folder / EMBEDDINGS_FILE, codes)
    np.save(folder / SCALES_FILE, scales)
    (folder / META_FILE).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


def load(folder: Path) -> tuple[list[Passage], np.ndarray, dict]:
    """Passages, float32 unit embeddings and the build metadata."""
    with gzip.open(folder / PASSAGES_FILE, "rt", encoding="utf-8") as lines:
        passages = [Passage(**json.loads(line)) for line in lines]
    vectors = dequantize(np.load(folder / EMBEDDINGS_FILE), np.load(folder / SCALES_FILE))
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    if len(passages) != len(vectors):
        raise ValueError(f"{folder}: {len(passages)} passages but {len(vectors)} embeddings")
    return passages, vectors, meta


def vocabulary(passages: list[Passage]) -> dict[str, float]:
    """Stem -> share of passages using it (rounded), for the grounding guard's 'unknown'/'specific' words."""
    from safety.grounding import _WORD, stem

    counts: dict[str, int] = {}
    for passage in passages:
        for word in {stem(w) for w in _WORD.findall(passage.search_text.lower())}:
            counts[word] = counts.get(word, 0) + 1
    return {word: round(count / len(passages), 5) for word, count in sorted(counts.items())}


def save_vocabulary(folder: Path, passages: list[Passage]) -> None:
    with gzip.open(folder / VOCABULARY_FILE, "wt", encoding="utf-8", compresslevel=9) as out:
        json.dump(vocabulary(passages), out, separators=(",", ":"))


def load_vocabulary(folder: Path) -> dict[str, float]:
    with gzip.open(folder / VOCABULARY_FILE, "rt", encoding="utf-8") as handle:
        return json.load(handle)
