"""Fit HealyChat's learned re-ranker (`rag.ranker`) on record sets written outside the project.

Every tuning set is uploaded through the real service; for each answerable question its top hits
(`RagService.candidate_hits`) are described by `rag.ranker.hit_features`, and a hit is a positive when it holds
one of the question's expect strings (the project's own set, tests/data/rag/questions.json, joins them). A logistic regression is fitted on all of them. Leave-one-folder-out
cross-validation prints, per folder, how many questions have a positive among the first 3 hits in retrieval
order and in the ranker's order, for each regularisation strength tried; the best is fitted on everything and
written to data/rag/ranker.json with those figures.

The sets kept for reporting are never read here: real_records_dev set C and tests/data/rag/real_records_heldout
r2, r3 and r4 (`scripts/eval_rag.py` scores them).

    .venv/bin/python training/fit_rag_ranker.py [--dev ../shared/data/real_records_dev]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.answerability import candidates  # noqa: E402
from rag.ranker import FEATURES, RANKER, Ranker, hit_features  # noqa: E402
from rag.spelling import corrected  # noqa: E402

TUNING = [ROOT / "tests" / "data" / "rag" / "writer_records" / f"w{n}" for n in range(1, 14)] + [
    ROOT / "tests" / "data" / "rag" / "real_records_heldout" / name for name in ("r1", "r5", "r6")]
REPORT_SETS = {"real_records_dev": {"C"}}  # record sets of a tuning folder that are kept for reporting
STRENGTHS = (0.03, 0.1, 0.3, 1.0, 3.0)     # inverse regularisation strengths tried (sklearn's C)


def collect(folders: list[Path]) -> list[dict]:
    """Per answerable question: its folder, the hits' features and which hits hold an expect string."""
    from rag.service import RagService
    from settings import get_settings
    from storage.sessions import SessionStore

    questions = []
    service = RagService(get_settings())
    with tempfile.TemporaryDirectory(prefix="healify-fit-ranker-") as tmp:
        store = SessionStore(Path(tmp) / "sessions")
        for folder in folders:
            data = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
            for name, docs in sorted(data["sets"].items()):
                if name in REPORT_SETS.get(folder.name, ()):
                    continue
                session = store.get(f"fit-{folder.name}-{name}")
                for doc in docs:
                    service.add_file(session, folder / doc)
                index = service.records(session).index
                for item in data["questions"]:
                    if item["set"] != name or not item["expect"]:
                        continue
                    question = corrected(item["q"], index.words())  # as `RagService.decide` reads it
                    hits = service.candidate_hits(session, question)
                    found, *_ = candidates(question, hits, index)
                    expect = [e.lower() for e in item["expect"]]
                    questions.append({"folder": folder.name, "features": hit_features(hits, found),
                                      "labels": np.array([any(e in h.chunk.text.lower() for e in expect)
                                                          for h in hits])})
                store.drop(f"fit-{folder.name}-{name}")
        questions += _own_set(service, store, Path(tmp))
    return questions


def _own_set(service, store, tmp: Path) -> list[dict]:
    """The project's own question set (tests/data/rag, rendered to PDFs beside the sample reports, as
    `scripts/eval_rag.py` scores it): a hit is a positive when it is the expected document's page and holds
    the expect string."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from eval_rag import QUESTIONS, build_session

    session = build_session(service, store, tmp)
    index = service.records(session).index
    questions = []
    for item in json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]:
        if item["doc"] is None:
            continue
        hits = service.candidate_hits(session, item["question"])
        found, *_ = candidates(item["question"], hits, index)
        questions.append({"folder": "own", "features": hit_features(hits, found), "labels": np.array([
            Path(h.chunk.doc_name).stem == item["doc"] and h.chunk.page == item["page"]
            and item["expect"].lower() in h.chunk.text.lower() for h in hits])})
    store.drop("eval")
    return questions


def fit(questions: list[dict], strength: float) -> Ranker:
    from sklearn.linear_model import LogisticRegression

    usable = [q for q in questions if q["labels"].any()]
    features = np.vstack([q["features"] for q in usable])
    labels = np.concatenate([q["labels"] for q in usable])
    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-9
    model = LogisticRegression(C=strength, max_iter=5000).fit((features - mean) / scale, labels)
    return Ranker(mean, scale, model.coef_[0], float(model.intercept_[0]))


def top3_hits(questions: list[dict], ranker: Ranker | None) -> int:
    """Questions with a positive among the first 3 hits (retrieval order when `ranker` is None)."""
    hits = 0
    for q in questions:
        first = (np.argsort(-ranker.scores(q["features"]), kind="stable")[:3] if ranker is not None
                 else np.arange(min(3, len(q["labels"]))))
        hits += bool(q["labels"][first].any())
    return hits


def cross_validate(questions: list[dict]) -> dict:
    """Leave one folder out: {C: {folder: [retrieval top-3, ranker top-3, questions]}}."""
    folders = sorted({q["folder"] for q in questions})
    table: dict = {}
    for strength in STRENGTHS:
        table[strength] = {}
        for folder in folders:
            held = [q for q in questions if q["folder"] == folder]
            ranker = fit([q for q in questions if q["folder"] != folder], strength)
            table[strength][folder] = [top3_hits(held, None), top3_hits(held, ranker), len(held)]
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "data" / "real_records_dev",
                        help="real_records_dev (its sets A, B, D join the tuning data; set C is kept for reporting)")
    args = parser.parse_args(argv)
    folders = TUNING + ([args.dev] if (args.dev / "questions.json").exists() else [])
    questions = collect(folders)
    table = cross_validate(questions)
    totals = {c: [sum(v[i] for v in rows.values()) for i in range(3)] for c, rows in table.items()}
    for strength, (retrieval, ranked, n) in totals.items():
        print(f"C={strength}: recall@3 retrieval order {retrieval / n:.3f}, ranker {ranked / n:.3f} ({n} questions)")
    best = max(STRENGTHS, key=lambda c: (totals[c][1], -abs(np.log(c))))
    ranker = fit(questions, best)
    retrieval, ranked, n = totals[best]
    RANKER.parent.mkdir(parents=True, exist_ok=True)
    RANKER.write_text(json.dumps({
        **ranker.to_dict(), "C": best,
        "tuning": sorted({q["folder"] for q in questions}), "questions": n,
        "cross_validation": {"per_folder": {f: dict(zip(("retrieval", "ranker", "n"), v))
                                            for f, v in table[best].items()},
                             "recall_at_3_retrieval_order": round(retrieval / n, 3),
                             "recall_at_3_ranker": round(ranked / n, 3)},
        "command": "training/fit_rag_ranker.py"}, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RANKER.relative_to(ROOT)} (C={best}); weights: "
          + ", ".join(f"{name} {w:+.2f}" for name, w in zip(FEATURES, ranker.weights)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
