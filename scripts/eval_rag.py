"""Evaluate HealyChat retrieval and abstention on tests/data/rag/questions.json, or on real records.

Every record in tests/data/rag/records/ (pages separated by form feeds) is rendered to a PDF with
fpdf2 and ingested through the real upload path, together with the Healytics sample reports in
data/samples/ (as distractors). Prints recall@3 on answerable questions (the expected passage among the
first 3 sources of the answer), abstention on unanswerable ones and false abstention.

`--dev FOLDER` scores a real_records_dev-style folder (questions.json with record sets, docs/) in-process,
the way its score.py scores `app.py ask` (a hit: an expect string in the first 3 sources' text; an
unanswerable is right only when abstained), per set and for the tune / report split (`--report C`).

    .venv/bin/python scripts/eval_rag.py [--verbose]
    .venv/bin/python scripts/eval_rag.py --dev ../shared/data/real_records_dev [--report C] [--verbose]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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


def matches(source, question) -> bool:
    return (Path(source.doc).stem == question["doc"] and source.page == question["page"]
            and question["expect"].lower() in source.text.lower())


def rates(rows: list[dict]) -> dict:
    """recall@3, abstention and false abstention of scored rows (keys: answerable, hit, abstained)."""
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    def share(part, whole):
        return (round(sum(part) / len(whole), 3) if whole else None)
    return {"n": len(rows), "recall_at_3": share([r["hit"] for r in answerable], answerable),
            "abstention": share([r["abstained"] for r in unanswerable], unanswerable),
            "false_abstention": share([r["abstained"] for r in answerable], answerable)}


def ask(service, session, question: str) -> tuple[object, float]:
    started = time.perf_counter()
    answer = service.answer(session, question)
    return answer, time.perf_counter() - started


def decision_figures(service, session, question: str) -> str:
    """The values `rag.answerability` thresholds were fitted on."""
    decision, _ = service.decide(session, question)
    return (f"{decision.verdict} best={decision.score:.2f} topical={decision.topical:.2f} "
            f"missing={decision.missing:.2f} head_missing={decision.head_missing}")


def project_set(service, store, tmp: Path, verbose: bool) -> tuple[list[dict], list[float]]:
    questions = json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"]
    session = build_session(service, store, tmp)
    rows, latencies = [], []
    for question in questions:
        answer, seconds = ask(service, session, question["question"])
        latencies.append(seconds)
        hit = question["doc"] is not None and any(matches(s, question) for s in answer.sources[:3])
        rows.append({"answerable": question["doc"] is not None, "hit": hit, "abstained": answer.abstained})
        if verbose:
            print(f"{'A' if question['doc'] else 'U'} hit={hit!s:5} abstained={answer.abstained!s:5} "
                  f"{question['question']}\n    {decision_figures(service, session, question['question'])}"
                  f"\n    {answer.answer[:160]}")
    store.drop("eval")
    return rows, latencies


def dev_set(service, store, folder: Path, verbose: bool, only: set[str] | None = None,
            extra: Path | None = None, anonymous: bool = False) -> tuple[list[dict], list[float]]:
    data = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    if extra is not None:  # own questions on the same record sets (tests/data/rag/dev_extra_questions.json)
        data["questions"] = [q for q in data["questions"] if not only or q["set"] in only]
        data["questions"] += [dict(q, extra=True) for q in json.loads(extra.read_text(encoding="utf-8"))["questions"]]
    rows, latencies = [], []
    for name, docs in sorted(data["sets"].items()):
        if only and name not in only:
            continue
        session = store.get(f"dev-{name}")
        for number, doc in enumerate(docs, start=1):
            if anonymous:  # the file names say what each document is; real uploads are often "scan_0001.pdf"
                copy = Path(tempfile.mkdtemp(prefix="healify-anon-")) / f"record_{number}{Path(doc).suffix}"
                copy.write_bytes((folder / doc).read_bytes())
                service.add_file(session, copy)
            else:
                service.add_file(session, folder / doc)
        for question in (q for q in data["questions"] if q["set"] == name):
            answer, seconds = ask(service, session, question["q"])
            latencies.append(seconds)
            expect = question["expect"]
            joined = " ".join(s.text for s in answer.sources[:3]).lower()
            hit = expect is not None and any(e.lower() in joined for e in expect)
            rows.append({"set": name, "answerable": expect is not None, "hit": hit, "abstained": answer.abstained,
                         "extra": bool(question.get("extra"))})
            if verbose:
                tag = "U" if expect is None else ("A+" if hit else "A-")
                right = answer.abstained if expect is None else not answer.abstained
                print(f"{name}{'x' if question.get('extra') else ' '} {tag:2} {'ok  ' if right else 'MISS'} {question['q']}\n"
                      f"    {decision_figures(service, session, question['q'])}\n    {answer.answer[:200]}")
        store.drop(f"dev-{name}")
    return rows, latencies


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, help="a real_records_dev folder (questions.json + docs/)")
    parser.add_argument("--report", default="C", help="with --dev: comma-separated sets held out for reporting")
    parser.add_argument("--sets", help="with --dev: comma-separated sets to run (default: all); "
                        "e.g. A,B,D to tune without reading the report set's questions")
    parser.add_argument("--extra", type=Path, help="with --dev: more questions on the same sets, scored apart "
                        "(tests/data/rag/dev_extra_questions.json: own questions on sets A, B, D)")
    parser.add_argument("--anonymous", action="store_true",
                        help="with --dev: upload the documents as record_1.txt, record_2.txt, ... (no telling names)")
    parser.add_argument("--verbose", action="store_true", help="print every question's outcome")
    args = parser.parse_args(argv)

    from rag.service import RagService
    from settings import get_settings
    from storage.sessions import SessionStore

    with tempfile.TemporaryDirectory(prefix="healify-eval-rag-") as tmp:
        tmp = Path(tmp)
        service = RagService(get_settings())
        store = SessionStore(tmp / "sessions")
        if args.dev:
            rows, latencies = dev_set(service, store, args.dev, args.verbose,
                                      set(args.sets.split(",")) if args.sets else None, args.extra,
                                      args.anonymous)
        else:
            rows, latencies = project_set(service, store, tmp, args.verbose)
    latencies.sort()
    if args.extra:
        summary = {"extra": rates([r for r in rows if r.get("extra")])}
        rows = [r for r in rows if not r.get("extra")]
    else:
        summary = {}
    summary["all"] = rates(rows)
    if args.dev:
        report = set(args.report.split(","))
        summary.update({f"set {name}": rates([r for r in rows if r["set"] == name])
                        for name in sorted({r["set"] for r in rows})})
        summary["tune"] = rates([r for r in rows if r["set"] not in report])
        summary["report"] = rates([r for r in rows if r["set"] in report])
    summary["answer_ms_median"] = round(1000 * latencies[len(latencies) // 2], 1)
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
