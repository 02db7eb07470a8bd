"""Load benchmark: start the app, drive 8 concurrent gradio_client users of mixed features, print the figures.

Users: 2 analyse different lab reports, 2 chat with the assistant, 2 ask questions of their own records,
2 classify skin photos (SkinGuard's model and colour expert; generated photos when ../shared is absent).
Each user checks that what came back is its own (cross-talk) and that no call failed (errors).
Prints latency p50/p95 per feature and overall, errors, cross-talk, and the server's RSS before (after a warm-up
user of each feature has loaded every model) and after the concurrent run.
Usage: .venv/bin/python scripts/benchmark_load.py [--users 8] [--rounds 2]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
RECORDS = ROOT / "tests" / "data" / "rag" / "records"
SKIN_VAL = ROOT.parent / "shared" / "data" / "skin" / "val"


@dataclass
class Outcome:
    feature: str
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    crosstalk: list[str] = field(default_factory=list)


def start_app(data_dir: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "HEALIFY_DATA_DIR": str(data_dir), "HEALIFY_WARMUP": "1", "HF_HUB_OFFLINE": "1"}
    with open(data_dir / "server.log", "w") as log:
        process = subprocess.Popen([sys.executable, "app.py", "--port", str(port)], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, url
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the app did not start")


def rss_mb(pid: int) -> float:
    import psutil
    return psutil.Process(pid).memory_info().rss / 2**20


def text_of(content) -> str:
    return content if isinstance(content, str) else " ".join(part.get("text", "") for part in content)


def healytics_user(url: str, number: int, outcome: Outcome) -> None:
    from gradio_client import Client, handle_file

    report = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pdf", ".txt"))[number % 4]
    status = Client(url, verbose=False).predict(handle_file(str(report)), api_name="/healytics_analyze")[0]
    if report.name not in status:
        outcome.crosstalk.append(f"healytics {report.name}: {status[:80]}")


def assistant_user(url: str, number: int, outcome: Outcome) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    question = ["What does a high LDL cholesterol mean?", "Comment prendre soin d'une brûlure légère ?"][number % 2]
    history = client.predict(question, None, api_name="/assistant_send")[1]
    if not history or text_of(history[0]["content"]).split("\n")[0] != question:
        outcome.crosstalk.append(f"assistant: {text_of(history[0]['content'])[:80] if history else 'no history'}")
    titles = [c["title"] for c in client.predict(api_name="/assistant_conversations")]
    if len(titles) != 1:
        outcome.crosstalk.append(f"assistant sees {len(titles)} conversations")


def healychat_user(url: str, number: int, outcome: Outcome) -> None:
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False)
    record, question = [("vaccination_record.txt", "When did I get the shingles vaccine?"),
                        ("prescription.txt", "What dose of the medicine was prescribed?")][number % 2]
    client.predict([handle_file(str(RECORDS / record))], api_name="/healychat_upload")
    history = client.predict(question, [], api_name="/healychat_ask")[0]
    answer = text_of(history[-1]["content"])
    others = {"vaccination_record.txt", "prescription.txt"} - {record}
    if any(other.split(".")[0] in answer for other in others):
        outcome.crosstalk.append(f"healychat {record}: cites another user's record")


def skin_user(url: str, number: int, outcome: Outcome, photo: Path) -> None:
    from gradio_client import Client, handle_file

    result = Client(url, verbose=False).predict(handle_file(str(photo)), api_name="/classify_skin_lesion")
    if abs(sum(result["probs"].values()) - 1) > 0.01:
        outcome.crosstalk.append(f"skin {photo.name}: probabilities do not add up")


def skin_photos(folder: Path) -> list[Path]:
    photos = sorted(SKIN_VAL.glob("*/*.jpg"))[::97][:4]
    if photos:
        return photos
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    made = []
    for number in range(4):  # a darker blotch on skin tone: enough to exercise the model
        image = np.full((224, 224, 3), (205, 160, 140), np.uint8) + rng.integers(0, 12, (224, 224, 3), np.uint8)
        image[70:150, 60:160] = (110, 70, 60)
        made.append(folder / f"spot{number}.jpg")
        Image.fromarray(image).save(made[-1])
    return made


def timed(run, outcome: Outcome, *args) -> None:
    started = time.perf_counter()
    try:
        run(*args, outcome)
    except Exception as error:  # counted, the benchmark goes on
        outcome.errors.append(f"{type(error).__name__}: {str(error)[:120]}")
    outcome.seconds.append(time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="healify-load-") as tmp:
        process, url = start_app(Path(tmp))
        try:
            photos = skin_photos(Path(tmp))
            features = {"healytics": healytics_user, "assistant": assistant_user, "healychat": healychat_user,
                        "skinguard": lambda u, n, o: skin_user(u, n, o, photos[n % len(photos)])}
            warm_up = {name: Outcome(name) for name in features}
            for name, run in features.items():  # one user of each feature first: every model is loaded
                timed(run, warm_up[name], url, 0)
            before = rss_mb(process.pid)
            outcomes = {name: Outcome(name) for name in features}
            jobs = [(name, user) for round_ in range(args.rounds) for user in range(args.users)
                    for name in [list(features)[user % len(features)]]]
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.users) as pool:
                for name, user in jobs:
                    pool.submit(timed, features[name], outcomes[name], url, user)
            wall = time.perf_counter() - started
            after = rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    every = [s for o in outcomes.values() for s in o.seconds]
    print("warm-up (one user per feature, models loading): " + ", ".join(
        f"{o.feature} {o.seconds[0]:.1f} s" + (f" ({len(o.errors)} error)" if o.errors else "") for o in warm_up.values()))
    print(f"{args.users} concurrent users x {args.rounds} rounds, {len(every)} sessions in {wall:.1f} s")
    for outcome in outcomes.values():
        print(f"  {outcome.feature:10s} n={len(outcome.seconds):2d}  p50 {statistics.median(outcome.seconds):6.1f} s  "
              f"p95 {percentile(outcome.seconds, 0.95):6.1f} s  errors {len(outcome.errors)}  "
              f"cross-talk {len(outcome.crosstalk)}")
        for problem in outcome.errors + outcome.crosstalk:
            print(f"    - {problem}")
    errors = sum(len(o.errors) for o in outcomes.values())
    crosstalk = sum(len(o.crosstalk) for o in outcomes.values())
    print(f"overall p50 {statistics.median(every):.1f} s, p95 {percentile(every, 0.95):.1f} s; errors {errors}; "
          f"cross-talk {crosstalk}; RSS before {before:.0f} MB, after {after:.0f} MB (+{after - before:.0f} MB)")
    return 1 if errors or crosstalk else 0


if __name__ == "__main__":
    sys.exit(main())
