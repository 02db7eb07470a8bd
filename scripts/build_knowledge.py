"""Build data/knowledge/ from ../shared/data/health_kb, data/analytes.json and data/conditions.json.

    PYTHONPATH=. python scripts/build_knowledge.py [--kb ../shared/data/health_kb] [--out data/knowledge]

Embeds every passage with the embedded MiniLM (offline) and writes the compact committed artefact
(see knowledge/store.py). Prints counts, sizes and timings.
"""
from __future__ import annotations

import argparse
import collections
import time
from pathlib import Path

from knowledge import corpus, store
from models.embedder import EMBEDDED, load_embedder

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=Path, default=ROOT.parent / "shared" / "data" / "health_kb")
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "knowledge")
    parser.add_argument("--embedder", default=EMBEDDED)
    args = parser.parse_args()

    started = time.perf_counter()
    passages = (corpus.medquad_passages(args.kb / "MedQuAD") + corpus.analyte_passages(ROOT / "data" / "analytes.json")
                + corpus.condition_passages(ROOT / "data" / "conditions.json"))
    counts = collections.Counter(p.publisher for p in passages)
    print(f"{len(passages)} passages in {time.perf_counter() - started:.1f} s")
    for publisher, count in counts.most_common():
        print(f"  {count:6d}  {publisher}")
    embedder = load_embedder(args.embedder)
    started = time.perf_counter()
    vectors = embedder.encode([p.search_text for p in passages], batch_size=32)
    print(f"embedded in {time.perf_counter() - started:.0f} s with {embedder.source}")
    meta = {"embedder": embedder.source, "passages": len(passages), "topics": len({p.topic for p in passages}),
            "publishers": dict(counts), "kb": "health_kb (MedQuAD snapshot 577bd37, pages crawled about 2017)",
            "credit": "MedQuAD: Ben Abacha & Demner-Fushman, BMC Bioinformatics 20:511, 2019 (CC BY 4.0)"}
    store.save(args.out, passages, vectors, meta)
    store.save_vocabulary(args.out, passages)
    total = 0
    for file in sorted(args.out.iterdir()):
        total += file.stat().st_size
        print(f"  {file.stat().st_size / 2**20:6.2f} MB  {file.name}")
    print(f"  {total / 2**20:6.2f} MB  total in {args.out}")


if __name__ == "__main__":
    main()
