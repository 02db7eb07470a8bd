"""One report end to end: file -> text -> results -> flags -> explanations (used by the CLI, the tab and the eval)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reports.explain import (
    catalogue_explanation,
    computed_summary,
    findings_text,
    names_a_result,
    report_language,
    stream_llm_explanation,
    with_every_abnormal_result,
)
from reports.extract import DocumentError, ExtractedDocument, extract_document
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


IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}


def read_and_parse(path: str | Path, settings: Settings) -> tuple[ExtractedDocument, ParsedReport]:
    """Extract and parse one report within the configured limits (each checked before the heavy work)."""
    check_image_size(Path(path), settings.max_image_pixels)
    document = extract_document(path, max_pages=settings.max_pdf_pages, max_bytes=settings.max_upload_mb * 2**20)
    characters = sum(len(page) for page in document.pages)
    if characters > settings.max_text_chars:
        raise DocumentError(f"{document.name} holds {characters:,} characters of text; Healytics reads reports of up "
                            f"to {settings.max_text_chars:,}. Please upload the report pages only.")
    return document, parse_report(document.pages, max_rows=settings.max_results)


def contract(analysis: ReportAnalysis) -> dict:
    """The analysis as the fixed `app.py analyze --json` contract (also the MCP tool's output)."""
    return {"file": analysis.document.name, "pages": len(analysis.document.pages),
            "ocr_used": analysis.document.ocr_used,
            "results": [r.to_contract() for r in analysis.parsed.results],
            "explanation": analysis.llm_text or analysis.catalogue_text}


def check_image_size(path: Path, max_pixels: int) -> None:
    """Refuse an oversized photo from its header, before it is decoded or OCR'd."""
    if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError):
        return  # extraction gives the precise message for unreadable images
    if width * height > max_pixels:
        raise DocumentError(f"This photo is too large ({width}x{height} pixels); the limit is "
                            f"{max_pixels / 1e6:.0f} megapixels. Please upload a smaller photo or a PDF.")


def summary_stream(parsed: ParsedReport, settings: Settings) -> Iterator[str]:
    """The plain-language summary as it grows (raises models.registry.ModelUnavailable).

    English reports get the guarded LLM summary; the explainer was fine-tuned in English, so a report in another
    language gets a summary computed by code instead (in French for a French report, else in English). So does a
    report whose model summary, once its unchecked sentences are dropped, names none of the results it is about
    (on the Chinese dev photo only one of the model's questions for the doctor was left). A model summary that names
    some results gets a sentence naming the abnormal ones it left out.
    """
    from models.registry import get_report_llm

    language = report_language(parsed.results)
    if language != "en":
        yield computed_summary(parsed.results, language)
        return
    text = ""
    for text in stream_llm_explanation(parsed.results, get_report_llm(settings), age=parsed.age, sex=parsed.sex,
                                       max_new_tokens=settings.max_new_tokens):
        yield text
    if not names_a_result(text, parsed.results):
        yield computed_summary(parsed.results)
    elif (complete := with_every_abnormal_result(text, parsed.results)) != text:
        yield complete


def llm_summary(parsed: ParsedReport, settings: Settings) -> str:
    """The whole summary of `summary_stream`."""
    *_, text = summary_stream(parsed, settings)
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
