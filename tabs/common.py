"""UI pieces shared by every tab."""
from __future__ import annotations

import gradio as gr

DISCLAIMER = ("**Not a diagnosis.** Healify explains health data in plain language for information only. "
              "It does not replace a doctor. In an emergency call your local emergency number "
              "(112 in Europe, 911 in the US).")


def disclaimer() -> gr.Markdown:
    """The medical disclaimer, shown on every tab."""
    return gr.Markdown(DISCLAIMER, elem_classes=["healify-disclaimer"])


CSS = """
.healify-disclaimer {border-left: 4px solid #d97706; background: #fffbeb; padding: 6px 12px; border-radius: 4px;}
.healify-disclaimer p {color: #78350f !important; margin: 0;}
.healify-urgent {border-left: 6px solid #b91c1c; background: #fef2f2; padding: 8px 14px; border-radius: 4px;}
.healify-urgent p, .healify-urgent li {color: #7f1d1d !important;}
"""
