"""Red-flag detector speed: load time, then milliseconds per message once loaded.

    .venv/bin/python scripts/benchmark_redflags.py [--repeat 3] [--threads N]

Target: <= 20 ms per message once loaded. The messages are those of data/redflags/heldout.tsv (the
figures are speed only; accuracy is scripts/eval_redflags.py). The first load imports torch, loads MiniLM
and embeds the phrase bank into a fresh cache folder; the reload reads the bank from that .npz cache.
Torch's thread count matters on a busy 2-core machine: compare the default with `--threads 1`.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from safety.emergency_semantic import load_set, semantic_scorer
from safety.redflags import detect_red_flags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="passes over the messages")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: leave torch's default)")
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory(prefix="healify-redflags-") as cache:
        start = time.perf_counter()
        semantic_scorer(cache)
        print(f"first load (imports, MiniLM, embedding the phrase bank): {time.perf_counter() - start:.2f} s")
        semantic_scorer.cache_clear()
        start = time.perf_counter()
        semantic_scorer(cache)
        print(f"reload in this process (MiniLM, bank from the .npz cache): {time.perf_counter() - start:.2f} s")
        messages = [m.text for m in load_set("heldout")]
        detect_red_flags(messages[0], cache_dir=cache)
        timings = []
        for _ in range(args.repeat):
            for text in messages:
                start = time.perf_counter()
                detect_red_flags(text, cache_dir=cache)
                timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    print(f"messages: {len(messages)} x {args.repeat}")
    print(f"ms/message: mean {statistics.mean(timings):.1f}, median {statistics.median(timings):.1f}, "
          f"p95 {timings[int(0.95 * (len(timings) - 1))]:.1f}, max {timings[-1]:.1f}   (target <= 20 ms)")


if __name__ == "__main__":
    main()
