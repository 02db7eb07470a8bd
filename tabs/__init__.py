"""One module per tab. Each exposes `create_<name>_tab(engine)`, called inside its `gr.Tab`; it only builds UI."""
