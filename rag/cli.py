"""`python app.py ask --doc FILE [--doc FILE ...] --question Q [--json]`: one question over some records."""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def ask_command(args) -> int:
    from models.registry import ModelUnavailable
    from rag.documents import RecordError
    from rag.service import RagService
    from settings import get_settings
    from storage.sessions import SessionStore

    question = (args.question or "").strip()
    if not question:
        print("error: the question is empty", file=sys.stderr)
        return 2
    settings = get_settings()
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
        except ModelUnavailable as error:
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
            print(f"[{number}] {source.doc}, page {source.page} (score {source.score:.2f}): {snippet}")
    return 0
