"""Checks for real_records_heldout/r2 (run: python3 /tmp/r2/check_r2.py)."""
import json, re, sys, hashlib
from pathlib import Path
from collections import Counter
OUT = Path("/work/main/tests/data/rag/real_records_heldout/r2")
spec = json.loads((OUT / "questions.json").read_text(encoding="utf-8"))
probs = []
docs = {}
for s, paths in spec["sets"].items():
    if not 3 <= len(paths) <= 4: probs.append(f"set {s} has {len(paths)} docs")
    for p in paths:
        docs[p] = (OUT / p).read_bytes().decode("utf-8")          # raises if missing / not UTF-8
for p in sorted(docs):
    n = len(docs[p].split())
    ok = 150 <= n <= 2000
    raw = (OUT / "make/raw" / (Path(p).stem + ".kaggle_field.txt")).read_text(encoding="utf-8")
    same = re.sub(r"[\s,]", "", raw) == re.sub(r"[\s,]", "", docs[p])
    print(f"doc {p}: {n} words{'' if ok else ' OUT OF RANGE'}; lines {docs[p].count(chr(10))}; "
          f"vs raw Kaggle field only commas/whitespace differ: {same}; sha256 {hashlib.sha256(docs[p].encode()).hexdigest()[:16]}")
    if not ok: probs.append(f"{p} word count {n}")
    if not same: probs.append(f"{p} differs from raw beyond commas/whitespace")
qs = Counter(q["q"] for q in spec["questions"])
for q, c in qs.items():
    if c > 1: probs.append(f"duplicate question: {q}")
count = Counter()
for it in spec["questions"]:
    assert set(it) == {"set", "q", "expect"}, it
    s = it["set"]; other = [k for k in spec["sets"] if k != s]
    if it["expect"] is None:
        count[(s, "unanswerable")] += 1
        print(f"[{s}] UNANSWERABLE  {it['q']}")
        continue
    count[(s, "answerable")] += 1
    if not (isinstance(it["expect"], list) and 1 <= len(it["expect"]) <= 2): probs.append(f"expect list size: {it}")
    where = []
    for e in it["expect"]:
        if len(e) > 41: probs.append(f"too long ({len(e)}): {e!r}")
        if "\n" in e or "\r" in e: probs.append(f"newline in {e!r}")
        own = [(Path(p).name, docs[p].lower().count(e.lower())) for p in spec["sets"][s] if e.lower() in docs[p].lower()]
        oth = [Path(p).name for k in other for p in spec["sets"][k] if e.lower() in docs[p].lower()]
        if len(own) != 1: probs.append(f"[{s}] {e!r} found in {len(own)} docs of its set: {own}")
        if oth: probs.append(f"[{s}] {e!r} also in other set: {oth}")
        where.append(f"{e!r} ({len(e)} ch) -> {own}")
    print(f"[{s}] ok  {it['q']}  " + "; ".join(where))
for s in spec["sets"]:
    if count[(s, "answerable")] != 13 or count[(s, "unanswerable")] != 5:
        probs.append(f"set {s}: {count[(s,'answerable')]} answerable, {count[(s,'unanswerable')]} unanswerable")
summary = {"questions": len(spec["questions"]), "per_set": {s: {"answerable": count[(s, "answerable")], "unanswerable": count[(s, "unanswerable")], "docs": len(v)} for s, v in spec["sets"].items()},
           "duplicate_questions": sum(c > 1 for c in qs.values()), "problems": len(probs)}
for p in probs: print("PROBLEM:", p)
print(json.dumps(summary))
sys.exit(1 if probs else 0)
