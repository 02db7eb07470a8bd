"""Home/About: what Healify does, how each model works, and where to find the model cards."""
from __future__ import annotations

import gradio as gr

from tabs.common import disclaimer

OVERVIEW = """
## Welcome to Healify
Healify helps you understand your own health data, privately and in plain language.

| Service | What it does | How it works |
|---|---|---|
| **Healytics** | Upload a lab report (PDF, scan, photo or text) and get a table of results with computed flags, a chart against reference ranges and a plain-language explanation. | Text extraction (pypdf, OCR for scans) → a rule-based parser and an 80+ test catalogue → flags computed from the ranges → a small instruction LLM (SmolLM2-135M + a LoRA adapter fine-tuned by this project) explains the findings; every number it writes is checked against your results. |
| **HealyChat** | Ask questions about your uploaded records and get answers with their sources. | Your documents are split into chunks, embedded with all-MiniLM-L6-v2 and indexed with FAISS + BM25 for your session only; answers cite their sources and say so when the answer is not in your records. |
| **SkinGuard** | Send a photo of a skin lesion; get the most likely of five classes (bcc, df, mel, nv, vasc) with its confidence, then an explanation. | A Keras CNN and a colour expert, both trained by this project on dermoscopy images, calibrated, with an honest "I can't tell" when it is unsure. |
| **Medical assistant** | A general health chat that streams its answers and keeps your conversation history. | The embedded LLM by default, or any Hugging Face model or OpenAI-compatible endpoint (e.g. DeepSeek) chosen in settings. Emergency symptoms always get emergency guidance. |

**What the Medical assistant can and cannot do.** It answers general health questions (English or French) by
quoting trusted public sources (MedlinePlus, NIH and CDC pages), with a link to each source under the answer; when those
sources do not cover a question it says *I don't have reliable information* instead of guessing. It cannot examine you,
diagnose you, or choose your treatment or doses. A message that describes an emergency gets emergency advice only.
Every sentence you read in Healify is computed from your data, quoted from a cited source, or checked against its sources.

**Your privacy.** As a guest, your files, indexes and chats live only for your browser session and are deleted when you leave.
Logged-in users may choose to keep their records; nobody else can see them.

**For reviewers.** The *Models* tab shows which model serves each feature, where it came from, and whether it is loaded.
Model cards and measured metrics are in `data/skin/MODEL_CARD.md`, `data/adapters/` and the README.
"""


def create_home_tab(engine, events) -> None:
    disclaimer()
    gr.Markdown(OVERVIEW)
