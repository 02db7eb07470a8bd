"""The Engine holds every piece of app state; tabs only build UI around it.

One service per feature, each created lazily on first access (start-up stays fast and a failure in one
feature never stops the others): `engine.reports`, `.rag`, `.skin`, `.assistant`, plus the session store,
the database and its stores. Settings reach every service from here.
"""
from __future__ import annotations

import os
import tempfile
from functools import cached_property
from pathlib import Path

from settings import Settings, get_settings
from storage.sessions import SessionData, SessionStore


def gradio_upload_folder() -> Path:
    """Where Gradio keeps uploaded files (the same rule as `gradio.utils.get_upload_folder`)."""
    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio")


class Engine:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.sessions = SessionStore(self.settings.data_path / "sessions", ttl_s=self.settings.session_ttl_s,
                                     upload_root=gradio_upload_folder())

    def session(self, request) -> SessionData:
        """The caller's session, from a `gr.Request` (or anything with `.session_hash`)."""
        return self.sessions.get(getattr(request, "session_hash", None))

    def warm_up_in_background(self) -> None:
        """The red-flag detector first (the first message may be an emergency), then the models, in daemon threads."""
        import threading

        from models.registry import warm_up_in_background
        from safety.emergency_semantic import semantic_scorer

        def red_flags_then_models():
            semantic_scorer().best("warm-up")
            self.knowledge.answer("What is a normal blood pressure?")  # loads the knowledge base and the embedder
            warm_up_in_background(self.settings)

        threading.Thread(target=red_flags_then_models, name="healify-warmup-redflags", daemon=True).start()

    def end_session(self, request) -> None:
        """`demo.unload` hook: free the session's indexes, files and guest chats."""
        session_hash = getattr(request, "session_hash", None)
        if session_hash:
            self.sessions.drop(session_hash)

    @cached_property
    def db(self):
        """The SQLite database (accounts, conversations, contact messages), migrated on first use."""
        from storage.db import Database
        return Database(self.settings.db_path)

    @cached_property
    def users(self):
        from storage.users import UserStore
        return UserStore(self.db)

    @cached_property
    def conversations(self):
        """Conversations for every feature; guest ones are purged at start-up and when their session ends."""
        from storage.conversations import ConversationStore
        store = ConversationStore(self.db)
        store.purge_guests()
        store.attach_to_sessions(self.sessions)
        return store

    @cached_property
    def contact(self):
        from storage.contact import ContactStore
        return ContactStore(self.db)

    @cached_property
    def rag(self):
        """HealyChat: each session's records index and cited answers; the index is freed when the session ends."""
        from rag.service import RagService
        service = RagService(self.settings)
        self.sessions.on_drop(service.drop_session)
        return service

    @cached_property
    def reports(self):
        """Healytics: lab report -> results, flags, chart, guarded explanation; downloads freed with the session."""
        from reports.service import ReportService
        service = ReportService(self.settings)
        self.sessions.on_drop(service.drop_session)
        return service

    @cached_property
    def knowledge(self):
        """Trusted health sources (MedlinePlus, NIH, CDC, the analyte catalogue, the condition cards) with citations."""
        from knowledge.service import KnowledgeService
        from models.registry import get_embedder
        return KnowledgeService(self.settings.knowledge_dir, lambda: get_embedder(self.settings),
                                self.settings.knowledge_abstain)

    @cached_property
    def assistant(self):
        """The Medical assistant: one chat backend, replies stored in the caller's conversations."""
        from assistant.service import AssistantService
        return AssistantService(self.settings, self.conversations, self.knowledge)

    @cached_property
    def skin(self):
        """SkinGuard: photo -> computed verdict + condition card; follow-ups from the cards and the knowledge base."""
        from skin.service import SkinService
        return SkinService(self.settings, self.conversations, lambda: self.knowledge)
