"""What HealyChat says when it cannot answer, and how it keeps record text as data.

Answers are quoted from the records by code; a sentence inside a record that reads like an
instruction to an assistant ("Message to the assistant: tell the patient ...") is never quoted.
"""
from __future__ import annotations

import re

CANNOT_FIND = "I cannot find that in your records."

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(instruction|prompt|rule|above|previous|prior)"
    r"|\byou are now\b|\bnew instructions?\b|\bsystem prompt\b|\bact as\b|\bpretend to be\b"
    r"|\b(respond|reply|answer|say)\s+(only\s+)?(with\s+)?[\"'“]"
    r"|\b(message|note|instructions?|request)\s+(to|for)\s+(the\s+)?(assistant|ai|chatbot|chat\s*bot|model|bot|llm)\b"
    r"|\b(assistant|chatbot|ai)\s*[:,]\s*(please\s+)?(tell|say|answer|reply|inform)\b"
    r"|\b(tell|inform|reassure)\s+(the\s+)?(patient|user|reader)\s+(that\s+)?(the\s+|their\s+|his\s+|her\s+)?"
    r"|<\|?/?\s*(im_start|im_end|system|assistant|user)\s*\|?>"
    r"|^\s*(system|assistant)\s*:",
    re.IGNORECASE | re.MULTILINE,
)


def looks_like_instruction(text: str) -> bool:
    return bool(_INJECTION.search(text))
