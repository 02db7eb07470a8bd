"""What Healytics shows for one analysed report, built without Gradio: table rows, range chart, summary, download."""
from __future__ import annotations

from html import escape
from pathlib import Path

from reports.explain import urgent_banner

FLAG_BADGES = {"critical_low": "⛔ critical low", "critical_high": "⛔ critical high", "low": "🔵 low",
               "high": "🔴 high", "abnormal": "🟠 abnormal", "normal": "🟢 normal", "unknown": "⚪ unknown"}
TABLE_HEADERS = ["Test", "Result", "Unit", "Reference range", "Range from", "Flag", "Page"]


def results_rows(results) -> list[list]:
    return [[r.test, r.value_text, r.unit or "", r.ref_text or "",
             {"report": "report", "reference_table": "standard table"}.get(r.ref_source, ""),
             FLAG_BADGES.get(r.flag, r.flag), r.page] for r in results]


def range_chart(results) -> str:
    """HTML chart of each numeric result against its range: the green band is the range, the dot the value."""
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
    lines += getattr(document, "notes", []) + parsed.notes
    if any(r.ref_source == "reference_table" for r in parsed.results):
        lines.append("Where your report printed no range, Healify used its standard adult reference table "
                     "(marked *standard table*); your laboratory's own range may differ.")
    if not parsed.results:
        lines.append("No lab results were recognised in this document.")
    return "\n\n".join(lines)


def download_file(analysis, folder: Path) -> str:
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
