"""Everyday words for medical terms, so a question in plain words reaches the record's wording.

Used to expand the keyword (BM25) query and the keyword-coverage check; dense retrieval sees the
question as typed. Keys and values are single tokens after `rag.index.tokenize` (5-letter stems).
No single letters: "K" or "x" also occur inside units ("K/uL", "x10^9/L") and would match any lab row.
"""
from __future__ import annotations

from functools import lru_cache

# plain word -> record words (every word of a group is related to the others)
_GROUPS = [
    ("flu", "influenza"), ("shot", "vaccine", "vaccination", "vaccinated", "immunization", "jab", "booster"),
    ("sugar", "glucose"), ("a1c", "hba1c", "glycated"), ("thyroid", "tsh", "t4", "thyroxine"),
    ("kidney", "renal", "creatinine", "egfr"), ("liver", "hepatic", "alt", "ast", "ggt", "bilirubin"),
    ("cholesterol", "ldl", "hdl", "lipid", "triglycerides"), ("iron", "ferritin", "ferrous"),
    ("anemia", "anaemia"), ("hemoglobin", "haemoglobin", "hb"), ("pressure", "bp", "hypertension"),
    ("statin", "atorvastatin", "simvastatin", "rosuvastatin", "pravastatin"),
    ("painkiller", "paracetamol", "acetaminophen", "ibuprofen"), ("fever", "temperature", "febrile"),
    ("antibiotic", "amoxicillin", "ceftriaxone", "doxycycline", "azithromycin", "clavulanate"),
    ("allergy", "allergic", "allergies", "intolerance"), ("smoke", "smoker", "smoking", "tobacco", "cigarettes"),
    ("alcohol", "drink", "drinking"), ("xray", "radiograph", "radiography"),
    ("weight", "kg", "bmi"), ("heart", "cardiac"), ("lung", "pulmonary", "chest"),
    ("tetanus", "td", "tdap"), ("shingles", "zoster", "shingrix"), ("covid", "sars", "comirnaty", "coronavirus"),
    ("pneumonia", "consolidation"), ("diabetes", "diabetic", "glucose"), ("platelets", "plt"),
    ("white", "wbc", "leukocytes"), ("potassium", "kalium"), ("sodium", "na"), ("dose", "mg", "dosage"),
    ("blood", "haematology", "hematology"), ("sleep", "apnoea", "apnea"), ("doctor", "physician", "dr", "gp"),
    ("elevated", "high", "raised", "increased", "above"), ("decreased", "low", "reduced", "below"),
    ("discharge", "discharged"), ("admitted", "admission", "hospitalised", "hospitalized"),
]


@lru_cache(maxsize=1)
def _related() -> dict[str, frozenset[str]]:
    from rag.index import tokenize

    related: dict[str, set[str]] = {}
    for group in _GROUPS:
        stems = {t for word in group for t in tokenize(word)}
        for stem in stems:
            related.setdefault(stem, set()).update(stems - {stem})
    return {stem: frozenset(words) for stem, words in related.items()}


def related_terms(token: str) -> frozenset[str]:
    """Record words that mean the same as `token` (empty when none are known)."""
    return _related().get(token, frozenset())
