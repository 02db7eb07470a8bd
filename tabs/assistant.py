"""Medical assistant tab: a streamed chat with Stop and Retry, and a side panel of conversations.

Logged-in users' conversations persist in SQLite; a guest's last only for the browser session.
Emergency guidance comes first for red-flag messages; model reasoning is shown collapsed.
API (gradio_client): /assistant_send, /assistant_retry, /assistant_stop, /assistant_new, /assistant_open,
/assistant_conversations, /assistant_messages, /assistant_rename, /assistant_delete.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import gradio as gr

from tabs.common import disclaimer
from tabs.sidebar import ConversationSidebar, chat_choices, conversation_sidebar, wire_sidebar

KIND = "assistant"
REASONING_TITLE = "💭 Model reasoning (not the answer)"
INTRO = ("### Medical assistant\nAsk about symptoms, conditions, medicines or your results, in English or French. "
         "Answers stream as they are written; **Stop** ends one, **Retry** asks again. "
         "Log in (Account tab) to keep your conversations; a guest's chats end with the browser session.")


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")


def chat_view(messages) -> list[dict]:
    """Stored messages as `gr.Chatbot` messages: reasoning collapsed, each message with its time."""
    view = []
    for message in messages:
        if message.role == "system":
            continue
        thinking = message.meta.get("thinking")
        if thinking:
            view.append({"role": "assistant", "content": thinking,
                         "metadata": {"title": REASONING_TITLE, "status": "done"}})
        view.append({"role": message.role, "content": f"{message.content}\n\n<sub>{_when(message.created_at)}</sub>"})
    return view


def reply_view(reply) -> list[dict]:
    """A reply being streamed, as `gr.Chatbot` messages."""
    view = []
    if reply.thinking.strip():
        view.append({"role": "assistant", "content": reply.thinking.strip(),
                     "metadata": {"title": REASONING_TITLE, "status": "done" if reply.answer else "pending"}})
    view.append({"role": "assistant", "content": reply.text or "…"})
    return view


@dataclass
class AssistantUI:
    conversation_id: gr.State
    sidebar: ConversationSidebar
    chatbot: gr.Chatbot
    message: gr.Textbox
    send: gr.Button
    stop: gr.Button
    retry: gr.Button


def build_ui() -> AssistantUI:
    disclaimer()
    gr.Markdown(INTRO)
    conversation_id = gr.State(None)
    with gr.Row():
        with gr.Column(scale=1, min_width=240):
            sidebar = conversation_sidebar("Conversations")
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="Medical assistant", height=520, buttons=["copy"])
            message = gr.Textbox(placeholder="Ask a health question…", show_label=False, max_lines=6)
            with gr.Row():
                send = gr.Button("Send", variant="primary")
                stop = gr.Button("⏹ Stop")
                retry = gr.Button("🔄 Retry")
    return AssistantUI(conversation_id, sidebar, chatbot, message, send, stop, retry)


def turn_view(turn) -> list[dict]:
    """A ChatTurn as `gr.Chatbot` messages: the stored ones, then the reply being streamed."""
    return chat_view(turn.messages) + (reply_view(turn.reply) if turn.reply is not None else [])


def _owner(engine, request) -> str:
    from storage.conversations import owner_of
    return owner_of(engine.session(request))


def _streamed(engine, request, turns):
    """Keep the session's Stop event while `turns` streams; yields (chatbot, chats) per turn."""
    session = engine.session(request)
    stop_event = session.reply_stop = threading.Event()
    owner = _owner(engine, request)
    try:
        for turn in turns(stop_event):
            listing = gr.update() if turn.reply is not None else chat_choices(
                engine.conversations, owner, KIND, turn.conversation_id)
            yield turn, turn_view(turn), listing
    finally:
        if session.reply_stop is stop_event:
            session.reply_stop = None


def send_handler(engine):
    def on_send(text, chat_id, request: gr.Request):
        text = (text or "").strip()
        if not text:
            yield gr.update(), gr.update(), chat_id, gr.update(), ""
            return
        owner = _owner(engine, request)
        for turn, view, listing in _streamed(engine, request,
                                             lambda stop: engine.assistant.send(owner, chat_id, text, stop)):
            yield "", view, turn.conversation_id, listing, ""
    return on_send


def retry_handler(engine):
    def on_retry(chat_id, request: gr.Request):
        from storage.conversations import ConversationNotFound

        owner = _owner(engine, request)
        answered = False
        try:
            for _turn, view, listing in _streamed(engine, request,
                                                  lambda stop: engine.assistant.retry(owner, chat_id, stop)):
                answered = True
                yield view, listing, ""
        except ConversationNotFound:
            pass
        if not answered:
            yield gr.update(), gr.update(), "Nothing to retry yet."
    return on_retry


def stop_handler(engine):
    def on_stop(request: gr.Request):
        stop_event = engine.session(request).reply_stop
        if stop_event is not None:
            stop_event.set()
    return on_stop


def open_handler(engine):
    def on_open(chat_id, request: gr.Request):
        from storage.conversations import ConversationNotFound

        owner = _owner(engine, request)
        try:
            chat = engine.conversations.get(owner, chat_id)
        except ConversationNotFound:
            return None, [], chat_choices(engine.conversations, owner, KIND), "", "This conversation no longer exists."
        return chat.id, chat_view(engine.conversations.messages(owner, chat.id)), gr.update(), chat.title, ""
    return on_open


def new_handler(engine):
    def on_new(request: gr.Request):
        return None, [], chat_choices(engine.conversations, _owner(engine, request), KIND), "", ""
    return on_new


def delete_handler(engine):
    def on_delete(chat_id, request: gr.Request):
        owner = _owner(engine, request)
        deleted = chat_id is not None and engine.conversations.delete(owner, chat_id)
        return (None, [], chat_choices(engine.conversations, owner, KIND), "",
                "Conversation deleted." if deleted else "Open a conversation first.")
    return on_delete


def create_assistant_tab(engine, events) -> None:
    ui = build_ui()
    engine.conversations  # noqa: B018 - created at build time, before any concurrent request
    register_events(ui, engine, events)
    register_data_endpoints(engine)


def register_events(ui: AssistantUI, engine, events) -> None:
    bar = ui.sidebar
    send = dict(fn=send_handler(engine), concurrency_id="llm", inputs=[ui.message, ui.conversation_id],
                outputs=[ui.message, ui.chatbot, ui.conversation_id, bar.chats, bar.notice])
    ui.send.click(**send, api_name="assistant_send", api_visibility="undocumented")
    ui.message.submit(**send, api_visibility="undocumented")
    ui.retry.click(retry_handler(engine), [ui.conversation_id], [ui.chatbot, bar.chats, bar.notice], concurrency_id="llm",
                   api_name="assistant_retry", api_visibility="undocumented")
    ui.stop.click(stop_handler(engine), None, None, api_name="assistant_stop", api_visibility="undocumented", concurrency_limit=None, queue=False)
    reset = [ui.conversation_id, ui.chatbot, bar.chats, bar.title, bar.notice]
    bar.new_chat.click(new_handler(engine), None, reset, api_name="assistant_new", api_visibility="undocumented")
    bar.chats.select(open_handler(engine), [bar.chats], reset, api_name="assistant_open", api_visibility="undocumented")
    bar.delete.click(delete_handler(engine), [ui.conversation_id], reset, api_name="assistant_delete_current", api_visibility="undocumented")
    wire_sidebar(bar, engine, events, KIND, ui.conversation_id, api_prefix="assistant")
    events.on_signed_in(lambda: (None, [], "", ""), None, [ui.conversation_id, ui.chatbot, bar.title, bar.notice])


def register_data_endpoints(engine) -> None:
    """Data endpoints for API clients; every one is scoped to the caller's own conversations."""
    from storage.conversations import ConversationNotFound

    store = engine.conversations

    def assistant_conversations(request: gr.Request) -> list[dict]:
        """Your assistant conversations, most recent first: id, title, created_at, updated_at."""
        return [{"id": c.id, "title": c.title, "created_at": c.created_at, "updated_at": c.updated_at}
                for c in store.list(_owner(engine, request), kind=KIND)]

    def assistant_messages(conversation_id: int, request: gr.Request) -> list[dict]:
        """The messages of one of your conversations: role, content, created_at, meta."""
        try:
            messages = store.messages(_owner(engine, request), conversation_id)
        except ConversationNotFound:
            raise gr.Error("Conversation not found.") from None
        return [{"role": m.role, "content": m.content, "created_at": m.created_at, "meta": m.meta} for m in messages]

    def assistant_rename(conversation_id: int, title: str, request: gr.Request) -> str:
        """Rename one of your conversations; returns the new title."""
        try:
            return store.rename(_owner(engine, request), conversation_id, title).title
        except ConversationNotFound:
            raise gr.Error("Conversation not found.") from None
        except ValueError as error:
            raise gr.Error(str(error)) from None

    def assistant_delete(conversation_id: int, request: gr.Request) -> bool:
        """Delete one of your conversations; False if you have none with that id."""
        return store.delete(_owner(engine, request), conversation_id)

    for endpoint in (assistant_conversations, assistant_messages, assistant_rename, assistant_delete):
        gr.api(endpoint, api_name=endpoint.__name__, api_visibility="undocumented")
