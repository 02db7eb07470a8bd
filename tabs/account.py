"""Account tab: register, log in and log out (and "Sign in with Hugging Face" on a Space).

Logging in ties the browser session to the user: their conversations persist in SQLite, and the
chats started as a guest in this session move to the account.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import gradio as gr

from tabs.common import disclaimer

GUEST_NOTE = "You are browsing as a **guest**: your chats and files are deleted when you close the page."


def _status(session) -> str:
    if session.user_id is None:
        return GUEST_NOTE
    return f"Logged in as **{session.user_name}**. Your conversations are kept across visits."


@dataclass
class AccountUI:
    status: gr.Markdown
    login_email: gr.Textbox
    login_password: gr.Textbox
    login_button: gr.Button
    name: gr.Textbox
    email: gr.Textbox
    password: gr.Textbox
    register_button: gr.Button
    logout_button: gr.Button


def build_ui() -> AccountUI:
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
    return AccountUI(status, login_email, login_password, login_button, name, email, password, register_button,
                     logout_button)


def create_account_tab(engine, events) -> None:
    from storage.conversations import guest_owner, user_owner
    from storage.users import AuthError, login, logout

    users, conversations = engine.users, engine.conversations  # created at build time
    ui = build_ui()

    def start_user_session(request, user) -> str:
        session = engine.session(request)
        conversations.transfer(guest_owner(session.session_hash), user_owner(user.id))
        login(session, user)
        return _status(session)

    def on_register(name_text, email_text, password_text, request: gr.Request):
        try:
            user = users.register(name_text, email_text, password_text)
        except AuthError as error:
            return f"⚠️ {error}", gr.update(), gr.update()
        return start_user_session(request, user), "", events.bump()

    def on_login(email_text, password_text, request: gr.Request):
        try:
            user = users.login(email_text, password_text, client=getattr(request.client, "host", "") or "")
        except AuthError as error:
            return f"⚠️ {error}", "", gr.update()
        return start_user_session(request, user), "", events.bump()

    def on_logout(request: gr.Request):
        session = engine.session(request)
        logout(session)
        session.clear_features()  # the next person at this browser starts with empty tabs
        return _status(session), events.bump()

    def on_load(request: gr.Request):
        return _status(engine.session(request))

    def on_load_space(request: gr.Request, profile: gr.OAuthProfile | None):
        session = engine.session(request)
        if profile is not None and session.user_id is None:
            return start_user_session(request, users.login_huggingface(profile.username, profile.name))
        return _status(session)

    ui.register_button.click(on_register, [ui.name, ui.email, ui.password], [ui.status, ui.password, events.signed_in],
                             api_name="register", api_visibility="undocumented")
    ui.login_button.click(on_login, [ui.login_email, ui.login_password],
                          [ui.status, ui.login_password, events.signed_in], api_name="login", api_visibility="undocumented")
    ui.logout_button.click(on_logout, None, [ui.status, events.signed_in], api_name="logout", api_visibility="undocumented")
    events.on_page_load(on_load_space if os.environ.get("SPACE_ID") else on_load, None, ui.status)
