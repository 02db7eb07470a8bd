"""`python app.py ask --doc FILE [--doc FILE ...] --question Q [--json]`: one question over some records.

A cold start matters here (one process per question): the embedder is MiniLM on ONNX Runtime when its graph is
in the model cache (exported by setup or the app's first load), else the NumPy MiniLM (`rag.numpy_embedder`);
both give the sentence-transformers vectors without importing torch. No language model is loaded (HealyChat answers
are quoted from the records).
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def ask_command(args) -> int:
    from models.embedder import cached_onnx_embedder, embedded_model_folder
    from rag.documents import RecordError
    from rag.numpy_embedder import NumpyMiniLM
    from rag.service import RagService
    from settings import get_settings
    from storage.sessions import SessionStore

    question = (args.question or "").strip()
    if not question:
        print("error: the question is empty", file=sys.stderr)
        return 2
    settings = get_settings()
    if settings.embedder == "embedded":
        # ONNX Runtime once the app (or setup) has exported the graph: 3x faster than NumPy, no torch import.
        embedder = cached_onnx_embedder(settings.cache_path) or NumpyMiniLM(embedded_model_folder())
        service = RagService(settings, embedder=lambda _settings: embedder)
    else:  # another sentence-transformers model: the registry loads it
        service = RagService(settings)
    with tempfile.TemporaryDirectory(prefix="healify-ask-") as tmp:
        store = SessionStore(Path(tmp))
        session = store.get("cli")
        try:
            for doc in args.doc:
                service.add_file(session, doc)
            answer = service.answer(session, question)
        except RecordError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        except (OSError, RuntimeError) as error:  # ModelUnavailable is a RuntimeError; a missing model file an OSError
            print(f"error: {error}", file=sys.stderr)
            return 1
        finally:
            store.drop("cli")
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        print(answer.answer)
        for number, source in enumerate(answer.sources, start=1):
            snippet = " ".join(source.text.split())[:160]
            print(f"[{number}] {source.doc}, {source.location} (score {source.score:.2f}): {snippet}")
    return 0
