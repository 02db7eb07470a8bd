"""The NumPy MiniLM used by `app.py ask` gives the sentence-transformers vectors."""
import numpy as np

from models.embedder import embedded_model_folder, load_embedder
from rag.numpy_embedder import NumpyMiniLM


def test_numpy_minilm_matches_sentence_transformers():
    texts = ["What was my lowest potassium level?", "Her potassium fell to 3.2 mmol/L.",
             "MEDICATIONS: torsemide 20 MG Oral Tablet | Dose: 20 MG " * 30, "x"]  # the long one is truncated
    ours = NumpyMiniLM(embedded_model_folder()).encode(texts)
    reference = load_embedder("embedded").encode(texts)
    assert ours.shape == reference.shape == (4, 384) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float((ours * reference).sum(1).min()) > 0.9999
