"""The app's tools for agents: four documented API endpoints, also served as MCP tools (`launch(mcp_server=True)`).

Every other endpoint is undocumented (callable by the app's own client, never listed as a tool). Each tool goes
through the same services and guards as the UI.
"""
from __future__ import annotations

import gradio as gr
from gradio.data_classes import FileData

TOOLS = ("analyze_lab_report", "classify_skin_lesion", "ask_health_question", "emergency_check")
NOT_A_DIAGNOSIS = "Healify explains health data for information only; it is not a diagnosis."


def _path(file) -> str:
    """The local path of an uploaded file, whatever form Gradio hands it in."""
    if isinstance(file, dict):
        return file.get("path") or ""
    return getattr(file, "path", None) or str(file or "")


class HealifyTools:
    """The four tools, bound to one Engine (methods keep their names and docstrings for the MCP schema)."""

    def __init__(self, engine):
        self.engine = engine

    def analyze_lab_report(self, report: FileData, request: gr.Request) -> dict:
        """Read a lab report and return every result with its computed flag.

        Args:
            report: the lab report: a PDF, a text file or a photo of the printed report.
        Returns:
            {"file", "pages", "ocr_used", "results": [{"test", "analyte", "value", "value_text", "unit", "ref_low",
            "ref_high", "ref_text", "ref_source", "flag"}], "explanation", "urgent", "disclaimer"}. `flag` is one of
            low/high/normal/critical_low/critical_high/abnormal/unknown; `urgent` is the advice for critical values.
        """
        from reports.analysis import contract
        from reports.explain import urgent_banner
        from reports.extract import DocumentError

        path = _path(report)
        self.engine.session(request).track_upload(path)
        try:
            analysis = self.engine.reports.analyze(path)
        except DocumentError as error:
            raise gr.Error(str(error)) from None
        return {**contract(analysis), "urgent": urgent_banner(analysis.parsed.results) or "",
                "disclaimer": NOT_A_DIAGNOSIS}

    def classify_skin_lesion(self, image: FileData, request: gr.Request) -> dict:
        """Classify a close-up photo of one skin lesion (bcc, df, mel, nv or vasc) with a calibrated confidence.

        Args:
            image: a sharp close-up photo (ideally dermoscopy) of one skin spot.
        Returns:
            {"label" (None when unsure), "confidence", "probs" (all five classes), "uncertain", "explanation"
            (the verdict and the condition card, with advice to see a dermatologist when urgent), "disclaimer"}.
        """
        path = _path(image)
        self.engine.session(request).track_upload(path)
        turn = self.engine.skin.classify(path)
        if turn.prediction is None:
            raise gr.Error(turn.text.lstrip("⚠️ "))
        result = turn.prediction.to_json("")
        result.pop("file", None)
        return {**result, "explanation": turn.text, "disclaimer": NOT_A_DIAGNOSIS}

    def ask_health_question(self, question: str) -> dict:
        """Answer a general health question in plain language from trusted sources; emergencies get guidance first.

        Args:
            question: the question, in English or French.
        Returns:
            {"answer", "emergency" (true when the question describes an emergency), "disclaimer"}.
        """
        from safety.limits import too_long

        refusal = too_long(question or "", self.engine.settings.max_message_chars, "question")
        if refusal:
            raise gr.Error(refusal)
        *_, reply = self.engine.assistant.respond([], question or "")
        return {"answer": reply.text, "emergency": bool(reply.red_flags), "disclaimer": NOT_A_DIAGNOSIS}

    def emergency_check(self, message: str) -> dict:
        """Check whether a message describes a medical emergency, and return the advice to give if so.

        Args:
            message: what the person wrote, in English or French.
        Returns:
            {"emergency": bool, "categories": [...], "guidance": the emergency advice ("" when none)}.
        """
        from safety.redflags import detect_red_flags, emergency_guidance, guess_language

        text = (message or "")[:self.engine.settings.max_message_chars]
        flags = detect_red_flags(text)  # once: the categories and the guidance come from the same flags
        guidance = emergency_guidance(flags, guess_language(text, flags[0].lang)) if flags else ""
        return {"emergency": bool(flags), "categories": [f.category for f in flags], "guidance": guidance}



def register_tools(engine) -> None:
    tools = HealifyTools(engine)
    for name in TOOLS:
        gr.api(getattr(tools, name), api_name=name)
