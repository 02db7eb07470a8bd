"""Medical assistant tab: a streamed chat with Stop and Retry, and a side panel of conversations.

Logged-in users' conversations persist in SQLite; a guest's last only for the browser session.
Emergency guidance comes first for red-flag messages; model reasoning is shown collapsed.
API (gradio_client): /assistant_send, /assistant_retry, /assistant_stop, /assistant_new, /assistant_open,
/assistant_conversations, /assistant_messages, /assistant_rename, /assistant_delete.
"""
import threading
from datetime import datetime

import gradio as gr
from gradio.context import Context

from tabs.common import disclaimer

KIND = "assistant"
STOP_KEY = "assistant_stop"   # session.items key: the Stop event of the reply being generated
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


def create_assistant_tab(engine) -> None:
    from storage.conversations import ConversationNotFound, owner_of

    store = engine.conversations  # created here, at build time, before any concurrent request

    disclaimer()
    gr.Markdown(INTRO)
    conversation_id = gr.State(None)
    with gr.Row():
        with gr.Column(scale=1, min_width=240):
            with gr.Row():
                new_chat = gr.Button("➕ New chat")
                refresh = gr.Button("🔄", min_width=40, scale=0)
            chats = gr.Radio(label="Conversations", choices=[], value=None)
            title = gr.Textbox(label="Rename this conversation", placeholder="New title", max_lines=1)
            with gr.Row():
                rename = gr.Button("Rename", size="sm")
                delete = gr.Button("🗑️ Delete", size="sm", variant="stop")
            notice = gr.Markdown()
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="Medical assistant", height=520, buttons=["copy"])
            message = gr.Textbox(placeholder="Ask a health question…", show_label=False, max_lines=6)
            with gr.Row():
                send = gr.Button("Send", variant="primary")
                stop = gr.Button("⏹ Stop")
                retry = gr.Button("🔄 Retry")

    def owner(request) -> str:
        return owner_of(engine.session(request))

    def choices(owner_id: str, selected=None):
        items = [(c.title or "New chat", c.id) for c in store.list(owner_id, kind=KIND)]
        return gr.update(choices=items, value=selected if any(v == selected for _, v in items) else None)

    def assistant():
        from models.assistant import Assistant
        return Assistant.from_settings(engine.settings)

    def generate(request, owner_id, chat_id, history, text):
        """Stream a reply to `text`, then store it; yields (chatbot, chats) pairs."""
        session = engine.session(request)
        stop_event = threading.Event()
        session.items[STOP_KEY] = stop_event
        shown = chat_view(store.messages(owner_id, chat_id))
        try:
            replies = assistant().respond(history, text, stop=stop_event)
        except Exception as error:  # e.g. an unknown backend name: say so, keep the chat usable
            from models.assistant import Reply
            replies = iter([Reply(error=str(error), done=True)])
        reply = None
        for reply in replies:
            yield shown + reply_view(reply), gr.update()
        store.add_message(owner_id, chat_id, "assistant", reply.text, reply.meta)
        session.items.pop(STOP_KEY, None)
        yield chat_view(store.messages(owner_id, chat_id)), choices(owner_id, chat_id)

    def on_send(text, chat_id, request: gr.Request):
        text = (text or "").strip()
        owner_id = owner(request)
        if not text:
            yield gr.update(), gr.update(), chat_id, gr.update(), ""
            return
        try:
            store.get(owner_id, chat_id)
        except ConversationNotFound:
            chat_id = store.create(owner_id, KIND).id
        history = [m.as_chat() for m in store.messages(owner_id, chat_id)]
        store.add_message(owner_id, chat_id, "user", text)
        for view, chat_list in generate(request, owner_id, chat_id, history, text):
            yield "", view, chat_id, chat_list, ""

    def on_retry(chat_id, request: gr.Request):
        owner_id = owner(request)
        try:
            messages = store.messages(owner_id, chat_id)
        except ConversationNotFound:
            yield gr.update(), gr.update(), "Nothing to retry yet."
            return
        last_user = next((i for i in range(len(messages) - 1, -1, -1) if messages[i].role == "user"), None)
        if last_user is None:
            yield gr.update(), gr.update(), "Nothing to retry yet."
            return
        store.delete_after(owner_id, chat_id, messages[last_user].id)
        history = [m.as_chat() for m in messages[:last_user]]
        for view, chat_list in generate(request, owner_id, chat_id, history, messages[last_user].content):
            yield view, chat_list, ""

    def on_stop(request: gr.Request):
        stop_event = engine.session(request).items.get(STOP_KEY)
        if stop_event is not None:
            stop_event.set()

    def on_open(chat_id, request: gr.Request):
        owner_id = owner(request)
        try:
            chat = store.get(owner_id, chat_id)
        except ConversationNotFound:
            return None, [], choices(owner_id), "", "This conversation no longer exists."
        return chat.id, chat_view(store.messages(owner_id, chat.id)), gr.update(), chat.title, ""

    def on_new(request: gr.Request):
        return None, [], choices(owner(request)), "", ""

    def on_refresh(chat_id, request: gr.Request):
        return choices(owner(request), chat_id)

    def on_rename(chat_id, new_title, request: gr.Request):
        owner_id = owner(request)
        try:
            store.rename(owner_id, chat_id, new_title or "")
        except ConversationNotFound:
            return gr.update(), "Open a conversation first."
        except ValueError as error:
            return gr.update(), str(error)
        return choices(owner_id, chat_id), "Renamed."

    def on_delete(chat_id, request: gr.Request):
        owner_id = owner(request)
        deleted = chat_id is not None and store.delete(owner_id, chat_id)
        return None, [], choices(owner_id), "", "Conversation deleted." if deleted else "Open a conversation first."

    send_inputs = dict(fn=on_send, inputs=[message, conversation_id],
                       outputs=[message, chatbot, conversation_id, chats, notice])
    send.click(**send_inputs, api_name="assistant_send")
    message.submit(**send_inputs, api_visibility="undocumented")
    retry.click(on_retry, [conversation_id], [chatbot, chats, notice], api_name="assistant_retry")
    stop.click(on_stop, None, None, api_name="assistant_stop", concurrency_limit=None, queue=False)
    new_chat.click(on_new, None, [conversation_id, chatbot, chats, title, notice], api_name="assistant_new")
    chats.select(on_open, [chats], [conversation_id, chatbot, chats, title, notice], api_name="assistant_open")
    rename.click(on_rename, [conversation_id, title], [chats, notice], api_name="assistant_rename_current")
    delete.click(on_delete, [conversation_id], [conversation_id, chatbot, chats, title, notice],
                 api_name="assistant_delete_current")
    refresh.click(on_refresh, [conversation_id], [chats], api_name="assistant_refresh")
    Context.root_block.load(on_refresh, [conversation_id], [chats], api_visibility="private")

    # Data endpoints for API clients; every one is scoped to the caller's own conversations.
    def assistant_conversations(request: gr.Request) -> list[dict]:
        """Your assistant conversations, most recent first: id, title, created_at, updated_at."""
        return [{"id": c.id, "title": c.title, "created_at": c.created_at, "updated_at": c.updated_at}
                for c in store.list(owner(request), kind=KIND)]

    def assistant_messages(conversation_id: int, request: gr.Request) -> list[dict]:
        """The messages of one of your conversations: role, content, created_at, meta."""
        try:
            messages = store.messages(owner(request), conversation_id)
        except ConversationNotFound:
            raise gr.Error("Conversation not found.") from None
        return [{"role": m.role, "content": m.content, "created_at": m.created_at, "meta": m.meta} for m in messages]

    def assistant_rename(conversation_id: int, title: str, request: gr.Request) -> str:
        """Rename one of your conversations; returns the new title."""
        try:
            return store.rename(owner(request), conversation_id, title).title
        except ConversationNotFound:
            raise gr.Error("Conversation not found.") from None
        except ValueError as error:
            raise gr.Error(str(error)) from None

    def assistant_delete(conversation_id: int, request: gr.Request) -> bool:
        """Delete one of your conversations; False if you have none with that id."""
        return store.delete(owner(request), conversation_id)

    for endpoint in (assistant_conversations, assistant_messages, assistant_rename, assistant_delete):
        gr.api(endpoint, api_name=endpoint.__name__)
