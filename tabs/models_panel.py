"""Models panel for reviewers: which model serves each feature, its source, state, load time and memory."""
from __future__ import annotations

import gradio as gr

from tabs.common import disclaimer

COLUMNS = ["Feature", "Model", "State", "Load time (s)", "Memory added (MB)", "Error"]


def model_rows(engine) -> list[list]:
    from models.registry import REGISTRY, describe_defaults

    describe_defaults(engine.settings)
    rows = []
    for status in REGISTRY.status():
        rows.append([status.feature, status.source, status.state,
                     None if status.load_s is None else round(status.load_s, 2),
                     None if status.memory_mb is None else round(status.memory_mb),
                     status.error or ""])
    return rows


def create_models_tab(engine, events) -> None:
    disclaimer()
    gr.Markdown("Models load on first use and stay in memory. Memory is the process's RSS growth while loading.")
    table = gr.Dataframe(headers=COLUMNS, value=[], interactive=False, wrap=True,
                         column_widths=["16%", "40%", "10%", "10%", "10%", "14%"])
    poll = gr.Timer(2.0, active=False)  # runs only while a model is loading

    def refresh():
        rows = model_rows(engine)
        return rows, gr.Timer(active=any(row[2] == "loading" for row in rows))

    gr.Button("Refresh").click(lambda: model_rows(engine), outputs=table, api_name="models_status", api_visibility="undocumented")
    events.on_page_load(refresh, outputs=[table, poll])
    events.tabs["models_panel"].select(refresh, outputs=[table, poll], api_visibility="private")
    poll.tick(refresh, outputs=[table, poll], api_visibility="private")
