"""Account tab: register, log in and log out (and "Sign in with Hugging Face" on a Space).

Logging in ties the browser session to the user: their conversations persist in SQLite, and the
chats started as a guest in this session move to the account.
"""
import os

import gradio as gr
from gradio.context import Context

from tabs.common import disclaimer

GUEST_NOTE = "You are browsing as a **guest**: your chats and files are deleted when you close the page."


def _status(session) -> str:
    if session.user_id is None:
        return GUEST_NOTE
    return f"Logged in as **{session.user_name}**. Your conversations are kept across visits."


def create_account_tab(engine) -> None:
    from storage.conversations import guest_owner, user_owner
    from storage.users import AuthError, login, logout

    users, conversations = engine.users, engine.conversations  # created at build time

    disclaimer()
    status = gr.Markdown(GUEST_NOTE)
    with gr.Row():
        with gr.Column():
            gr.Markdown("### Log in")
            login_email = gr.Textbox(label="Email", max_lines=1)
            login_password = gr.Textbox(label="Password", type="password", max_lines=1)
            login_button = gr.Button("Log in", variant="primary")
        with gr.Column():
            gr.Markdown("### Register")
            name = gr.Textbox(label="Name", max_lines=1)
            email = gr.Textbox(label="Email", max_lines=1)
            password = gr.Textbox(label="Password (8 characters or more)", type="password", max_lines=1)
            register_button = gr.Button("Create my account")
    logout_button = gr.Button("Log out")
    if os.environ.get("SPACE_ID"):  # Hugging Face OAuth only exists on a Space
        gr.Markdown("Or use your Hugging Face account:")
        gr.LoginButton("Sign in with Hugging Face")

    def start_user_session(request, user) -> str:
        session = engine.session(request)
        conversations.transfer(guest_owner(session.session_hash), user_owner(user.id))
        login(session, user)
        return _status(session)

    def on_register(name_text, email_text, password_text, request: gr.Request):
        try:
            user = users.register(name_text, email_text, password_text)
        except AuthError as error:
            return f"⚠️ {error}", gr.update()
        return start_user_session(request, user), ""

    def on_login(email_text, password_text, request: gr.Request):
        try:
            user = users.login(email_text, password_text)
        except AuthError as error:
            return f"⚠️ {error}", ""
        return start_user_session(request, user), ""

    def on_logout(request: gr.Request):
        session = engine.session(request)
        logout(session)
        return _status(session)

    def on_load(request: gr.Request):
        return _status(engine.session(request))

    def on_load_space(request: gr.Request, profile: gr.OAuthProfile | None):
        session = engine.session(request)
        if profile is not None and session.user_id is None:
            return start_user_session(request, users.login_huggingface(profile.username, profile.name))
        return _status(session)

    register_button.click(on_register, [name, email, password], [status, password], api_name="register")
    login_button.click(on_login, [login_email, login_password], [status, login_password], api_name="login")
    logout_button.click(on_logout, None, status, api_name="logout")
    Context.root_block.load(on_load_space if os.environ.get("SPACE_ID") else on_load, None, status,
                            api_visibility="private")
