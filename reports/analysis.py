"""One report end to end: file -> text -> results -> flags -> explanations (used by the CLI, the tab and the eval)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reports.explain import catalogue_explanation, findings_text, stream_llm_explanation
from reports.extract import ExtractedDocument, extract_document
from reports.parser import ParsedReport, parse_report
from settings import Settings


@dataclass
class ReportAnalysis:
    document: ExtractedDocument
    parsed: ParsedReport
    catalogue_text: str
    llm_text: str | None = None      # guarded LLM summary, when generated
    llm_note: str | None = None      # why there is no LLM summary (model unavailable, ...)

    @property
    def findings_text(self) -> str:
        return findings_text(self.parsed.results, self.parsed.age, self.parsed.sex)

    @property
    def displayed_explanation(self) -> str:
        return "\n\n".join(t for t in (self.llm_text, self.catalogue_text) if t)


def read_and_parse(path: str | Path, settings: Settings) -> tuple[ExtractedDocument, ParsedReport]:
    document = extract_document(path, max_pages=settings.max_pdf_pages, max_bytes=settings.max_upload_mb * 2**20)
    return document, parse_report(document.pages)


def llm_summary(parsed: ParsedReport, settings: Settings) -> str:
    """The whole guarded LLM summary (raises models.registry.ModelUnavailable)."""
    from models.registry import get_report_llm

    llm = get_report_llm(settings)
    *_, text = stream_llm_explanation(parsed.results, llm, age=parsed.age, sex=parsed.sex,
                                      max_new_tokens=settings.max_new_tokens)
    return text.strip()


def analyze_file(path: str | Path, *, settings: Settings, use_llm: bool = False) -> ReportAnalysis:
    """Read, parse, flag and explain one report; raises reports.extract.DocumentError on bad input."""
    from models.registry import ModelUnavailable

    document, parsed = read_and_parse(path, settings)
    analysis = ReportAnalysis(document, parsed, catalogue_explanation(parsed.results))
    if use_llm and parsed.results:
        try:
            analysis.llm_text = llm_summary(parsed, settings)
        except ModelUnavailable as error:
            analysis.llm_note = str(error)
    return analysis
