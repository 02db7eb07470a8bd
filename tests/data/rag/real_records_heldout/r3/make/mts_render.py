"""Render a Kaggle-format MTSamples transcription field (newlines were replaced by ',' in that CSV) as text.
Only line breaks are restored; wording is unchanged:
  ':' + optional spaces + ','  -> ':' + newline      (section header, e.g. 'HISTORY: , text')
  '.' + optional spaces + ','  -> '.' + newline      when the next non-space char is an uppercase letter or digit
then each line is trimmed and empty lines are dropped."""
import csv, re, sys
def render(t):
    t = re.sub(r':\s*,', ':\n', t)
    t = re.sub(r'\.\s*,(?=\s*[A-Z0-9])', '.\n', t)
    lines = [l.strip() for l in t.split('\n')]
    return '\n'.join(l for l in lines if l) + '\n'
if __name__ == '__main__':
    src, idx, out = sys.argv[1], sys.argv[2], sys.argv[3]
    for r in csv.DictReader(open(src, newline='', encoding='utf-8')):
        if r[''] == idx:
            open(out, 'w', encoding='utf-8').write(render(r['transcription'])); break
    else: sys.exit('row not found')
