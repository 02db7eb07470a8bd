"""HealyChat tab: upload records, ask questions, read cited answers (or an honest "not in your records")."""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from tabs.common import disclaimer

INTRO = ("### HealyChat: ask your own records\n"
         "Upload discharge letters, prescriptions, vaccination records or lab reports (PDF or text). "
         "Answers quote and cite the passages they come from; when your records do not contain the answer, "
         "HealyChat says so. As a guest, your files and index are deleted when you leave.")
HEADERS = ["Record", "Pages", "Passages", "Lab results"]


def format_answer(answer) -> str:
    """The answer, then its sources (document, page or section, snippet, score) in a collapsible block."""
    if not answer.sources:
        return answer.answer
    from knowledge.service import collapsible_sources

    title = "Closest passages (weak match)" if answer.abstained else "Sources"
    lines = []
    for number, source in enumerate(answer.sources, start=1):
        snippet = " ".join(source.text.split())
        snippet = snippet if len(snippet) <= 220 else snippet[:217] + "..."
        where = source.location or f"page {source.page}"
        lines.append(f"{number}. *{source.doc}*, {where} · score {source.score:.2f} · {snippet}")
    return f"{answer.answer}\n\n" + collapsible_sources("\n".join(lines), f"{title} ({len(answer.sources)})")


@dataclass
class HealyChatUI:
    files: gr.File
    status: gr.Markdown
    documents: gr.Dataframe
    chosen: gr.Dropdown
    remove: gr.Button
    clear: gr.Button
    refresh: gr.Button
    keep: gr.Checkbox
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button


def build_ui() -> HealyChatUI:
    disclaimer()
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1):
            files = gr.File(label="Add records (PDF, text, or a photo/scan)", file_count="multiple",
                            file_types=[".pdf", ".txt", ".png", ".jpg", ".jpeg"], type="filepath")
            status = gr.Markdown()
            documents = gr.Dataframe(headers=HEADERS, label="Records in this session", interactive=False,
                                     value=[])
            chosen = gr.Dropdown(label="Record to remove", choices=[], value=None)
            with gr.Row():
                remove = gr.Button("Remove record")
                clear = gr.Button("Remove all", variant="stop")
                refresh = gr.Button("Refresh list")
            keep = gr.Checkbox(label="Keep my records for my next visit (logged-in users; only you can see them)",
                               value=False)
        with gr.Column(scale=2):
            chatbot = gr.Chatbot(label="HealyChat", height=460)
            question = gr.Textbox(label="Your question", placeholder="e.g. What was my hemoglobin?")
            ask = gr.Button("Ask", variant="primary")
    return HealyChatUI(files, status, documents, chosen, remove, clear, refresh, keep, chatbot, question, ask)


def listing(engine, session):
    """The session's records as table rows and as choices for the Remove dropdown."""
    docs = engine.rag.list_documents(session)
    rows = [[d.name, d.pages, d.chunks, d.lab_results] for d in docs]
    choices = [(f"{d.name} ({d.pages} p.)", d.doc_id) for d in docs]
    return rows, gr.update(choices=choices, value=None)


def record_handlers(engine):
    """Upload, remove, clear, refresh and keep: each returns a status and the refreshed listing."""
    def on_upload(paths, request: gr.Request):
        from rag.documents import RecordError

        session = engine.session(request)
        messages = []
        for path in paths or []:
            session.track_upload(path)
            try:
                messages.append(engine.rag.add_file(session, path))
            except RecordError as error:
                messages.append(f"⚠️ {error}")
            except Exception as error:  # a model that failed to load: say so, keep the app alive
                messages.append(f"⚠️ Could not add this record: {error}")
        return "\n\n".join(messages), *listing(engine, session), None

    def on_remove(doc_id, request: gr.Request):
        session = engine.session(request)
        message = engine.rag.remove_document(session, doc_id) if doc_id else "Choose a record to remove."
        return message, *listing(engine, session)

    def on_clear(request: gr.Request):
        session = engine.session(request)
        return engine.rag.clear(session), *listing(engine, session)

    def on_refresh(request: gr.Request):
        session = engine.session(request)
        rows, choices = listing(engine, session)
        return rows, choices, session.keep_records

    def on_keep(value, request: gr.Request):
        session = engine.session(request)
        message = engine.rag.set_keep_records(session, value)
        return message, gr.update(value=session.keep_records)

    return on_upload, on_remove, on_clear, on_refresh, on_keep


def ask_handler(engine):
    def on_ask(text, history, request: gr.Request):
        session = engine.session(request)
        history = list(history or [])
        text = (text or "").strip()
        if not text:
            yield history, ""
            return
        history.append({"role": "user", "content": text})
        try:
            for answer in engine.rag.answer_stream(session, text):
                yield history + [{"role": "assistant", "content": format_answer(answer)}], ""
        except Exception as error:  # model unavailable or broken backend: answer in the chat, never crash
            yield history + [{"role": "assistant", "content": f"⚠️ HealyChat could not answer: {error}"}], ""
    return on_ask


def create_healychat_tab(engine, events) -> None:
    ui = build_ui()
    on_upload, on_remove, on_clear, on_refresh, on_keep = record_handlers(engine)
    listed = [ui.documents, ui.chosen]
    ui.files.upload(on_upload, [ui.files], [ui.status, *listed, ui.files], api_name="healychat_upload",
                    api_visibility="undocumented", concurrency_id="documents")
    ui.remove.click(on_remove, [ui.chosen], [ui.status, *listed], api_name="healychat_remove", api_visibility="undocumented")
    ui.clear.click(on_clear, None, [ui.status, *listed], api_name="healychat_clear", api_visibility="undocumented")
    ui.refresh.click(on_refresh, None, [*listed, ui.keep], api_name="healychat_documents", api_visibility="undocumented")
    ui.keep.input(on_keep, [ui.keep], [ui.status, ui.keep], api_name="healychat_keep", api_visibility="undocumented")
    on_ask = ask_handler(engine)
    ask = dict(fn=on_ask, inputs=[ui.question, ui.chatbot], outputs=[ui.chatbot, ui.question], concurrency_id="llm")
    ui.question.submit(**ask, api_name="healychat_ask", api_visibility="undocumented")
    ui.ask.click(**ask, api_name=False)
    events.on_records_changed(on_refresh, None, [*listed, ui.keep])
    events.on_signed_in(on_refresh, None, [*listed, ui.keep])
    events.on_signed_in(lambda: [], None, [ui.chatbot])
