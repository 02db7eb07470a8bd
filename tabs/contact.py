"""Contact tab: a form whose messages are stored in SQLite (list them with `python app.py contact`)."""
import gradio as gr

from tabs.common import disclaimer


def create_contact_tab(engine, events) -> None:
    contact = engine.contact  # created at build time

    disclaimer()
    gr.Markdown("### Contact us\nQuestions, bugs or ideas: we read every message. "
                "Please do not send medical emergencies here: call your local emergency number.")
    name = gr.Textbox(label="Name", max_lines=1)
    email = gr.Textbox(label="Email", max_lines=1)
    subject = gr.Textbox(label="Subject (optional)", max_lines=1)
    message = gr.Textbox(label="Message", lines=6, max_length=5000)
    send = gr.Button("Send", variant="primary")
    status = gr.Markdown()

    def on_send(name_text, email_text, subject_text, message_text, request: gr.Request):
        try:
            contact.submit(name_text, email_text, message_text, subject=subject_text,
                           user_id=engine.session(request).user_id)
        except ValueError as error:
            return f"⚠️ {error}", gr.update()
        return "✅ Thank you, your message was sent.", ""

    send.click(on_send, [name, email, subject, message], [status, message], api_name="contact_send", api_visibility="undocumented")
