"""Numeric faithfulness guard: generated text may only name numbers that are in its source.

A sentence that names any other number is replaced (by a caller-supplied fallback, or dropped
with a note). Works on whole texts (`guard_text`) and on token streams (`StreamGuard`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

# A number: optional sign, digits, optional decimal part with '.' or ',' (French decimal comma).
_NUMBER = re.compile(r"(?<![\w.,])[-+]?\d+(?:[.,]\d+)?(?![\w])")
# Things that look numeric but are not claims: citation markers [1], list enumerators "1." / "2)" at line start.
_CITATION = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_ENUMERATOR = re.compile(r"(?m)^\s*\d{1,2}[.)]\s")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")

REPLACED_NOTE = "(A sentence was removed because it named a number that is not in your results.)"


def normalize_number(token: str) -> str:
    """'3,50' -> '3.5', '+7' -> '7', '010' -> '10': equal values compare equal."""
    token = token.replace(",", ".").lstrip("+")
    try:
        value = float(token)
    except ValueError:
        return token
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(round(value, 6)).rstrip("0").rstrip(".")


def numbers_in(text: str) -> set[str]:
    """Normalized numbers named in `text`, ignoring citation markers and list enumerators."""
    text = _CITATION.sub(" ", text)
    text = _ENUMERATOR.sub(" ", text)
    found = set()
    for match in _NUMBER.finditer(text):
        token = match.group(0)
        found.add(normalize_number(token))
        if token.startswith("-"):  # "3.5-5.1" is a range, not a negative number
            found.add(normalize_number(token[1:]))
    return found


def _allowed(source: str | Iterable[str]) -> set[str]:
    if isinstance(source, str):
        return numbers_in(source)
    allowed: set[str] = set()
    for part in source:
        allowed |= numbers_in(str(part))
    return allowed


def unsupported_numbers(text: str, source: str | Iterable[str]) -> set[str]:
    """Numbers in `text` that do not appear in `source`."""
    allowed = _allowed(source)
    return {n for n in numbers_in(text) if n not in allowed and n.lstrip("-") not in allowed}


@dataclass
class GuardResult:
    text: str
    replaced: list[str] = field(default_factory=list)  # the original sentences that failed

    @property
    def ok(self) -> bool:
        return not self.replaced


def split_sentences(text: str) -> list[str]:
    """Split keeping separators, so joining the parts gives back the text."""
    parts, last = [], 0
    for match in _SENTENCE_END.finditer(text):
        parts.append(text[last:match.end()])
        last = match.end()
    if last < len(text):
        parts.append(text[last:])
    return parts


def guard_text(text: str, source: str | Iterable[str],
               fallback: Callable[[str], str] | None = None) -> GuardResult:
    """Replace every sentence of `text` that names a number absent from `source`."""
    allowed = _allowed(source)
    out, replaced = [], []
    for sentence in split_sentences(text):
        bad = {n for n in numbers_in(sentence) if n not in allowed and n.lstrip("-") not in allowed}
        if not bad:
            out.append(sentence)
            continue
        replaced.append(sentence)
        substitute = fallback(sentence) if fallback else REPLACED_NOTE
        trailing = sentence[len(sentence.rstrip()):]
        out.append(substitute + (trailing or " "))
    return GuardResult("".join(out), replaced)


class StreamGuard:
    """Guards a token stream sentence by sentence: `feed` tokens, get back the checked text so far."""

    def __init__(self, source: str | Iterable[str], fallback: Callable[[str], str] | None = None):
        self._allowed_source = _allowed(source)
        self._fallback = fallback
        self._pending = ""
        self.text = ""
        self.replaced: list[str] = []

    def _emit(self, sentence: str) -> None:
        result = guard_text(sentence, [" ".join(self._allowed_source)], self._fallback)
        self.text += result.text
        self.replaced += result.replaced

    def feed(self, chunk: str) -> str:
        self._pending += chunk
        parts = split_sentences(self._pending)
        # Everything but the last part is a complete sentence.
        for sentence in parts[:-1]:
            self._emit(sentence)
        self._pending = parts[-1] if parts else ""
        if self._pending and _SENTENCE_END.search(self._pending[-1:] or ""):
            self._emit(self._pending)
            self._pending = ""
        return self.text

    def finish(self) -> GuardResult:
        if self._pending:
            self._emit(self._pending)
            self._pending = ""
        return GuardResult(self.text, self.replaced)


def guard_stream(chunks: Iterator[str], source, fallback=None) -> Iterator[str]:
    """Yield the guarded text so far after each chunk (only complete sentences are shown)."""
    guard = StreamGuard(source, fallback)
    for chunk in chunks:
        yield guard.feed(chunk)
    yield guard.finish().text
