"""Render one MTSamples 'transcription' field from the Kaggle mtsamples.csv into line-broken text.

In the Kaggle CSV every line break of the mtsamples.com page was replaced by ',' (so a section reads
'...last sentence.,NEXT HEADING:,  text' and list items '...item one.,2.  item two'). This script puts
those line breaks back and changes nothing else: no word is added, removed or changed.
Rules, in this order:
  0. 'HEADING: , ,x' (heading followed by an empty line) -> 'HEADING:,x'
  1. 'HEADING:,  text' / 'HEADING: , text' / 'HEADING:  ,text' -> 'HEADING:  text' (same line) when the
     text is not a numbered list item, not another comma and not another heading;
  2. '.,X' / ':,X' / '. ,X' (period or colon, optional spaces, comma, then an upper-case letter, a digit,
     '(' or '_') -> period/colon + newline + X;
  3. 'ALL CAPS HEADING,1.  item' (heading without colon before a numbered list) -> heading + newline;
  4. a trailing ',' at the end of the field is dropped; every line is trimmed.
usage: python3 render_kaggle.py RAW_FIELD.txt > out.txt   (RAW_FIELD.txt: the CSV field, already CSV-unquoted)"""
import re, sys

HEAD = r"[A-Z][A-Z0-9 /&'\-\(\)]*[A-Z\)]"

def render(s: str) -> str:
    s = s.strip()
    s = re.sub(r"(" + HEAD + r"):\s*,\s*,", r"\1:,", s)                                  # rule 0
    s = re.sub(r"(^|,)(\s*)(" + HEAD + r"):\s*,\s*(?!,|\d+\.\s|" + HEAD + r":)",
               lambda m: m.group(1) + m.group(2) + m.group(3) + ":  ", s)                # rule 1
    s = re.sub(r"([.:])[ \t]*,[ \t]*(?=[A-Z0-9(_])", "\\1\n", s)                          # rule 2
    s = re.sub(r"(?m)^(" + HEAD + r"),(?=\d+\.\s)", "\\1\n", s)                           # rule 3
    s = re.sub(r",\s*$", "", s)                                                          # rule 4
    return "\n".join(line.strip() for line in s.split("\n")) + "\n"

if __name__ == "__main__":
    sys.stdout.write(render(open(sys.argv[1], encoding="utf-8").read()))
