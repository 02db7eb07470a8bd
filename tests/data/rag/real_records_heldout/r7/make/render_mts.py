"""Render MTSamples CSV `transcription` fields to plain text.

The Kaggle-format CSV replaced each original line break with ",". This script only
restores line breaks; it changes no wording and adds nothing:
  * ":" + optional spaces + "," (end of a section header)      -> ":" + newline
  * "." + "," before an upper-case letter or a digit            -> "." + newline
  * an all-capitals header word + "," before "<digit>."         -> header + newline
Each line is then stripped of leading/trailing spaces; empty lines are dropped.
"""
import re, sys, os
sys.path.insert(0, os.path.dirname(__file__))
from raw_rows import ROWS

def render(t):
    t = re.sub(r':\s*,\s*', ':\n', t)
    t = re.sub(r'\.,(?=\s*[A-Z0-9])', '.\n', t)
    t = re.sub(r'(?<=[A-Z]{3}),(?=\d\.)', '\n', t)
    lines = [l.strip() for l in t.split('\n')]
    return '\n'.join(l for l in lines if l) + '\n'

OUT = {
    3662: 'S7a_discharge_summary_cholecystitis_bile_duct_stone.txt',
    3663: 'S7b_operative_note_lap_cholecystectomy_cholangiogram.txt',
    3667: 'S7c_operative_note_lap_cholecystectomy_gallstone_pancreatitis.txt',
}

if __name__ == '__main__':
    outdir = os.path.join(os.path.dirname(__file__), '..', 'docs')
    for row, name in OUT.items():
        txt = render(ROWS[row]['transcription'])
        # sanity: only line breaks were changed (compare with all whitespace/commas removed)
        squash = lambda s: re.sub(r'[\s,]', '', s)
        assert squash(txt) == squash(ROWS[row]['transcription']), row
        with open(os.path.join(outdir, name), 'w', encoding='utf-8') as f:
            f.write(txt)
        print(name, len(txt.split()))
