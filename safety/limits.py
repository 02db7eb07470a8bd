"""Input limits shared by every feature: refuse oversized input with one clear line, before any heavy work."""
from __future__ import annotations


def too_long(text: str, max_chars: int, what: str = "message") -> str:
    """A user-facing refusal when `text` is over `max_chars` characters, else ""."""
    if len(text) <= max_chars:
        return ""
    return (f"Your {what} is too long ({len(text):,} characters; the limit is {max_chars:,}). "
            "Please shorten it, or upload long documents in HealyChat.")
