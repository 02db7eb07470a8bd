"""App-wide events shared by the tabs (kotaemon-style): a tab that signs a user in, or changes their records,
bumps a signal; the other tabs listen and refresh, with no click needed. Public Gradio API only."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import gradio as gr


@dataclass
class AppEvents:
    demo: gr.Blocks
    signed_in: gr.State        # bumped on login, registration and logout
    records_changed: gr.State  # bumped when the session's HealyChat records change
    tabs: dict[str, gr.Tab] = field(default_factory=dict)

    @classmethod
    def create(cls, demo: gr.Blocks) -> AppEvents:
        """Inside `with gr.Blocks() as demo:`, before the tabs are built."""
        return cls(demo, gr.State(0), gr.State(0))

    @staticmethod
    def bump() -> int:
        """A new signal value: any change fires the listeners."""
        return time.time_ns()

    def on_page_load(self, fn, inputs=None, outputs=None) -> None:
        self.demo.load(fn, inputs, outputs, api_visibility="private")

    def on_signed_in(self, fn, inputs=None, outputs=None) -> None:
        self.signed_in.change(fn, inputs, outputs, api_visibility="private")

    def on_records_changed(self, fn, inputs=None, outputs=None) -> None:
        self.records_changed.change(fn, inputs, outputs, api_visibility="private")
