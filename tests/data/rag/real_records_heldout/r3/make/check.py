"""Checks for r3/questions.json: expect strings found (case-insensitive) in exactly one doc of their set and in
no doc of the other set; <=41 chars, no newline; 13 answerable + 5 unanswerable per set; no duplicate questions;
all docs UTF-8, 150-2000 words. Also reports (informational) any expect string that occurs in real_records_dev docs."""
import json, sys, glob
from pathlib import Path
OUT = Path('/work/main/tests/data/rag/real_records_heldout/r3')
spec = json.loads((OUT/'questions.json').read_text(encoding='utf-8'))
docs = {p: (OUT/p).read_bytes().decode('utf-8') for ps in spec['sets'].values() for p in ps}
dev = {Path(p).name: Path(p).read_text(encoding='utf-8').lower() for p in glob.glob('/work/shared/data/real_records_dev/docs/*.txt')}
bad = 0
for p, t in docs.items():
    w = len(t.split()); print(f'doc {p}: {w} words'); 
    if not 150 <= w <= 2000: print('  WORD COUNT OUT OF RANGE'); bad += 1
seen = set(); counts = {}
for it in spec['questions']:
    s, q, e = it['set'], it['q'], it['expect']
    if q in seen: print('DUPLICATE', q); bad += 1
    seen.add(q)
    k = counts.setdefault(s, [0, 0]); k[0 if e else 1] += 1
    if e is None: print(f'[{s}] UNANSWERABLE  {q}'); continue
    for x in e:
        if len(x) > 41 or '\n' in x: print('TOO LONG/NEWLINE', repr(x)); bad += 1
        own = [Path(p).name for p in spec['sets'][s] if x.lower() in docs[p].lower()]
        other = [Path(p).name for s2, ps in spec['sets'].items() if s2 != s for p in ps if x.lower() in docs[p].lower()]
        devhit = [n for n, t in dev.items() if x.lower() in t]
        ok = len(own) == 1 and not other
        if not ok: bad += 1
        print(f'[{s}] {"ok " if ok else "BAD"} {x!r} -> {own} other={other}' + (f' (also in dev: {devhit})' if devhit else ''))
print(json.dumps({'per_set_answerable_unanswerable': counts, 'questions': len(spec['questions']), 'problems': bad}))
for s, (a, u) in counts.items():
    if (a, u) != (13, 5): print('COUNT PROBLEM', s, a, u); bad += 1
sys.exit(1 if bad else 0)
