"""A word-for-word English gloss of a French message, for the English-only MiniLM of the semantic red-flag signal.

The gloss is not a translation: it maps French health and everyday words to English (longest phrase first,
data/redflags/fr_en.tsv) and keeps every other word, so that "il a la nuque raide et la lumiere lui fait mal"
lands near "stiff neck, light hurts the eyes" in embedding space. The semantic scorer embeds the gloss beside
the original message and keeps the better-scoring of the two.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from safety.emergency_patterns import fold

GLOSSARY_PATH = Path(__file__).resolve().parents[1] / "data" / "redflags" / "fr_en.tsv"
DROP = "-"  # a glossary value that drops the word
_TOKEN = re.compile(r"[a-z0-9]+|[.!?;,:]")


@lru_cache(maxsize=1)
def glossary(path: Path = GLOSSARY_PATH) -> tuple[dict[tuple[str, ...], str], int]:
    """French phrase (as folded tokens) -> English, and the longest phrase length in tokens."""
    table: dict[tuple[str, ...], str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        french, _, english = line.partition("\t")
        if not english.strip():
            raise ValueError(f"{path.name} line {number}: expected french<TAB>english")
        table[tuple(_TOKEN.findall(fold(french)))] = english.strip()
    return table, max(len(key) for key in table)


def english_gloss(text: str) -> str:
    """`text` with every known French word or phrase replaced by its English gloss."""
    table, longest = glossary()
    tokens = _TOKEN.findall(fold(text))
    out: list[str] = []
    position = 0
    while position < len(tokens):
        for size in range(min(longest, len(tokens) - position), 0, -1):
            english = table.get(tuple(tokens[position:position + size]))
            if english is not None:
                out.extend([] if english == DROP else [english])
                position += size
                break
        else:
            out.append(tokens[position])
            position += 1
    return re.sub(r"\s+([.!?;,:])", r"\1", " ".join(out))
