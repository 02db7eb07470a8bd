"""Numeric faithfulness guard: generated text may only name numbers that are in its source.

A number written with a unit must also carry a unit the source uses for it ("3.2 %" is rejected
when the source only has "3.2 K/uL"); a bare number, or one the source prints without a unit, only
has to be present.

A sentence that names any other number is replaced (by a caller-supplied fallback, or dropped
with a note). Works on whole texts (`guard_text`) and on token streams (`StreamGuard`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

# A number: optional sign, digits, optional decimal part with '.' or ',' (French decimal comma).
_NUMBER = re.compile(r"(?<![\w.,])[-+]?\d+(?:[.,]\d+)?(?![\w])")
# Things that look numeric but are not claims: citation markers [1], list enumerators "1." / "2)" at line start.
_CITATION = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")
_ENUMERATOR = re.compile(r"(?m)^\s*\d{1,2}[.)]\s")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")  # shared by every module that splits text into sentences
# A unit right after a number: "%", anything with a slash ("g/dL", "x10^9/L"), or a common bare unit.
_UNIT_AFTER = re.compile(r"\s?(%|[a-zA-Zµμ^0-9]*[a-zA-Zµμ]/[a-zA-Z0-9µμ^]+|"
                         r"(?:pg|fl|mg|g|kg|mmol|umol|µmol|meq|iu|u|ng|ug|µg|mm|mmhg|sec|s|bpm)\b)", re.IGNORECASE)



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


def _normalize_unit(unit: str) -> str:
    return unit.strip().lower().replace("µ", "u").replace("μ", "u")


def claims_in(text: str) -> list[tuple[str, str | None]]:
    """(normalized number, normalized unit or None) for each number named in `text`.

    Citation markers [1] and list enumerators are not claims; "3.5-5.1" is a range, so both
    the signed and the unsigned reading of "-5.1" are kept.
    """
    text = _CITATION.sub(" ", text)
    text = _ENUMERATOR.sub(" ", text)
    claims = []
    for match in _NUMBER.finditer(text):
        token = match.group(0)
        unit_match = _UNIT_AFTER.match(text, match.end())
        unit = _normalize_unit(unit_match.group(1)) if unit_match else None
        claims.append((normalize_number(token), unit))
        if token.startswith("-"):
            claims.append((normalize_number(token[1:]), unit))
    return claims


def numbers_in(text: str) -> set[str]:
    """Normalized numbers named in `text`, ignoring citation markers and list enumerators."""
    return {number for number, _ in claims_in(text)}


def _allowed(source: str | Iterable[str]) -> dict[str, set[str | None]]:
    """Each number of the source with the units it is written with (None: written without one)."""
    parts = [source] if isinstance(source, str) else [str(part) for part in source]
    allowed: dict[str, set[str | None]] = {}
    for part in parts:
        for number, unit in claims_in(part):
            allowed.setdefault(number, set()).add(unit)
    return allowed


def _unsupported(text: str, allowed: dict[str, set[str | None]]) -> set[str]:
    bad = set()
    for number, unit in claims_in(text):
        units = allowed.get(number, allowed.get(number.lstrip("-")))
        if units is None or (unit is not None and None not in units and unit not in units):
            bad.add(number)
    return bad


def unsupported_numbers(text: str, source: str | Iterable[str]) -> set[str]:
    """Numbers in `text` absent from `source`, or written with a unit the source never uses for them."""
    return _unsupported(text, _allowed(source))


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
    for match in SENTENCE_BREAK.finditer(text):
        parts.append(text[last:match.end()])
        last = match.end()
    if last < len(text):
        parts.append(text[last:])
    return parts


def guard_text(text: str, source: str | Iterable[str] | dict,
               fallback: Callable[[str], str] | None = None,
               check: Callable[[str], bool] | None = None) -> GuardResult:
    """Drop every sentence of `text` that names a number absent from `source`, or that fails the caller's
    extra `check` (e.g. a lab result said to be high when its computed flag is low); a `fallback` may put
    trusted text (e.g. the catalogue wording for that result) in its place."""
    allowed = source if isinstance(source, dict) else _allowed(source)
    out, replaced = [], []
    for sentence in split_sentences(text):
        if not _unsupported(sentence, allowed) and (check is None or check(sentence)):
            out.append(sentence)
            continue
        replaced.append(sentence)
        substitute = fallback(sentence) if fallback else ""  # a failing sentence is dropped, never annotated
        if substitute:
            out.append(substitute + (sentence[len(sentence.rstrip()):] or " "))
    return GuardResult("".join(out), replaced)


class StreamGuard:
    """Guards a token stream sentence by sentence: `feed` tokens, get back the checked text so far."""

    def __init__(self, source: str | Iterable[str], fallback: Callable[[str], str] | None = None,
                 check: Callable[[str], bool] | None = None):
        self._allowed = _allowed(source)
        self._fallback = fallback
        self._check = check
        self._pending = ""
        self.text = ""
        self.replaced: list[str] = []

    def _emit(self, sentence: str) -> None:
        result = guard_text(sentence, self._allowed, self._fallback, self._check)
        self.text += result.text
        self.replaced += result.replaced

    def feed(self, chunk: str) -> str:
        self._pending += chunk
        parts = split_sentences(self._pending)
        # Everything but the last part is a complete sentence.
        for sentence in parts[:-1]:
            self._emit(sentence)
        self._pending = parts[-1] if parts else ""
        if self._pending and SENTENCE_BREAK.search(self._pending[-1:] or ""):
            self._emit(self._pending)
            self._pending = ""
        return self.text

    def finish(self) -> GuardResult:
        if self._pending:
            self._emit(self._pending)
            self._pending = ""
        return GuardResult(self.text, self.replaced)


def guard_stream(chunks: Iterator[str], source, fallback=None, check=None) -> Iterator[str]:
    """Yield the guarded text so far after each chunk (only complete sentences are shown)."""
    guard = StreamGuard(source, fallback, check)
    for chunk in chunks:
        yield guard.feed(chunk)
    yield guard.finish().text
