"""For each unanswerable question, grep synonyms over the set's documents and print every matching line
(trimmed to 150 chars), so a reader can see that the record mentions the topic at most without answering it."""
import json, re
from pathlib import Path
OUT = Path('/work/main/tests/data/rag/real_records_heldout/r3')
spec = json.loads((OUT/'questions.json').read_text())
SYN = {
 "what did the stool culture grow, was it an infection?": ["culture","cult","stool","grew","organism","positive","microbiology"],
 "whats my hemoglobin level, they said i might be anemic": ["hemoglobin","haemoglobin","hgb","hematocrit","hct","blood count","cbc","iron","ferritin"],
 "and what did my chest xray show": ["x-ray","xray","chest","radiograph","lung","pneumonia","infiltrate","impression"],
 "how is my kidney function, whats my creatinine": ["creatinine","egfr","gfr","bun","urea","kidney","renal"],
 "what were they actually treating me for in the hospital in december 2016?": ["diagnos","assessment","problem","reason for visit","admitted for","condition"],
 "what did the h pylori test come back as": ["pylori","helicobacter","breath test","urease"],
 "what were the results of my sleep study": ["sleep study","polysomno","apnea","ahi","cpap","oxygen"],
 "how much weight have i lost since the gastric bypass": ["lost","loss","postoperative","post-op","follow-up","follow up","weighs"],
 "how long did the bypass operation take": ["minute","hour","duration","time","started","ended","length"],
 "how much blood did i lose during the surgery": ["blood loss","ebl","estimated blood","bleeding","transfus","hemorrhage"],
}
for it in spec['questions']:
    if it['expect'] is not None: continue
    print(f"[{it['set']}] {it['q']}")
    for p in spec['sets'][it['set']]:
        for ln in (OUT/p).read_text().splitlines():
            hits = [w for w in SYN[it['q']] if w in ln.lower()]
            if hits: print(f"   {Path(p).name}: {hits} :: {ln.strip()[:150]}")
    print()
