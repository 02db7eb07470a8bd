"""Build data/rag/words.txt.gz, the known words HealyChat's spelling correction (`rag.spelling`) reads.

    .venv/bin/python scripts/build_rag_words.py

Two sources, each word with a score (higher: more common):
- every word of 3+ letters used by at least MIN_PASSAGES passages of the committed health knowledge base
  (data/knowledge/passages.jsonl.gz: MedlinePlus, NIH and CDC pages, the analyte catalogue and the condition
  cards), scored by the number of passages that use it;
- the whole words of the embedded MiniLM's WordPiece vocabulary (everyday English: "lunch", "school"), which
  lists words about most common first: scored 30522 minus their place, so "school" (2083) outranks "stool"
  (14709) as the fix of "scool".
A word in both gets both scores. Prints the counts.
"""
from __future__ import annotations

import collections
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from rag.index import WORD  # noqa: E402

PASSAGES = ROOT / "data" / "knowledge" / "passages.jsonl.gz"
OUT = ROOT / "data" / "rag" / "words.txt.gz"
MIN_PASSAGES = 2  # a word of one passage only is as likely a typo or a name as a word


def wordpiece_words() -> dict[str, int]:
    """Whole alphabetic words of 3+ letters of the embedded MiniLM's vocabulary, scored by their place."""
    from models.embedder import embedded_model_folder

    lines = (embedded_model_folder() / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return {word: len(lines) - place for place, word in enumerate(lines) if WORD.fullmatch(word)}


def main() -> None:
    counts: collections.Counter[str] = collections.Counter()
    passages = 0
    with gzip.open(PASSAGES, "rt", encoding="utf-8") as handle:
        for line in handle:
            passage = json.loads(line)
            counts.update(set(WORD.findall(f"{passage['title']} {passage['text']}".lower())))
            passages += 1
    kept_counts = collections.Counter({word: n for word, n in counts.items() if n >= MIN_PASSAGES})
    english = wordpiece_words()
    kept = sorted((kept_counts + collections.Counter(english)).items())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as handle:  # the same bytes on every rebuild
        handle.write("".join(f"{word}\t{n}\n" for word, n in kept).encode("utf-8"))
    print(f"{passages} passages, {len(counts)} words, {len(kept_counts)} used by >= {MIN_PASSAGES} passages; "
          f"{len(english)} MiniLM vocabulary words; {len(kept)} in all -> {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
