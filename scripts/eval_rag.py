"""Evaluate HealyChat retrieval and abstention on tests/data/rag/questions.json.

Every record in tests/data/rag/records/ (pages separated by form feeds) is rendered to a PDF with
fpdf2 and ingested through the real upload path, together with the Healytics sample reports in
data/samples/ (as distractors). Prints recall@3 on answerable questions, abstention on unanswerable
ones and false abstention; `--sweep` also prints the rates for a range of abstention thresholds.

    .venv/bin/python scripts/eval_rag.py [--sweep] [--verbose]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUESTIONS = ROOT / "tests" / "data" / "rag" / "questions.json"
RECORDS = ROOT / "tests" / "data" / "rag" / "records"
SAMPLES = ROOT / "data" / "samples"


def text_to_pdf(text: str, target: Path) -> Path:
    """One PDF page per form-feed-separated page of `text`."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=15)
    for page in text.split("\f"):
        pdf.add_page()
        pdf.set_font("Helvetica", size=10)
        for line in page.splitlines() or [""]:
            pdf.multi_cell(0, 5, line.encode("latin-1", "replace").decode("latin-1") or " ",
                           new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(target))
    return target


def build_session(service, store, workdir: Path):
    session = store.get("eval")
    for record in sorted(RECORDS.glob("*.txt")):
        pdf = text_to_pdf(record.read_text(encoding="utf-8"), workdir / f"{record.stem}.pdf")
        print(service.add_file(session, pdf))
    for sample in sorted(SAMPLES.glob("*")) if SAMPLES.exists() else []:
        if sample.suffix.lower() in (".pdf", ".txt"):
            try:
                print(service.add_file(session, sample))
            except ValueError as error:
                print(f"skipped {sample.name}: {error}")
    return session


def matches(hit, question) -> bool:
    chunk = hit.chunk
    return (Path(chunk.doc_name).stem == question["doc"] and chunk.page == question["page"]
            and question["expect"].lower() in chunk.text.lower())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="print rates for a range of thresholds")
    parser.add_argument("--verbose", action="store_true", help="print every question's outcome")
    args = parser.parse_args(argv)

    from rag import service as rag_service
    from rag.service import EVIDENCE_DEPTH, RagService
    from settings import get_settings
    from storage.sessions import SessionStore

    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    with tempfile.TemporaryDirectory(prefix="healify-eval-rag-") as tmp:
        tmp = Path(tmp)
        service = RagService(get_settings())
        store = SessionStore(tmp / "sessions")
        session = build_session(service, store, tmp)
        rows, latencies = [], []
        for question in questions:
            started = time.perf_counter()
            hits = service.retrieve(session, question["question"])
            latencies.append(time.perf_counter() - started)
            evidence = max((h.evidence for h in hits[:EVIDENCE_DEPTH]), default=0.0)
            found = question["doc"] is not None and any(matches(h, question) for h in hits[:3])
            rows.append((question, evidence, found, service.should_abstain(hits)))
            if args.verbose:
                kind = "A" if question["doc"] else "U"
                print(f"{kind} found={found!s:5} evidence={evidence:.3f} {question['question']}")
        store.drop("eval")

    answerable = [r for r in rows if r[0]["doc"] is not None]
    unanswerable = [r for r in rows if r[0]["doc"] is None]
    recall = sum(r[2] for r in answerable) / len(answerable)
    abstention = sum(r[3] for r in unanswerable) / len(unanswerable)
    false_abstention = sum(r[3] for r in answerable) / len(answerable)
    latencies.sort()
    print(json.dumps({
        "questions": len(rows), "answerable": len(answerable), "unanswerable": len(unanswerable),
        "recall_at_3": round(recall, 3), "abstention_unanswerable": round(abstention, 3),
        "false_abstention": round(false_abstention, 3), "threshold": rag_service.ABSTAIN_BELOW,
        "retrieval_ms_median": round(1000 * latencies[len(latencies) // 2], 1),
    }, indent=1))
    if args.sweep:
        print("threshold  abstention  false_abstention")
        for step in range(20, 61, 2):
            threshold = step / 100
            abst = sum(r[1] < threshold for r in unanswerable) / len(unanswerable)
            false = sum(r[1] < threshold for r in answerable) / len(answerable)
            print(f"{threshold:9.2f}  {abst:10.3f}  {false:16.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
