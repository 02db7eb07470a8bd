"""Speed of the knowledge service on this machine (limit torch to 2 threads, like the 2-core target).

    PYTHONPATH=. python scripts/benchmark_knowledge.py [--threads 2]

Prints: artefact size, knowledge-base load time (cold first load and cached re-loads: files in the page
cache), embedder load time, and the time to a complete answer after a warm start (the answer is extractive,
so its first words appear when it is complete), as wall and CPU seconds.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from knowledge.index import KnowledgeBase
from knowledge.service import DATA_DIR, KnowledgeService

QUESTIONS = ["What does the A1C test measure?", "what is a water pill", "Quels sont les symptômes du diabète ?",
             "how do u get shingels", "What is zentravimab used for?", "What are the warning signs of a stroke?",
             "Is eczema contagious?", "What is the capital of Australia?", "can it be cured?"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    size = sum(f.stat().st_size for f in args.data.iterdir())
    print(f"artefact {args.data}: {size / 2**20:.2f} MB")
    loads, load_cpu = [], []
    for _ in range(4):
        started, cpu = time.perf_counter(), time.process_time()
        kb = KnowledgeBase.load(args.data)
        loads.append(time.perf_counter() - started)
        load_cpu.append(time.process_time() - cpu)
    print(f"KB load ({len(kb)} passages): first {loads[0]:.2f} s, cached median {statistics.median(loads[1:]):.2f} s "
          f"wall; cached median {statistics.median(load_cpu[1:]):.2f} s CPU")
    service = KnowledgeService(args.data)
    started = time.perf_counter()
    service._embed(["warm up"])
    print(f"embedder load + first encode: {time.perf_counter() - started:.2f} s")
    service._kb = kb
    history = [{"role": "user", "content": "What is glaucoma?"}, {"role": "assistant", "content": "..."}]
    started, cpu = time.perf_counter(), time.process_time()
    kb.correct("diabetis")
    print(f"typo index (built on first unknown word): {time.perf_counter() - started:.2f} s wall, "
          f"{time.process_time() - cpu:.2f} s CPU")
    times, cpu_times = [], []
    for question in QUESTIONS:
        started, cpu = time.perf_counter(), time.process_time()
        service.answer(question, history)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu)
        print(f"  {times[-1]:.3f} s wall  {cpu_times[-1]:.3f} s CPU  {question}")
    print(f"answer after warm start ({args.threads} threads): wall median {statistics.median(times):.3f} s, "
          f"max {max(times):.3f} s; CPU median {statistics.median(cpu_times):.3f} s, max {max(cpu_times):.3f} s")
    print("(CPU seconds bound the wall time on an idle machine; on a shared machine wall time is inflated)")


if __name__ == "__main__":
    main()
