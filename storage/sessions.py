"""Per-browser-session state keyed by Gradio's `request.session_hash`.

Guests' uploads, RAG indexes and anything else a tab keeps for one session live here. A session's folder is
named by a random UUID the server makes, never by the client-chosen session id. A session is
dropped on `demo.unload` or after `ttl_s` of inactivity; dropping calls every registered cleanup hook
(for example the guest-conversation purge) and deletes the session's upload folder, unless a
logged-in user chose to keep their records (then `keep_files` is set and the files were already moved
under the user's own folder).
"""
from __future__ import annotations

import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class SessionData:
    session_hash: str
    workdir: Path
    user_id: int | None = None          # set by Login; None for a guest
    user_name: str | None = None
    keep_records: bool = False          # a logged-in user's opt-in to keep records across visits
    last_seen: float = field(default_factory=time.monotonic)
    # Per-feature state, each one small dataclass of its feature (typed loosely: storage sits below features).
    records: Any = None                    # rag.service.SessionRecords: this session's HealyChat index
    report: Any = None                     # reports.service.ReportState: the last analysed lab report
    reply_stop: threading.Event | None = None  # Stop event of the assistant reply being generated
    uploads: list[Path] = field(default_factory=list)  # the session's files in Gradio's upload cache

    def track_upload(self, path: str | Path) -> None:
        """Remember a file the browser uploaded, so that it is deleted when the session ends."""
        self.uploads.append(Path(path))

    def clear_features(self) -> None:
        """Forget every feature's state (logout, session end)."""
        self.records = self.report = self.reply_stop = None

    def touch(self) -> None:
        self.last_seen = time.monotonic()


class SessionStore:
    """Thread-safe map session_hash -> SessionData, with TTL expiry and cleanup hooks."""

    def __init__(self, root: Path | None = None, ttl_s: float = 3600, upload_root: Path | None = None):
        self.root = Path(root or tempfile.mkdtemp(prefix="healify-sessions-"))
        self.upload_root = Path(upload_root).resolve() if upload_root else None  # Gradio's upload cache
        self.root.mkdir(parents=True, exist_ok=True)
        self.ttl_s = ttl_s
        self._sessions: dict[str, SessionData] = {}
        self._lock = threading.RLock()
        self._on_drop: list[Callable[[SessionData], None]] = []

    def on_drop(self, hook: Callable[[SessionData], None]) -> None:
        """Register a hook run (once) for each session that ends."""
        self._on_drop.append(hook)

    def get(self, session_hash: str | None) -> SessionData:
        if not session_hash:
            raise ValueError("no session: this action needs a browser session")
        with self._lock:
            session = self._sessions.get(session_hash)
            if session is None:
                workdir = self.root / uuid.uuid4().hex  # never derived from the client's id
                workdir.mkdir(parents=True)
                session = SessionData(session_hash, workdir)
                self._sessions[session_hash] = session
            session.touch()
            return session

    def peek(self, session_hash: str) -> SessionData | None:
        with self._lock:
            return self._sessions.get(session_hash)

    def __contains__(self, session_hash: str) -> bool:
        with self._lock:
            return session_hash in self._sessions

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)

    def drop(self, session_hash: str) -> bool:
        with self._lock:
            session = self._sessions.pop(session_hash, None)
        if session is None:
            return False
        for hook in self._on_drop:
            try:
                hook(session)
            except Exception:  # one failing hook must not keep the others from freeing data
                import logging
                logging.getLogger(__name__).exception("session cleanup hook failed")
        session.clear_features()
        if session.workdir.parent == self.root:  # only ever a folder this store made
            shutil.rmtree(session.workdir, ignore_errors=True)
        self._delete_uploads(session.uploads)
        return True

    def _delete_uploads(self, uploads: list[Path]) -> None:
        """Delete the session's uploads from Gradio's cache (each sits in its own content-hash folder)."""
        if self.upload_root is None:
            return
        for path in uploads:
            path = path.resolve()
            if path.parent != self.upload_root and path.parent.parent == self.upload_root:
                shutil.rmtree(path.parent, ignore_errors=True)
            elif path.parent == self.upload_root:
                path.unlink(missing_ok=True)

    def sweep(self, now: float | None = None) -> list[str]:
        """Drop every session idle for longer than the TTL; returns the dropped hashes."""
        now = time.monotonic() if now is None else now
        with self._lock:
            expired = [h for h, s in self._sessions.items() if now - s.last_seen > self.ttl_s]
        for session_hash in expired:
            self.drop(session_hash)
        return expired

    def start_sweeper(self, every_s: float | None = None) -> threading.Thread:
        """Sweep in a daemon thread, every minute or every half-TTL when the TTL is shorter."""
        every_s = every_s or min(60.0, max(1.0, self.ttl_s / 2))

        def loop():
            while True:
                time.sleep(every_s)
                self.sweep()
        thread = threading.Thread(target=loop, name="healify-session-sweeper", daemon=True)
        thread.start()
        return thread

