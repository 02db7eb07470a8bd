import re, sys, os
sys.path.insert(0, os.path.dirname(__file__))
from raw_rows import ROWS

def render_body(t):
    t = re.sub(r':\s*,\s*(?=\d{1,2}\.\s)', ':\n', t)      # "HEADING:,1.  item" -> heading, newline, list
    t = re.sub(r':(?:\s+,\s*|,\s+)', ': ', t)             # "HEADING: , text" -> "HEADING: text"
    t = re.sub(r'(?<=[.:]),(?=\S)', '\n', t)              # ".,NEXT" / ":,NEXT" -> line break
    return [l.strip() for l in t.split('\n') if l.strip()]

out = os.path.join(os.path.dirname(__file__), '..', 'docs')
for name, (idx, desc, spec, sname, trans) in ROWS.items():
    lines = ["Medical Specialty: " + spec.strip(),
             "Sample Name: " + sname.strip(),
             "Description: " + desc.strip(),
             ""] + render_body(trans)
    with open(os.path.join(out, name + ".txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(name, idx, len(" ".join(lines).split()), "words")
