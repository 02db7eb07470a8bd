"""Base model vs base + LoRA adapter on held-out reports: faithfulness, coverage, ROUGE-L, length, speed.

    nice -n 5 .venv/bin/python training/eval_explainer.py --test training/out/healytics/test.jsonl --n 100 \
        --metrics-out data/adapters/healytics-smollm2-lora/metrics.json

Generation goes through the serving path (`models.llm.load_llm`: LoRA merged, the app's precision, greedy,
the app's repetition penalty), so tokens/s is what users get. The raw output is scored, before the
Healytics guard:
- faithfulness: share of outputs naming no number absent from the findings (`safety.guard.unsupported_numbers`
  against the findings lines the prompt shows);
- coverage: share of the abnormal results shown that the output names with the right direction
  (the direction word nearest to the test's name in the same sentence);
- ROUGE-L: LCS-based F1 on lower-cased words against the dataset's target;
- mean length in words, and generated tokens per second (timed one request at a time on the serving path;
  the quality metrics come from the same model generating greedily in left-padded batches, to fit a shared CPU).
Each model's generations and scores are written to --out-dir, so the two models can run separately;
the table shows every model scored there.
"""
from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from models.llm import PRECISIONS  # noqa: E402
from reports.catalogue import get_catalogue, normalize_name  # noqa: E402
from safety.guard import unsupported_numbers  # noqa: E402

DEFAULT_TEST = ROOT / "training" / "out" / "healytics" / "test.jsonl"
DEFAULT_ADAPTER = ROOT / "data" / "adapters" / "healytics-smollm2-lora"
_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
DIRECTION_WORDS = {
    "high": ("high", "higher", "above", "elevated", "raised", "increased"),
    "low": ("low", "lower", "below", "decreased", "reduced"),
    "abnormal": ("abnormal", "outside", "unusual", "flagged", "not normal"),
}
_DIRECTION_OF_FLAG = {"high": "high", "critical_high": "high", "low": "low", "critical_low": "low", "abnormal": "abnormal"}


# --- metrics ------------------------------------------------------------------------------------------
def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (LCS of lower-cased word sequences)."""
    a, b = _WORD.findall(candidate.lower()), _WORD.findall(reference.lower())
    if not a or not b:
        return 0.0
    previous = [0] * (len(b) + 1)
    for word in a:
        current = [0]
        for j, other in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if word == other else max(previous[j], current[-1]))
        previous = current
    lcs = previous[-1]
    if lcs == 0:
        return 0.0
    precision, recall = lcs / len(a), lcs / len(b)
    return 2 * precision * recall / (precision + recall)


def findings_source(user_message: str) -> list[str]:
    """The findings lines of the prompt (patient line and result lines): what an output may quote."""
    return [line for line in user_message.splitlines() if line.startswith(("- ", "Patient:"))]


def result_names(test: str, analyte_id: str | None) -> list[str]:
    """Normalized names a text may use for a result: as printed, the catalogue name and synonyms."""
    names = {normalize_name(test), normalize_name(re.sub(r"\([^)]*\)", " ", test))}
    analyte = get_catalogue().get(analyte_id) if analyte_id else None
    if analyte:
        names |= {normalize_name(analyte.name)} | {normalize_name(s) for s in analyte.synonyms if len(s) > 2}
    return sorted((n for n in names if n), key=len, reverse=True)


def _direction_near(sentence: str, start: int, end: int) -> str | None:
    """The direction named by the direction word closest to the span [start, end) of a normalized sentence."""
    best: tuple[int, str] | None = None
    for direction, words in DIRECTION_WORDS.items():
        for word in words:
            for match in re.finditer(rf"\b{word}\b", sentence):
                distance = match.start() - end if match.start() >= end else (start - match.end()) + 1
                if best is None or distance < best[0]:
                    best = (distance, direction)
    return best[1] if best else None


def _occurrences(padded: str, name: str) -> list[tuple[int, int]]:
    return [(m.start() + 1, m.start() + 1 + len(name)) for m in re.finditer(rf"(?= {re.escape(name)} )", padded)]


def mentioned_with_direction(text: str, test: str, analyte_id: str | None, flag: str,
                             other_tests: list[str] = ()) -> bool:
    """True when some sentence names the result with the right direction and none with a wrong one.

    A name inside another result's longer name ('hemoglobin' in 'mean corpuscular hemoglobin') does not count.
    """
    expected = _DIRECTION_OF_FLAG.get(flag, "abnormal")
    names = result_names(test, analyte_id)
    others = [n for t in other_tests if normalize_name(t) != normalize_name(test)
              for n in {normalize_name(t), normalize_name(re.sub(r"\([^)]*\)", " ", t))} if n not in names]
    right = wrong = False
    for sentence in _SENTENCE.split(text):
        padded = f" {normalize_name(sentence)} "
        foreign = [span for other in others for span in _occurrences(padded, other)]
        for name in names:
            spans = [(a, b) for a, b in _occurrences(padded, name)
                     if not any(fa <= a and b <= fb and fb - fa > b - a for fa, fb in foreign)]
            if not spans:
                continue
            start, end = spans[0]
            found = _direction_near(padded, start, end)
            if found == expected or (expected == "abnormal" and found in ("high", "low")):
                right = True
            elif found is not None:
                wrong = True
            break
    return right and not wrong


def prompt_tests(user_message: str) -> list[str]:
    """The test names of the findings lines ('- Potassium: 5.9 mmol/L ... - high' -> 'Potassium')."""
    return [line[2:].split(": ")[0] for line in user_message.splitlines() if line.startswith("- ") and ": " in line]


@dataclass
class Scored:
    report: str
    output: str
    faithful: bool
    invented: list[str]
    abnormal: int
    covered: int
    rouge_l: float
    words: int
    new_tokens: int
    seconds: float


def score(example: dict, output: str, new_tokens: int = 0, seconds: float = 0.0) -> Scored:
    """Scores of one output against its example (messages + meta)."""
    user = next(m["content"] for m in example["messages"] if m["role"] == "user")
    target = example["messages"][-1]["content"]
    invented = sorted(unsupported_numbers(output, findings_source(user)))
    abnormal = example["meta"]["abnormal"]
    tests = prompt_tests(user)
    covered = sum(mentioned_with_direction(output, a["test"], a["analyte"], a["flag"], tests) for a in abnormal)
    return Scored(example["meta"]["report"], output, not invented, invented, len(abnormal), covered,
                  rouge_l(output, target), len(output.split()), new_tokens, seconds)


def summarize(scored: list[Scored]) -> dict:
    abnormal = sum(s.abnormal for s in scored)
    seconds = sum(s.seconds for s in scored)
    return {"n": len(scored),
            "faithfulness": round(sum(s.faithful for s in scored) / len(scored), 4),
            "coverage": round(sum(s.covered for s in scored) / abnormal, 4) if abnormal else None,
            "rouge_l": round(sum(s.rouge_l for s in scored) / len(scored), 4),
            "mean_words": round(sum(s.words for s in scored) / len(scored), 1),
            "tokens_per_s": round(sum(s.new_tokens for s in scored) / seconds, 1) if seconds else None}


# --- running --------------------------------------------------------------------------------------------
def read_examples(path: Path, n: int) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        examples = [json.loads(line) for line in handle if line.strip()]
    return examples[:n] if n else examples


def generate_batched(llm, prompts: list[list[dict]], max_new_tokens: int, batch_size: int) -> list[tuple[str, int]]:
    """Greedy outputs (text, new tokens) of the served model for many prompts, a left-padded batch at a time.

    Same weights and decoding as `LocalLLM.stream_chat` (greedy, repetition penalty 1.1); batching only makes
    the evaluation affordable on a shared CPU.
    """
    import torch

    tokenizer = llm.tokenizer
    tokenizer.padding_side = "left"
    results = []
    for start in range(0, len(prompts), batch_size):
        texts = [tokenizer.apply_chat_template(p, add_generation_prompt=True, tokenize=False)
                 for p in prompts[start:start + batch_size]]
        encoded = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            output = llm.model.generate(**encoded, max_new_tokens=max_new_tokens, do_sample=False,
                                        repetition_penalty=1.1, pad_token_id=tokenizer.eos_token_id)
        for row in output[:, encoded["input_ids"].shape[1]:]:
            ids = row.tolist()
            new_tokens = ids.index(tokenizer.eos_token_id) + 1 if tokenizer.eos_token_id in ids else len(ids)
            results.append((tokenizer.decode(ids, skip_special_tokens=True).strip(), new_tokens))
        print(f"  generated {len(results)}/{len(prompts)}", flush=True)
    return results


def evaluate_model(name: str, base: str, adapter: str, examples: list[dict], max_new_tokens: int,
                   out_dir: Path, precision: str | None = None, batch_size: int = 10, speed_n: int = 3) -> dict:
    """Score one model on every example; write `<name>.jsonl` (outputs) and `<name>.json` (summary).

    Tokens/s is measured on the serving path (`LocalLLM.chat`, one request at a time) over `speed_n` prompts.
    """
    from dataclasses import replace

    from models.llm import load_llm
    from settings import get_settings

    settings = get_settings()
    settings = replace(settings, llm_precision=precision or settings.llm_precision)
    llm = load_llm(base, adapter, settings)
    started = time.perf_counter()
    prompts = [[m for m in example["messages"] if m["role"] != "assistant"] for example in examples]
    speed_tokens = speed_seconds = 0.0
    for prompt in prompts[:speed_n]:
        llm.chat(prompt, max_new_tokens=max_new_tokens)
        speed_tokens += llm.last_stats.new_tokens
        speed_seconds += llm.last_stats.seconds
    outputs = generate_batched(llm, prompts, max_new_tokens, batch_size)
    scored = [score(example, text, tokens) for example, (text, tokens) in zip(examples, outputs)]
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / f"{name}.jsonl", "w", encoding="utf-8") as handle:
        for result in scored:
            handle.write(json.dumps(asdict(result), ensure_ascii=False) + "\n")
    summary = {"model": name, "source": llm.source, "precision": settings.llm_precision, "max_new_tokens": max_new_tokens,
               "wall_s": round(time.perf_counter() - started, 1), **summarize(scored),
               "tokens_per_s": round(speed_tokens / speed_seconds, 1) if speed_seconds else None,
               "tokens_per_s_prompts": speed_n}
    (out_dir / f"{name}.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def table(summaries: list[dict]) -> str:
    columns = ["model", "precision", "n", "faithfulness", "coverage", "rouge_l", "mean_words", "tokens_per_s"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(s.get(c)) for c in columns) + " |" for s in summaries]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--test", type=Path, default=DEFAULT_TEST, help="held-out chat JSONL from build_dataset.py")
    parser.add_argument("--n", type=int, default=100, help="test examples to use (0: all)")
    parser.add_argument("--base", default="embedded")
    parser.add_argument("--adapter", default=str(DEFAULT_ADAPTER))
    parser.add_argument("--models", default="base,adapter", help="which to run: base, adapter or both")
    parser.add_argument("--max-new-tokens", type=int, default=256, help="the app's default generation budget")
    parser.add_argument("--batch-size", type=int, default=10, help="prompts generated together (quality metrics)")
    parser.add_argument("--speed-n", type=int, default=3, help="prompts timed one by one on the serving path")
    parser.add_argument("--precision", choices=PRECISIONS, default=None,
                        help="LLM precision (default: HEALIFY_LLM_PRECISION, i.e. the app's)")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "training" / "out" / "eval")
    parser.add_argument("--metrics-out", type=Path, default=None,
                        help="write the base and adapter summaries here (e.g. the adapter's metrics.json)")
    args = parser.parse_args(argv)
    examples = read_examples(args.test, args.n)
    for name in [m.strip() for m in args.models.split(",") if m.strip()]:
        evaluate_model(name, args.base, args.adapter if name == "adapter" else "", examples,
                       args.max_new_tokens, args.out_dir, precision=args.precision,
                       batch_size=args.batch_size, speed_n=args.speed_n)
    summaries = [json.loads((args.out_dir / f"{n}.json").read_text()) for n in ("base", "adapter")
                 if (args.out_dir / f"{n}.json").exists()]
    print(table(summaries))
    if args.metrics_out and len(summaries) == 2:
        metrics = {"test_file": str(args.test.relative_to(ROOT) if args.test.is_relative_to(ROOT) else args.test),
                   "n": len(examples), "scored_before_guard": True,
                   "base": summaries[0], "adapter": summaries[1]}
        args.metrics_out.write_text(json.dumps(metrics, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
