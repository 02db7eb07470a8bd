"""The conversation sidebar shared by the Medical assistant and SkinGuard: new, list, rename, delete.

It wires what is the same in both tabs (refresh, rename, the page-load and sign-in refresh); each tab
wires New, Open and Delete itself, since they reset that tab's own components.
"""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr


@dataclass
class ConversationSidebar:
    new_chat: gr.Button
    refresh: gr.Button
    chats: gr.Radio
    title: gr.Textbox
    rename: gr.Button
    delete: gr.Button
    notice: gr.Markdown


def conversation_sidebar(list_label: str) -> ConversationSidebar:
    """Build the sidebar's components in the current layout column."""
    with gr.Row():
        new_chat = gr.Button("➕ New chat")
        refresh = gr.Button("🔄", min_width=40, scale=0)
    chats = gr.Radio(label=list_label, choices=[], value=None)
    title = gr.Textbox(label="Rename this conversation", placeholder="New title", max_lines=1)
    with gr.Row():
        rename = gr.Button("Rename", size="sm")
        delete = gr.Button("🗑️ Delete", size="sm", variant="stop")
    notice = gr.Markdown()
    return ConversationSidebar(new_chat, refresh, chats, title, rename, delete, notice)


def chat_choices(store, owner: str, kind: str, selected=None):
    """The owner's conversations of one kind, keeping `selected` when it still exists."""
    items = [(c.title or "New chat", c.id) for c in store.list(owner, kind=kind)]
    return gr.update(choices=items, value=selected if any(v == selected for _, v in items) else None)


def wire_sidebar(sidebar: ConversationSidebar, engine, events, kind: str, conversation_id: gr.State,
                 api_prefix: str | None = None) -> None:
    """Refresh (button, page load, sign-in) and rename, scoped to the caller's own conversations."""
    from storage.conversations import ConversationNotFound, owner_of

    store = engine.conversations

    def on_refresh(chat_id, request: gr.Request):
        return chat_choices(store, owner_of(engine.session(request)), kind, chat_id)

    def on_rename(chat_id, new_title, request: gr.Request):
        owner = owner_of(engine.session(request))
        try:
            store.rename(owner, chat_id, new_title or "")
        except ConversationNotFound:
            return gr.update(), "Open a conversation first."
        except ValueError as error:
            return gr.update(), str(error)
        return chat_choices(store, owner, kind, chat_id), "Renamed."

    name = (lambda action: f"{api_prefix}_{action}") if api_prefix else (lambda action: False)
    sidebar.refresh.click(on_refresh, [conversation_id], [sidebar.chats], api_name=name("refresh"), api_visibility="undocumented")
    sidebar.rename.click(on_rename, [conversation_id, sidebar.title], [sidebar.chats, sidebar.notice],
                         api_name=name("rename_current"), api_visibility="undocumented")
    events.on_page_load(on_refresh, [conversation_id], [sidebar.chats])
    events.on_signed_in(on_refresh, [conversation_id], [sidebar.chats])
