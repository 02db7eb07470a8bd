"""SkinGuard: an image chat. A photo gets a calibrated prediction (or an honest "I can't tell"),
the condition card, and a plain-language explanation; text messages continue the chat.

UI only: `engine.skin` classifies, explains and stores the chat.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from tabs.common import disclaimer
from tabs.sidebar import ConversationSidebar, chat_choices, conversation_sidebar, wire_sidebar

KIND = "skin"
INTRO = ("### SkinGuard\nSend a **close-up photo of one skin spot** (a dermoscopy photo works best). "
         "SkinGuard tells you which of five common lesion types it looks most like — basal cell carcinoma, "
         "dermatofibroma, melanoma, mole (nevus) or vascular lesion — how sure it is, and what to do next. "
         "It says *I can't tell* when it is unsure or the photo does not look like skin. Then ask follow-up questions.")


@dataclass
class SkinUI:
    conversation_id: gr.State
    last: gr.State           # the last photo's LastPhoto.to_state(): small, deep-copyable
    sidebar: ConversationSidebar
    chatbot: gr.Chatbot
    probs: gr.Label
    box: gr.MultimodalTextbox


def build_ui() -> SkinUI:
    disclaimer()
    gr.Markdown(INTRO)
    conversation_id, last = gr.State(None), gr.State({})
    with gr.Row():
        with gr.Column(scale=1, min_width=220):
            sidebar = conversation_sidebar("Your SkinGuard chats")
            gr.Markdown("Signed-in users keep their chats; a guest's chats end with the browser session. "
                        "Photos are not stored, only the results.")
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="SkinGuard", height=480)
            probs = gr.Label(label="Probabilities (all five classes)", num_top_classes=5)
            box = gr.MultimodalTextbox(file_types=["image"], file_count="single", sources=["upload"],
                                       placeholder="Attach a photo of the spot, or ask a question…", show_label=False)
    return SkinUI(conversation_id, last, sidebar, chatbot, probs, box)


def _file_path(item) -> str:
    return item if isinstance(item, str) else (item.get("path") or item.get("name") or "")


def _owner(engine, request) -> str:
    from storage.conversations import owner_of
    return owner_of(engine.session(request))


def submit_handler(engine):
    def submit(message, history, chat_id, last_state, request: gr.Request):
        from skin.service import LastPhoto

        message = message or {}
        text = (message.get("text") or "").strip()
        files = [_file_path(f) for f in (message.get("files") or []) if _file_path(f)]
        if not text and not files:
            yield history, gr.update(), gr.update(), chat_id, last_state, gr.update()
            return
        for path in files:
            engine.session(request).track_upload(path)
        owner = _owner(engine, request)
        chat_id = engine.skin.conversations.ensure(owner, chat_id)
        for turn in engine.skin.reply(owner, chat_id, history, text, files[0] if files else None,
                                      LastPhoto.from_state(last_state)):
            listing = chat_choices(engine.conversations, owner, KIND, chat_id) if turn.done else gr.update()
            probs = gr.update() if turn.probs is None else turn.probs
            box = gr.update() if turn.keep_input else gr.MultimodalTextbox(value=None)
            yield turn.history, probs, box, chat_id, turn.last.to_state(), listing
    return submit


def open_handler(engine):
    def open_chat(selected, request: gr.Request):
        from storage.conversations import ConversationNotFound

        if selected is None:
            return gr.update(), None, {}, None, ""
        try:
            history, last_state = engine.skin.conversations.load(_owner(engine, request), selected)
        except ConversationNotFound:
            return [], None, {}, None, "This conversation no longer exists."
        return history, selected, last_state, last_state.get("probs") or None, ""
    return open_chat


def new_handler(engine):
    def start_new(request: gr.Request):
        return [], None, {}, None, chat_choices(engine.conversations, _owner(engine, request), KIND)
    return start_new


def delete_handler(engine):
    def remove(chat_id, request: gr.Request):
        owner = _owner(engine, request)
        engine.skin.conversations.delete(owner, chat_id)
        return [], None, {}, None, chat_choices(engine.conversations, owner, KIND)
    return remove


def create_skinguard_tab(engine, events) -> None:
    ui = build_ui()
    engine.conversations  # noqa: B018 - created at build time, before any concurrent request
    register_events(ui, engine, events)


def register_events(ui: SkinUI, engine, events) -> None:
    bar = ui.sidebar
    chat_outputs = [ui.chatbot, ui.conversation_id, ui.last, ui.probs]
    ui.box.submit(submit_handler(engine), [ui.box, ui.chatbot, ui.conversation_id, ui.last],
                  [ui.chatbot, ui.probs, ui.box, ui.conversation_id, ui.last, bar.chats], api_name="skinguard_send", api_visibility="undocumented",
                  concurrency_id="llm")
    bar.chats.input(open_handler(engine), [bar.chats], [*chat_outputs, bar.notice], api_name="skinguard_open", api_visibility="undocumented")
    bar.new_chat.click(new_handler(engine), None, [*chat_outputs, bar.chats], api_name="skinguard_new", api_visibility="undocumented")
    bar.delete.click(delete_handler(engine), [ui.conversation_id], [*chat_outputs, bar.chats],
                     api_name="skinguard_delete", api_visibility="undocumented")
    wire_sidebar(bar, engine, events, KIND, ui.conversation_id, api_prefix="skinguard")
    events.on_signed_in(lambda: ([], None, {}, None), None, chat_outputs)
