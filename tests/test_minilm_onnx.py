"""The embedded MiniLM on ONNX Runtime gives the sentence-transformers vectors, padded batches included."""
import numpy as np
from sentence_transformers import SentenceTransformer

from models.embedder import EMBEDDED, embedded_model_folder, load_embedder
from models.minilm_onnx import OnnxMiniLM


def test_onnx_minilm_matches_sentence_transformers(tmp_path):
    texts = ["What was my lowest potassium level?", "x", "Her potassium fell to 3.2 mmol/L.",
             "J'ai une douleur qui serre dans la poitrine et qui descend dans le bras gauche",
             "MEDICATIONS: torsemide 20 MG Oral Tablet | Dose: 20 MG " * 30]  # the long one is truncated
    embedder = load_embedder(EMBEDDED, cache_dir=tmp_path)
    assert isinstance(embedder, OnnxMiniLM) and list(tmp_path.glob("minilm-*.onnx"))
    ours = embedder.encode(texts)  # one padded batch of five lengths
    reference = SentenceTransformer(str(embedded_model_folder()), device="cpu").encode(texts, normalize_embeddings=True)
    assert ours.shape == (5, 384) and ours.dtype == np.float32
    assert float((ours * reference).sum(1).min()) > 0.9999
    assert np.allclose(ours[1], embedder.encode(["x"])[0], atol=1e-5)  # padding does not change a short text
    again = load_embedder(EMBEDDED, cache_dir=tmp_path)  # the cached graph is reused
    assert np.allclose(again.encode(texts[:1]), ours[:1], atol=1e-6)
