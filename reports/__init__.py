"""Healytics: lab report in (PDF, text, photo), every result extracted, flagged and explained."""
