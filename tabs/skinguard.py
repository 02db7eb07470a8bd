"""SkinGuard: an image chat. A photo gets a calibrated prediction (or an honest "I can't tell"),
the condition card, and the assistant's plain-language explanation; text messages continue the chat."""
from __future__ import annotations

from pathlib import Path

import gradio as gr

from tabs.common import disclaimer

INTRO = ("### SkinGuard\nSend a **close-up photo of one skin spot** (a dermoscopy photo works best). "
         "SkinGuard tells you which of five common lesion types it looks most like — basal cell carcinoma, "
         "dermatofibroma, melanoma, mole (nevus) or vascular lesion — how sure it is, and what to do next. "
         "It says *I can't tell* when it is unsure or the photo does not look like skin. Then ask follow-up questions.")


def _file_path(item) -> str:
    return item if isinstance(item, str) else (item.get("path") or item.get("name") or "")


def create_skinguard_tab(engine) -> None:
    from models.skin_chat import SkinConversations

    disclaimer()
    gr.Markdown(INTRO)
    conversation_id = gr.State(None)
    last = gr.State({})  # the last photo's {"context", "label", "probs"}: small, deep-copyable
    with gr.Row():
        with gr.Column(scale=1, min_width=220):
            with gr.Row():
                new_chat = gr.Button("➕ New chat")
                reload = gr.Button("🔄", min_width=40, scale=0)
            chats = gr.Radio(label="Your SkinGuard chats", choices=[], value=None)
            delete = gr.Button("🗑️ Delete this chat", variant="stop")
            gr.Markdown("Signed-in users keep their chats; a guest's chats end with the browser session. "
                        "Photos are not stored, only the results.")
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(label="SkinGuard", height=480)
            probs = gr.Label(label="Probabilities (all five classes)", num_top_classes=5)
            box = gr.MultimodalTextbox(file_types=["image"], file_count="single", sources=["upload"],
                                       placeholder="Attach a photo of the spot, or ask a question…", show_label=False)

    def conversations() -> SkinConversations:
        return SkinConversations(engine.conversations)

    def owner(request: gr.Request) -> str:
        from storage.conversations import owner_of
        return owner_of(engine.session(request))

    def refresh(request: gr.Request):
        current = conversations().choices(owner(request))
        return gr.update(choices=current)

    def submit(message, history, chat_id, last_state, request: gr.Request):
        from models import skin_chat
        from models.skin import get_skin_classifier

        message = message or {}
        text = (message.get("text") or "").strip()
        files = [_file_path(f) for f in (message.get("files") or []) if _file_path(f)]
        if not text and not files:
            yield history, gr.update(), gr.update(), chat_id, last_state, gr.update()
            return
        who, store = owner(request), conversations()
        chat_id = store.ensure(who, chat_id)
        history = list(history or [])
        label_update = gr.update()
        if files:
            path = files[0]
            turn = skin_chat.photo_turn(lambda image: get_skin_classifier(engine.settings).classify(image), path)
            history += [{"role": "user", "content": {"path": path}}, {"role": "assistant", "content": turn.text}]
            store.add_photo(who, chat_id, Path(path).name, turn)
            label_update = turn.probs or None
            if turn.prediction is not None:
                last_state = {"context": turn.context, "label": turn.label, "probs": turn.probs}
            yield history, label_update, gr.MultimodalTextbox(value=None), chat_id, last_state, gr.update()
            if turn.label and engine.settings.assistant_backend != "local":
                # A capable assistant model rephrases the card; the tiny embedded one is not trusted to
                # paraphrase medical text (the card itself is already shown verbatim above).
                history.append({"role": "assistant", "content": "…"})
                explanation = ""
                for explanation in skin_chat.assistant_explanation(skin_chat.text_history(history[:-1]), turn.context):
                    history[-1] = {"role": "assistant", "content": "💬 " + explanation}
                    yield history, label_update, gr.update(), chat_id, last_state, gr.update()
                store.add(who, chat_id, "assistant", history[-1]["content"])
        if text:
            past = skin_chat.text_history(history)
            history += [{"role": "user", "content": text}, {"role": "assistant", "content": "…"}]
            store.add(who, chat_id, "user", text)
            context = skin_chat.follow_up_context(text, last_state.get("context", ""), last_state.get("label"))
            # The named condition's card, verbatim, comes first: correct even when the model is weak or off.
            cards = "\n\n".join(card.markdown() for card in skin_chat.named_cards(text))
            answer = cards
            for reply in skin_chat.assistant_answer(past, text, context):
                answer = "\n\n---\n💬 ".join(part for part in (cards, reply) if part)
                history[-1] = {"role": "assistant", "content": answer}
                yield history, label_update, gr.MultimodalTextbox(value=None), chat_id, last_state, gr.update()
            store.add(who, chat_id, "assistant", answer)
        yield (history, label_update, gr.MultimodalTextbox(value=None), chat_id, last_state,
               gr.update(choices=store.choices(who), value=chat_id))

    def open_chat(selected, request: gr.Request):
        from storage.conversations import ConversationNotFound

        if selected is None:
            return gr.update(), None, {}, None
        try:
            history, last_state = conversations().load(owner(request), selected)
        except ConversationNotFound:
            return [], None, {}, None
        return history, selected, last_state, last_state.get("probs") or None

    def start_new():
        return [], None, {}, None, gr.update(value=None)

    def remove(chat_id, request: gr.Request):
        who = owner(request)
        conversations().delete(who, chat_id)
        return [], None, {}, None, gr.update(choices=conversations().choices(who), value=None)

    box.submit(submit, [box, chatbot, conversation_id, last], [chatbot, probs, box, conversation_id, last, chats])
    chats.input(open_chat, [chats], [chatbot, conversation_id, last, probs])
    new_chat.click(start_new, None, [chatbot, conversation_id, last, probs, chats])
    delete.click(remove, [conversation_id], [chatbot, conversation_id, last, probs, chats])
    reload.click(refresh, None, [chats])
    if gr.context.Context.root_block is not None:  # list the user's chats when the page opens
        gr.context.Context.root_block.load(refresh, None, [chats])
