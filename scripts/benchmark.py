"""Foundation benchmark: start-up time, LLM load time (first and cached), generation speed, peak RSS.

Usage: .venv/bin/python scripts/benchmark.py [--skip-startup]
Prints figures; it asserts nothing (targets live in the README and the issues).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from settings import Settings  # noqa: E402

PROMPT = [{"role": "user", "content": "Explain in simple words what a complete blood count measures."}]


def startup_seconds(port: int = 7991) -> float:
    """Seconds from `python app.py` to HTTP 200 on /."""
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "HEALIFY_DATA_DIR": data_dir, "HEALIFY_WARMUP": "0"}
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                        if response.status == 200:
                            return time.perf_counter() - started
                except OSError:
                    time.sleep(0.05)
        finally:
            process.terminate()
            process.wait()


def generation_speed(llm, new_tokens: int = 128) -> float:
    """Greedy tokens/s for exactly `new_tokens` new tokens."""
    import torch

    inputs = llm.tokenizer.apply_chat_template(PROMPT, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.inference_mode():
        llm.model.generate(**inputs, max_new_tokens=8, do_sample=False)  # first-call warm-up
        started = time.perf_counter()
        output = llm.model.generate(**inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                                    pad_token_id=llm.tokenizer.eos_token_id)
        seconds = time.perf_counter() - started
    return (output.shape[1] - inputs["input_ids"].shape[1]) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-startup", action="store_true")
    args = parser.parse_args()
    import torch

    from models.llm import PRECISIONS, load_llm

    if not args.skip_startup:
        print(f"start-up (python app.py -> HTTP 200): {startup_seconds():.2f} s")
    with tempfile.TemporaryDirectory() as cache:
        settings = Settings(data_dir=cache, cache_dir=cache, llm_threads=2)
        started = time.perf_counter()
        load_llm("embedded", settings.report_adapter, settings)
        print(f"LLM load, first (GGUF -> safetensors conversion): {time.perf_counter() - started:.2f} s")
        started = time.perf_counter()
        llm = load_llm("embedded", settings.report_adapter, settings)
        print(f"LLM load, cached (+ LoRA merge + precision cast): {time.perf_counter() - started:.2f} s   [{llm.source}]")
        torch.set_num_threads(2)
        print(f"generation, app path ({settings.llm_precision}, greedy, 128 new tokens, 2 threads): "
              f"{generation_speed(llm):.1f} tok/s")
        for precision in [p for p in PRECISIONS if p != settings.llm_precision]:
            other = load_llm("embedded", settings.report_adapter,
                             Settings(data_dir=cache, cache_dir=cache, llm_precision=precision))
            print(f"generation, {precision} for comparison (same settings): {generation_speed(other):.1f} tok/s")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
