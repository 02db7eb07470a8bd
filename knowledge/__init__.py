"""Trusted health knowledge: the health KB (MedlinePlus, NIH, CDC), the analyte catalogue and the condition cards."""
