"""Healytics tab: upload a lab report (or pick a sample), see every result flagged, charted and explained."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import gradio as gr

from tabs.common import disclaimer

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
SAMPLE_SUFFIXES = {".pdf", ".txt", ".png", ".jpg"}
HEADERS = ["Test", "Result", "Unit", "Reference range", "Range from", "Flag", "Page"]
FLAG_BADGES = {"critical_low": "⛔ critical low", "critical_high": "⛔ critical high", "low": "🔵 low",
               "high": "🔴 high", "abnormal": "🟠 abnormal", "normal": "🟢 normal", "unknown": "⚪ unknown"}
STATE_KEY = "healytics_analysis"
INTRO = ("### Healytics: understand your lab report\n"
         "Upload a PDF, a text file or a photo of your report, or open a sample. Every value and flag below is "
         "computed from the report itself; the written summary is checked so that it never names a number "
         "that is not in your results.")


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES_DIR.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES) if SAMPLES_DIR.is_dir() else []


def results_rows(results) -> list[list]:
    return [[r.test, r.value_text, r.unit or "", r.ref_text or "",
             {"report": "report", "reference_table": "standard table"}.get(r.ref_source, ""),
             FLAG_BADGES.get(r.flag, r.flag), r.page] for r in results]


def range_chart(results) -> str:
    """HTML chart of each numeric result against its range: the green band is the range, the dot the value."""
    from html import escape

    rows = [r for r in results if r.value is not None and r.ref_low is not None and r.ref_high is not None
            and r.ref_high > r.ref_low][:40]
    if not rows:
        return "<p><em>No result with a two-sided reference range to chart.</em></p>"
    colours = {"normal": "#16a34a", "low": "#2563eb", "high": "#dc2626", "critical_low": "#7f1d1d",
               "critical_high": "#7f1d1d", "abnormal": "#d97706", "unknown": "#6b7280"}
    lines = ['<div style="font-size:12px">']
    for result in rows:
        position = (result.value - result.ref_low) / (result.ref_high - result.ref_low)
        left = (max(-1.0, min(2.0, position)) + 1.0) / 3.0 * 100
        unit = f" {escape(result.unit)}" if result.unit else ""
        lines.append(
            '<div style="display:flex;align-items:center;margin:2px 0">'
            f'<div style="width:38%;overflow:hidden;white-space:nowrap">{escape(result.test[:40])}: '
            f'<b>{escape(result.value_text)}</b>{unit}</div>'
            '<div style="position:relative;width:60%;height:12px;background:#f3f4f6;border-radius:6px">'
            '<div style="position:absolute;left:33.3%;width:33.4%;height:12px;background:#bbf7d0"></div>'
            f'<div title="{escape(result.ref_text or "")}" style="position:absolute;left:calc({left:.1f}% - 6px);'
            f'width:12px;height:12px;border-radius:6px;background:{colours.get(result.flag, "#6b7280")}"></div>'
            '</div></div>')
    lines.append('<div style="color:#6b7280">Green band: the reference range. Dots left of it are low, right of it '
                 'high (drawn at most one range-width outside).</div></div>')
    return "\n".join(lines)


def summary_markdown(analysis) -> str:
    parsed, document = analysis.parsed, analysis.document
    patient = ", ".join(p for p in (f"age {parsed.age_text or parsed.age}" if parsed.age_text or parsed.age else "",
                                    parsed.sex or "") if p)
    lines = [f"**{document.name}**: {len(document.pages)} page(s), {len(parsed.results)} result(s), "
             f"{len(parsed.abnormal)} outside the range." + (f" Patient: {patient}." if patient else "")]
    if document.ocr_used:
        lines.append("Some pages were scanned images and were read by OCR: please check the values against your report.")
    if any(r.ref_source == "reference_table" for r in parsed.results):
        lines.append("Where your report printed no range, Healify used its standard adult reference table "
                     "(marked *standard table*); your laboratory's own range may differ.")
    if not parsed.results:
        lines.append("No lab results were recognised in this document.")
    return "\n\n".join(lines)


def download_file(analysis, folder: Path) -> str:
    from reports.explain import urgent_banner

    path = folder / (Path(analysis.document.name).stem + "_healytics_summary.md")
    parts = ["# Healytics summary: " + analysis.document.name, "", summary_markdown(analysis), ""]
    banner = urgent_banner(analysis.parsed.results)
    if banner:
        parts += [banner, ""]
    if analysis.llm_text:
        parts += ["## Summary", analysis.llm_text, ""]
    parts += ["## Your results, one by one", analysis.catalogue_text, "",
              "_Not a diagnosis: information only. Talk to your doctor about your results._"]
    path.write_text("\n".join(parts), encoding="utf-8")
    return str(path)


def download_folder(session) -> Path:
    """Per-session folder for summary downloads, under the temp dir Gradio serves from.

    Named like the session's own folder (a server-made UUID), never by the client's session id.
    """
    folder = Path(tempfile.gettempdir()) / "healify-healytics" / session.workdir.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _drop_downloads(session) -> None:
    shutil.rmtree(Path(tempfile.gettempdir()) / "healify-healytics" / session.workdir.name, ignore_errors=True)


def create_healytics_tab(engine) -> None:
    engine.sessions.on_drop(_drop_downloads)
    disclaimer()
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1):
            upload = gr.File(label="Your lab report (PDF, text or photo)", file_types=[".pdf", ".txt", ".png", ".jpg", ".jpeg"],
                             type="filepath")
            gr.Markdown("**Or open a sample report:**")
            sample_buttons = [(gr.Button(path.stem.replace("_", " "), size="sm"), str(path)) for path in sample_files()]
            status = gr.Markdown()
        with gr.Column(scale=2):
            banner = gr.Markdown(visible=False, elem_classes=["healify-urgent"])
            table = gr.Dataframe(headers=HEADERS, value=[], label="Results", interactive=False, wrap=True)
    gr.Markdown("### Your values against their reference ranges")
    chart = gr.HTML()
    gr.Markdown("### Summary in plain language")
    explanation = gr.Markdown("_The summary appears here after a report is analysed._")
    gr.Markdown("### What each result means")
    catalogue_md = gr.Markdown()
    with gr.Row():
        download = gr.DownloadButton("Download summary (Markdown)", visible=False)
        add_to_chat = gr.Button("Add to HealyChat", interactive=False)
    chat_status = gr.Markdown()

    def analyze(path, request: gr.Request, progress=gr.Progress()):
        from reports.analysis import ReportAnalysis, read_and_parse
        from reports.explain import catalogue_explanation, urgent_banner
        from reports.extract import DocumentError

        session = engine.session(request)
        session.items.pop(STATE_KEY, None)
        if not path:
            return (gr.Markdown("Upload a report or choose a sample."), gr.Markdown(visible=False), [], "", "", "",
                    gr.DownloadButton(visible=False), gr.Button(interactive=False), "")
        progress(0.1, desc="Reading the document (scanned pages take a few seconds each)")
        try:
            document, parsed = read_and_parse(path, engine.settings)
        except DocumentError as error:
            return (gr.Markdown(f"⚠️ {error}"), gr.Markdown(visible=False), [], "", "", "",
                    gr.DownloadButton(visible=False), gr.Button(interactive=False), "")
        progress(0.7, desc="Flagging and explaining results")
        analysis = ReportAnalysis(document, parsed, catalogue_explanation(parsed.results))
        session.items[STATE_KEY] = {"analysis": analysis, "path": str(path)}
        banner_text = urgent_banner(parsed.results)
        return (gr.Markdown(summary_markdown(analysis)), gr.Markdown(banner_text or "", visible=bool(banner_text)),
                results_rows(parsed.results), range_chart(parsed.results), analysis.catalogue_text,
                "_Writing a plain-language summary..._" if parsed.results else "",
                gr.DownloadButton(value=download_file(analysis, download_folder(session)), visible=True),
                gr.Button(interactive=True), "")

    def explain(request: gr.Request):
        from models.registry import ModelUnavailable, get_report_llm
        from reports.explain import stream_llm_explanation

        session = engine.session(request)
        state = session.items.get(STATE_KEY)
        if not state or not state["analysis"].parsed.results:
            yield "", gr.DownloadButton()
            return
        analysis = state["analysis"]
        try:
            llm = get_report_llm(engine.settings)
            text = ""
            for text in stream_llm_explanation(analysis.parsed.results, llm, age=analysis.parsed.age,
                                               sex=analysis.parsed.sex, max_new_tokens=engine.settings.max_new_tokens):
                yield text or "_Writing..._", gr.DownloadButton()
            analysis.llm_text = text.strip()
            yield analysis.llm_text, gr.DownloadButton(value=download_file(analysis, download_folder(session)), visible=True)
        except ModelUnavailable as error:
            analysis.llm_note = str(error)
            yield (f"_The language model is unavailable ({error}). The table and the explanations below are "
                   f"complete without it._"), gr.DownloadButton()

    def add_to_healychat(request: gr.Request):
        session = engine.session(request)
        state = session.items.get(STATE_KEY)
        if not state:
            return "Analyse a report first."
        analysis = state["analysis"]
        try:
            return engine.rag.add_document(session, analysis.document.name, analysis.document.pages,
                                           analysis.parsed.results, ocr_used=analysis.document.ocr_used,
                                           source_file=state["path"])
        except Exception as error:  # HealyChat problems must not break this tab
            return f"Could not add the report to HealyChat: {error}"

    outputs = [status, banner, table, chart, catalogue_md, explanation, download, add_to_chat, chat_status]
    upload.upload(analyze, inputs=[upload], outputs=outputs, api_name="healytics_analyze").then(
        explain, outputs=[explanation, download], api_name="healytics_explain")
    def analyze_sample(sample_path: str):
        def run(request: gr.Request, progress=gr.Progress()):
            return analyze(sample_path, request, progress)
        return run

    for button, sample_path in sample_buttons:
        button.click(analyze_sample(sample_path), outputs=outputs).then(explain, outputs=[explanation, download])
    add_to_chat.click(add_to_healychat, outputs=[chat_status], api_name="healytics_add_to_healychat")
