"""Shared fixtures: offline mode, a shared model cache, and a real Healify server for gradio_client tests."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Tests never reach a model hub; converted models are cached once per machine, shared by test servers.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("HEALIFY_CACHE_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "healify-test-cache"))
os.environ["HEALIFY_WARMUP"] = "0"


def record_set(tmp_path: Path, folder: str, name: str):
    """A fresh HealyChat service and session holding record set `name` of tests/data/rag/`folder` (the
    real_records_dev layout: questions.json names each set's documents)."""
    from rag.service import RagService
    from settings import Settings
    from storage.sessions import SessionStore

    root = Path(__file__).parent / "data" / "rag" / folder
    service = RagService(Settings(data_dir=str(tmp_path / "data")))
    session = SessionStore(tmp_path / "sessions").get(name)
    for doc in json.loads((root / "questions.json").read_text(encoding="utf-8"))["sets"][name]:
        service.add_file(session, root / doc)
    return service, session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """`python app.py` in a subprocess on 127.0.0.1, with its own data directory."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = {**os.environ, "HEALIFY_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1", **(env or {})}
        self.log_path = data_dir / f"server-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.startup_s: float | None = None

    def start(self, timeout_s: float = 60) -> AppServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with open(self.log_path, "w") as log:  # the child keeps its own copy of the handle
            self.process = subprocess.Popen([sys.executable, "app.py", "--port", str(self.port)], cwd=ROOT,
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT)
        while time.perf_counter() - started < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        self.startup_s = time.perf_counter() - started
                        return self
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"app did not answer within {timeout_s}s:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def client(self):
        from gradio_client import Client
        return Client(self.url, verbose=False)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """One real app shared by the tests that only need a running server (short session TTL)."""
    server = AppServer(tmp_path_factory.mktemp("app-data"), {"HEALIFY_SESSION_TTL_S": "30"}).start()
    yield server
    server.stop()


@pytest.fixture
def make_server(tmp_path):
    """Start dedicated servers (e.g. to restart one on the same data directory)."""
    servers: list[AppServer] = []

    def start(data_dir: Path | None = None, **env) -> AppServer:
        server = AppServer(data_dir or tmp_path / f"data{len(servers)}", env).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
