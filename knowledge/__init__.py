"""Trusted health knowledge: MedQuAD passages, the analyte catalogue and condition cards (see knowledge.service)."""
