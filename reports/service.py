"""Healytics' service (`engine.reports`): a lab report file -> results, flags, chart, explanations, download.

Used by the tab, the CLI and the evaluation; no Gradio here. The LLM summary streams through the guards
in `reports.explain`; the table, flags and catalogue text are computed and complete without it.
"""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reports import view
from reports.analysis import ReportAnalysis, analyze_file, summary_stream
from reports.explain import urgent_banner
from settings import Settings


@dataclass
class ReportState:
    """A session's last analysed report (`session.report`)."""
    analysis: ReportAnalysis
    path: str


@dataclass
class ReportPage:
    """Everything the Healytics page shows for one analysis, computed."""
    summary: str
    banner: str
    rows: list[list]
    chart: str
    catalogue_text: str
    download: str


class ReportService:
    def __init__(self, settings: Settings):
        self.settings = settings

    def analyze(self, path: str | Path) -> ReportAnalysis:
        """Read, parse and flag one report (no LLM); raises reports.extract.DocumentError on bad input."""
        return analyze_file(path, settings=self.settings)

    def page(self, analysis: ReportAnalysis, download_dir: Path) -> ReportPage:
        results = analysis.parsed.results
        return ReportPage(summary=view.summary_markdown(analysis), banner=urgent_banner(results) or "",
                          rows=view.results_rows(results), chart=view.range_chart(results),
                          catalogue_text=analysis.catalogue_text,
                          download=view.download_file(analysis, download_dir))

    def explain_stream(self, analysis: ReportAnalysis) -> Iterator[str]:
        """The guarded LLM summary as it grows; sets `analysis.llm_text` at the end.

        Raises models.registry.ModelUnavailable when the report LLM cannot load.
        """
        text = ""
        for text in summary_stream(analysis.parsed, self.settings):
            yield text
        analysis.llm_text = text.strip()

    @staticmethod
    def _download_path(session) -> Path:
        """Per-session folder for summary downloads, under the temp dir Gradio serves from.

        Named like the session's own folder (a server-made UUID), never by the client's session id.
        """
        return Path(tempfile.gettempdir()) / "healify-healytics" / session.workdir.name

    def download_dir(self, session) -> Path:
        folder = self._download_path(session)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def drop_session(self, session) -> None:
        shutil.rmtree(self._download_path(session), ignore_errors=True)
