"""Healify: one Gradio app (`python app.py`) and its command line (`python app.py analyze|ask|classify|eval-skin|contact`)."""
import argparse
import importlib
import os
import sys

import settings  # noqa: F401  (sets quiet, offline-friendly environment defaults first)

TABS = [  # (tab label, module in tabs/, builder function)
    ("Home", "tabs.home", "create_home_tab"),
    ("Healytics", "tabs.healytics", "create_healytics_tab"),
    ("HealyChat", "tabs.healychat", "create_healychat_tab"),
    ("SkinGuard", "tabs.skinguard", "create_skinguard_tab"),
    ("Medical assistant", "tabs.assistant", "create_assistant_tab"),
    ("Account", "tabs.account", "create_account_tab"),
    ("Contact", "tabs.contact", "create_contact_tab"),
    ("Models", "tabs.models_panel", "create_models_tab"),
]


def build_demo(engine=None):
    """Build the whole Blocks app around one Engine."""
    import gradio as gr

    from engine import Engine
    from tabs.api import register_tools
    from tabs.common import CSS
    from tabs.events import AppEvents

    engine = engine or Engine()
    # Gradio's cache of uploads and outputs is swept hourly as a backstop; a session's own uploads are deleted
    # as soon as it ends (SessionStore).
    with gr.Blocks(title="Healify", delete_cache=(3600, max(engine.settings.session_ttl_s, 600))) as demo:
        gr.Markdown("# 🩺 Healify\nUnderstand your own health data: lab reports, records, skin photos.")
        events = AppEvents.create(demo)
        for label, module_name, builder in TABS:
            module = importlib.import_module(module_name)
            tab_id = module_name.split(".")[-1]
            with gr.Tab(label, id=tab_id) as tab:
                events.tabs[tab_id] = tab
                getattr(module, builder)(engine, events)

        register_tools(engine)

        def end_session(request: gr.Request):  # gradio injects the request from this annotation
            engine.end_session(request)

        demo.unload(end_session)
    demo.healify_engine = engine
    demo.healify_css = CSS
    return demo


def serve(args) -> int:
    from engine import Engine

    engine = Engine()
    demo = build_demo(engine)
    engine.sessions.start_sweeper()
    if engine.settings.warmup:
        engine.warm_up_in_background()
    demo.queue(default_concurrency_limit=engine.settings.concurrency, max_size=engine.settings.queue_size)
    # No run history (the browser would keep every report, chat and password), no internal error text for
    # clients (handlers raise gr.Error with a friendly line), and the four tools of tabs/api.py over MCP.
    demo.launch(server_name=args.host, server_port=args.port, share=args.share,
                max_file_size=f"{engine.settings.max_upload_mb}mb", css=demo.healify_css,
                show_error=False, run_history=False, mcp_server=True, footer_links=["api", "settings"])
    return 0


def _feature(module: str, function: str):
    """A subcommand implemented in a feature package, imported only when used."""
    def run(args) -> int:
        return getattr(importlib.import_module(module), function)(args)
    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="app.py", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                        help="serve on this address (a Space sets GRADIO_SERVER_NAME=0.0.0.0)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    parser.add_argument("--share", action="store_true", help="create a public Gradio share link")
    parser.set_defaults(run=serve)
    sub = parser.add_subparsers(dest="command")

    analyze = sub.add_parser("analyze", help="extract, flag and explain the results of a lab report")
    analyze.add_argument("file")
    analyze.add_argument("--json", action="store_true", help="print JSON")
    analyze.add_argument("--no-llm", action="store_true", help="skip the LLM explanation")
    analyze.set_defaults(run=_feature("reports.cli", "analyze_command"))

    ask = sub.add_parser("ask", help="ask a question about your documents")
    ask.add_argument("--doc", action="append", required=True, help="a PDF or text file (repeatable)")
    ask.add_argument("--question", required=True)
    ask.add_argument("--json", action="store_true")
    ask.set_defaults(run=_feature("rag.cli", "ask_command"))

    classify = sub.add_parser("classify", help="classify skin lesion photos")
    classify.add_argument("images", nargs="+")
    classify.add_argument("--json", action="store_true")
    classify.set_defaults(run=_feature("skin.cli", "classify_command"))

    eval_skin = sub.add_parser("eval-skin", help="evaluate SkinGuard on DIR/<class>/*.jpg")
    eval_skin.add_argument("dir")
    eval_skin.add_argument("--json", action="store_true")
    eval_skin.set_defaults(run=_feature("skin.cli", "eval_command"))

    contact = sub.add_parser("contact", help="list messages sent through the Contact form")
    contact.add_argument("--json", action="store_true")
    contact.set_defaults(run=_feature("storage.cli", "contact_command"))
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
