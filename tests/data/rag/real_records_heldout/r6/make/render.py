"""Render the raw MTSamples `transcription` fields (make/raw_rows.py) to plain-text documents.
The Kaggle-format CSV replaced each original line break by ","; this only restores line breaks:
  - CSV escaping "" -> "
  - an upper-case section header ending in ':' followed by ',' -> header, line break
  - '.,' (or '.",') before an upper-case letter or digit -> line break after the period
  - a trailing ',' at the very end is dropped; every line is trimmed.
Wording is unchanged; nothing is added."""
import re, sys, os
sys.path.insert(0, os.path.dirname(__file__))
from raw_rows import ROWS

FILES = {
    3895: "docs/M1_discharge_summary_aspiration_pneumonia_copd.txt",
    3898: "docs/M2_discharge_summary_atypical_pneumonia.txt",
    4682: "docs/M3_pulmonary_clinic_followup_copd.txt",
    4683: "docs/M4_pulmonary_function_test.txt",
    2030: "docs/N1_operative_note_right_total_knee_arthroplasty.txt",
    3913: "docs/N2_discharge_summary_total_knee_arthroplasty.txt",
    3908: "docs/N3_rehab_discharge_summary_after_knee_replacement.txt",
}

def render(t):
    t = t.replace('""', '"')
    t = re.sub(r"([A-Z][A-Za-z0-9 /&()'\-]*:)[ ]*,[ ]*", r"\1\n", t)
    t = re.sub(r'(\."?)[ ]*,[ ]*(?=[A-Z0-9])', r"\1\n", t)
    t = t.rstrip().rstrip(",")
    lines = [l.strip() for l in t.split("\n")]
    return "\n".join(l for l in lines if l) + "\n"

if __name__ == "__main__":
    base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for row, path in FILES.items():
        out = render(ROWS[row])
        with open(os.path.join(base, path), "w", encoding="utf-8") as f:
            f.write(out)
        print(path, len(out.split()))
