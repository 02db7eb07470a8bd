"""The knowledge base's word handling: tokens for BM25 and the topic words of a question.

Kept apart from HealyChat's tokenizer (rag/index.py), which was later retuned for clinical records (no 5-letter
stems, record stopwords such as "lowest"): the knowledge base's thresholds and its dev-set figures were chosen with
this one, and switching changed them (report key facts 0.860 -> 0.791).
"""
from __future__ import annotations

import re

RRF_K = 60  # the usual reciprocal-rank-fusion constant
STEM = 5  # words are cut to their first letters: 'allergic'/'allergies', 'smoke'/'smoker' meet
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,][0-9]+)?")
# Words that carry no topic: dropped from BM25 queries and from keyword coverage.
STOPWORDS = frozenset("""
a about according after again all also am an and any are as at be been before being both but by can could
did do does doing done during each else ever for from had has have having he her here hers him his how i if
in into is it its me mine my myself no nor not of off on once only or other our out over own please said say
says she should show so some such tell than that the their them then there these they this those through to
too under until up upon very was we were what when where which while who whom why will with would you your
yours level levels value values result results record records document documents report reports
mention mentioned listed written find found give given know much many number get got
""".split())
_STOP_STEMS = frozenset(t[:STEM] if t.isalpha() else t for t in STOPWORDS)


def tokenize(text: str) -> list[str]:
    """Lower-case number tokens and word stems (the first STEM letters of a word)."""
    return [t[:STEM] if t.isalpha() else t for t in _TOKEN.findall(text.lower())]


def content_tokens(text: str) -> list[str]:
    """The topic words of a question: stems that are not stopwords."""
    return [t for t in tokenize(text) if t not in _STOP_STEMS]

