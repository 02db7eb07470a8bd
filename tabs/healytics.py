"""Healytics tab: upload a lab report (or pick a sample), see every result flagged, charted and explained.

UI only: the analysis, chart, summary and download come from `engine.reports`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import gradio as gr

from reports.view import TABLE_HEADERS
from tabs.common import disclaimer

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
SAMPLE_SUFFIXES = {".pdf", ".txt", ".png", ".jpg"}
INTRO = ("### Healytics: understand your lab report\n"
         "Upload a PDF, a text file or a photo of your report, or open a sample. Every value and flag below is "
         "computed from the report itself; the written summary is checked so that it never names a number "
         "that is not in your results.")


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES) if SAMPLES_DIR.is_dir() else []


@dataclass
class HealyticsUI:
    upload: gr.File
    samples: list[tuple[gr.Button, str]]
    status: gr.Markdown
    banner: gr.Markdown
    table: gr.Dataframe
    chart: gr.HTML
    explanation: gr.Markdown
    catalogue: gr.Markdown
    download: gr.DownloadButton
    add_to_chat: gr.Button
    chat_status: gr.Markdown

    @property
    def page_outputs(self) -> list:
        return [self.status, self.banner, self.table, self.chart, self.catalogue, self.explanation, self.download,
                self.add_to_chat, self.chat_status]

    def cleared(self, status: str = "") -> dict:
        """Every page output reset (no report, or a report that could not be read)."""
        return {self.status: status, self.banner: gr.Markdown(value="", visible=False), self.table: [],
                self.chart: "", self.catalogue: "", self.explanation: "",
                self.download: gr.DownloadButton(visible=False), self.add_to_chat: gr.Button(interactive=False),
                self.chat_status: ""}


def build_ui() -> HealyticsUI:
    disclaimer()
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1):
            upload = gr.File(label="Your lab report (PDF, text or photo)",
                             file_types=[".pdf", ".txt", ".png", ".jpg", ".jpeg"], type="filepath")
            gr.Markdown("**Or open a sample report:**")
            samples = [(gr.Button(path.stem.replace("_", " "), size="sm"), str(path)) for path in sample_files()]
            status = gr.Markdown()
        with gr.Column(scale=2):
            banner = gr.Markdown(visible=False, elem_classes=["healify-urgent"])
            table = gr.Dataframe(headers=TABLE_HEADERS, value=[], label="Results", interactive=False, wrap=True,
                                 column_widths=["28%", "10%", "10%", "16%", "12%", "17%", "7%"])
    gr.Markdown("### Your values against their reference ranges")
    chart = gr.HTML()
    gr.Markdown("### Summary in plain language")
    explanation = gr.Markdown("_The summary appears here after a report is analysed._")
    gr.Markdown("### What each result means")
    catalogue = gr.Markdown()
    with gr.Row():
        download = gr.DownloadButton("Download summary (Markdown)", visible=False)
        add_to_chat = gr.Button("Add to HealyChat", interactive=False)
    chat_status = gr.Markdown()
    return HealyticsUI(upload, samples, status, banner, table, chart, explanation, catalogue, download,
                       add_to_chat, chat_status)


def create_healytics_tab(engine, events) -> None:
    ui = build_ui()
    engine.reports  # noqa: B018 - created at build time: its session hook must exist before any session ends
    register_events(ui, engine, events)


def analyze_handler(ui: HealyticsUI, engine, sample_path: str | None = None):
    """The Analyse event: a file (or a fixed sample) -> every page output."""
    def analyze(path, request: gr.Request, progress=gr.Progress()):
        from reports.extract import DocumentError
        from reports.service import ReportState

        session = engine.session(request)
        if path and not sample_path:
            session.track_upload(path)
        path = sample_path or path
        session.report = None
        if not path:
            return ui.cleared("Upload a report or choose a sample.")
        progress(0.1, desc="Reading the document (scanned pages take a few seconds each)")
        try:
            analysis = engine.reports.analyze(path)
        except DocumentError as error:
            return ui.cleared(f"⚠️ {error}")
        progress(0.7, desc="Flagging and explaining results")
        session.report = ReportState(analysis, str(path))
        page = engine.reports.page(analysis, engine.reports.download_dir(session))
        return {ui.status: page.summary, ui.banner: gr.Markdown(value=page.banner, visible=bool(page.banner)),
                ui.table: page.rows, ui.chart: page.chart, ui.catalogue: page.catalogue_text,
                ui.explanation: "_Writing a plain-language summary..._" if page.rows else "",
                ui.download: gr.DownloadButton(value=page.download, visible=True),
                ui.add_to_chat: gr.Button(interactive=True), ui.chat_status: ""}
    return analyze


def explain_handler(engine):
    """The summary event: streams the guarded LLM summary, then refreshes the download."""
    def explain(request: gr.Request):
        from models.registry import ModelUnavailable
        from reports.view import download_file

        session = engine.session(request)
        state = session.report
        if not state or not state.analysis.parsed.results:
            yield "", gr.DownloadButton()
            return
        try:
            for text in engine.reports.explain_stream(state.analysis):
                yield text or "_Writing..._", gr.DownloadButton()
        except ModelUnavailable as error:
            state.analysis.llm_note = str(error)
            yield (f"_The language model is unavailable ({error}). The table and the explanations below are "
                   f"complete without it._"), gr.DownloadButton()
            return
        download = download_file(state.analysis, engine.reports.download_dir(session))
        yield state.analysis.llm_text, gr.DownloadButton(value=download, visible=True)
    return explain


def add_to_healychat_handler(engine, events):
    def add_to_healychat(request: gr.Request):
        session = engine.session(request)
        state = session.report
        if not state:
            return "Analyse a report first.", gr.update()
        analysis = state.analysis
        try:
            message = engine.rag.add_document(session, analysis.document.name, analysis.document.pages,
                                              analysis.parsed.results, ocr_used=analysis.document.ocr_used,
                                              source_file=state.path)
        except Exception as error:  # HealyChat problems must not break this tab
            return f"Could not add the report to HealyChat: {error}", gr.update()
        return message, events.bump()
    return add_to_healychat


def register_events(ui: HealyticsUI, engine, events) -> None:
    explain = explain_handler(engine)
    ui.upload.upload(analyze_handler(ui, engine), inputs=[ui.upload], outputs=ui.page_outputs,
                     api_name="healytics_analyze", api_visibility="undocumented", concurrency_id="documents").then(
        explain, outputs=[ui.explanation, ui.download], api_name="healytics_explain", api_visibility="undocumented",
        concurrency_id="llm")
    for button, sample_path in ui.samples:
        button.click(analyze_handler(ui, engine, sample_path), inputs=[ui.upload], outputs=ui.page_outputs,
                     api_visibility="private", concurrency_id="documents").then(
            explain, outputs=[ui.explanation, ui.download], api_visibility="private", concurrency_id="llm")
    ui.add_to_chat.click(add_to_healychat_handler(engine, events), outputs=[ui.chat_status, events.records_changed],
                         api_name="healytics_add_to_healychat", api_visibility="undocumented")
    events.on_signed_in(lambda: ui.cleared(), outputs=ui.page_outputs)
