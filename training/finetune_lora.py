"""LoRA fine-tune of the report explainer on chat JSONL, loss on the assistant tokens only.

    nice -n 5 .venv/bin/python training/finetune_lora.py --data training/out/healytics/train.jsonl \
        --val training/out/healytics/val.jsonl --output data/adapters/healytics-smollm2-lora

The base is the embedded SmolLM2-135M-Instruct by default (loaded from the GGUF-converted fp32
safetensors cache via `models.llm.load_base_model`, so its quantization marks are already gone) or
any folder / hub id, e.g. `--base meta-llama/Llama-3.2-1B-Instruct` on a GPU. Defaults are the
original notebook's hyperparameters: r=64, alpha=16, dropout=0.1 on q,k,v,o,gate_proj, lr 2e-4,
batch 3, gradient accumulation 2, one epoch. A plain training loop (AdamW, linear warm-up/decay)
keeps the dependencies to transformers + peft.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

from settings import get_settings  # noqa: E402

log = logging.getLogger("finetune_lora")

IGNORE_INDEX = -100
DEFAULT_TARGETS = "q_proj,k_proj,v_proj,o_proj,gate_proj"
DEFAULT_OUTPUT = ROOT / "data" / "adapters" / "healytics-smollm2-lora"


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]  # IGNORE_INDEX on the prompt, token ids on the assistant reply


def read_chat_jsonl(path: Path) -> list[list[dict]]:
    """The `messages` list of every line of a chat JSONL file."""
    conversations = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            messages = json.loads(line)["messages"]
            if not messages or messages[-1]["role"] != "assistant":
                raise ValueError(f"{path}:{number}: the last message must be the assistant's reply")
            conversations.append(messages)
    return conversations


def _token_ids(encoded) -> list[int]:
    ids = encoded["input_ids"] if isinstance(encoded, dict) or hasattr(encoded, "keys") else encoded
    return list(ids)


def tokenize_conversation(tokenizer, messages: list[dict], max_length: int) -> Example | None:
    """Chat-template the conversation; only the final assistant reply (and its end token) is learned.

    Returns None when the prompt alone does not fit in `max_length` (nothing left to learn).
    """
    prompt_ids = _token_ids(tokenizer.apply_chat_template(messages[:-1], add_generation_prompt=True, tokenize=True))
    full_ids = _token_ids(tokenizer.apply_chat_template(messages, tokenize=True))
    if full_ids[:len(prompt_ids)] != prompt_ids:
        raise ValueError("the chat template does not render the prompt as a prefix of the conversation")
    # Drop what follows the reply's end-of-turn token (e.g. a trailing newline) so the model learns to stop there.
    end_id = tokenizer.convert_tokens_to_ids("<|im_end|>") if "<|im_end|>" in tokenizer.get_vocab() else tokenizer.eos_token_id
    if end_id in full_ids[len(prompt_ids):]:
        full_ids = full_ids[:len(prompt_ids) + full_ids[len(prompt_ids):].index(end_id) + 1]
    if len(prompt_ids) >= max_length:
        return None
    full_ids = full_ids[:max_length]
    labels = [IGNORE_INDEX] * len(prompt_ids) + full_ids[len(prompt_ids):]
    return Example(full_ids, labels)


def collate(batch: list[Example], pad_id: int):
    """Right-padded tensors: input_ids, attention_mask, labels (padding ignored by the loss)."""
    import torch

    width = max(len(example.input_ids) for example in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    for row, example in enumerate(batch):
        n = len(example.input_ids)
        input_ids[row, :n] = torch.tensor(example.input_ids)
        attention[row, :n] = 1
        labels[row, :n] = torch.tensor(example.labels)
    return input_ids, attention, labels


def summed_loss(model, input_ids, attention, labels):
    """(sum of token cross-entropies over the learned tokens, number of learned tokens).

    The vocabulary projection (49k x hidden for SmolLM2, a large share of the compute) runs only
    on the positions that predict a learned token, not on the prompt.
    """
    import torch.nn.functional as F

    causal_lm = model.get_base_model() if hasattr(model, "get_base_model") else model
    hidden = causal_lm.model(input_ids=input_ids, attention_mask=attention).last_hidden_state[:, :-1]
    targets = labels[:, 1:]
    learned = targets != IGNORE_INDEX
    logits = causal_lm.lm_head(hidden[learned]).float()
    loss = F.cross_entropy(logits, targets[learned], reduction="sum")
    return loss, int(learned.sum())


def evaluate_loss(model, examples: list[Example], batch_size: int, pad_id: int) -> float:
    """Mean per-token loss of the assistant replies."""
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.inference_mode():
        for start in range(0, len(examples), batch_size):
            loss, n = summed_loss(model, *collate(examples[start:start + batch_size], pad_id))
            total, count = total + float(loss), count + n
    model.train()
    return total / max(count, 1)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="embedded", help="`embedded` (SmolLM2-135M GGUF), a folder or a hub id")
    parser.add_argument("--data", type=Path, default=ROOT / "training" / "out" / "healytics" / "train.jsonl",
                        help="training chat JSONL")
    parser.add_argument("--val", type=Path, default=None, help="validation chat JSONL (loss reported at the end)")
    parser.add_argument("--max-val-examples", type=int, default=30, help="validation examples scored (0: all)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="adapter folder to write")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--max-steps", type=int, default=-1, help="optimizer steps; overrides --epochs when > 0")
    parser.add_argument("--lr", type=float, default=2e-4)
    parser.add_argument("--batch-size", type=int, default=3)
    parser.add_argument("--grad-accum", type=int, default=2)
    parser.add_argument("--warmup-steps", type=int, default=5)
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--init-adapter", type=Path, default=None,
                        help="continue training this saved adapter (its LoRA settings win over the flags below)")
    parser.add_argument("--lora-r", type=int, default=64)
    parser.add_argument("--lora-alpha", type=int, default=16)
    parser.add_argument("--lora-dropout", type=float, default=0.1)
    parser.add_argument("--target-modules", default=DEFAULT_TARGETS, help="comma-separated module names")
    parser.add_argument("--max-length", type=int, default=768, help="tokens per example (prompt + reply)")
    parser.add_argument("--max-examples", type=int, default=0, help="use only the first N training examples (0: all)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--log-every", type=int, default=5, help="log every N optimizer steps")
    return parser


def train(args) -> dict:
    """Fine-tune, save the adapter to `args.output`, return the training metrics (also in training_log.json)."""
    import torch
    from peft import LoraConfig, get_peft_model

    from models.llm import load_base_model

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    model, tokenizer, folder = load_base_model(args.base, get_settings())
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id

    conversations = read_chat_jsonl(args.data)
    if args.max_examples:
        conversations = conversations[:args.max_examples]
    examples = [e for e in (tokenize_conversation(tokenizer, c, args.max_length) for c in conversations) if e]
    if not examples:
        raise SystemExit(f"no usable training example in {args.data}")
    val_examples = []
    if args.val:
        val_examples = [e for e in (tokenize_conversation(tokenizer, c, args.max_length)
                                    for c in read_chat_jsonl(args.val)) if e]
        val_examples = val_examples[:args.max_val_examples or None]
    lengths = sorted(len(e.input_ids) for e in examples)
    log.info("%d training examples (tokens: median %d, max %d), %d validation", len(examples),
             lengths[len(lengths) // 2], lengths[-1], len(val_examples))

    if args.init_adapter:  # continue training a saved adapter (its own r, alpha, dropout and targets)
        from peft import PeftModel

        model = PeftModel.from_pretrained(model, str(args.init_adapter), is_trainable=True)
        config = model.peft_config["default"]
    else:
        config = LoraConfig(r=args.lora_r, lora_alpha=args.lora_alpha, lora_dropout=args.lora_dropout,
                            target_modules=[m.strip() for m in args.target_modules.split(",") if m.strip()],
                            bias="none", task_type="CAUSAL_LM")
        model = get_peft_model(model, config)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    log.info("LoRA r=%d alpha=%d on %s: %.2fM trainable parameters", config.r, config.lora_alpha,
             sorted(config.target_modules), trainable / 1e6)

    per_epoch = math.ceil(len(examples) / (args.batch_size * args.grad_accum))
    total_steps = args.max_steps if args.max_steps > 0 else max(1, math.ceil(per_epoch * args.epochs))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr,
                                  weight_decay=args.weight_decay)
    warmup = min(args.warmup_steps, max(total_steps - 1, 0))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: (step + 1) / (warmup + 1) if step < warmup
        else max(0.0, (total_steps - step) / max(1, total_steps - warmup)))

    order: list[int] = []
    history: list[dict] = []
    model.train()
    loop_started = time.perf_counter()
    for step in range(1, total_steps + 1):
        micro_batches = []
        for _ in range(args.grad_accum):
            if len(order) < args.batch_size:
                shuffled = list(range(len(examples)))
                random.shuffle(shuffled)
                order += shuffled
            micro_batches.append([examples[i] for i in order[:args.batch_size]])
            del order[:args.batch_size]
        # Average over every learned token of the accumulated batches, as one big batch would.
        tokens = sum(sum(1 for t in e.labels[1:] if t != IGNORE_INDEX) for b in micro_batches for e in b)
        step_loss = 0.0
        for batch in micro_batches:
            loss, _ = summed_loss(model, *collate(batch, pad_id))
            (loss / max(tokens, 1)).backward()
            step_loss += float(loss.detach())
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        mean_loss = step_loss / max(tokens, 1)
        if not math.isfinite(mean_loss):
            raise FloatingPointError(f"loss became {mean_loss} at step {step}")
        elapsed = time.perf_counter() - loop_started
        history.append({"step": step, "loss": round(mean_loss, 4), "elapsed_s": round(elapsed, 1)})
        if step % args.log_every == 0 or step in (1, total_steps):
            log.info("step %d/%d loss %.4f lr %.2e (%.1f s/step)", step, total_steps, mean_loss,
                     scheduler.get_last_lr()[0], elapsed / step)

    train_s = time.perf_counter() - loop_started
    args.output.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.output)
    # Name the base as models.llm knows it (not this machine's cache path); drop peft's boilerplate README.
    config_path = args.output / "adapter_config.json"
    saved_config = json.loads(config_path.read_text())
    saved_config["base_model_name_or_path"] = args.base
    config_path.write_text(json.dumps(saved_config, indent=2) + "\n")
    (args.output / "README.md").unlink(missing_ok=True)
    metrics = {
        "base": args.base, "base_folder": folder if args.base != "embedded" else "embedded (GGUF cache)",
        "train_file": str(args.data), "train_examples": len(examples), "val_examples": len(val_examples),
        "steps": total_steps, "examples_seen": total_steps * args.batch_size * args.grad_accum,
        "epochs_equivalent": round(total_steps * args.batch_size * args.grad_accum / len(examples), 3),
        "init_adapter": str(args.init_adapter) if args.init_adapter else None,
        "hyperparameters": {"lora_r": config.r, "lora_alpha": config.lora_alpha, "lora_dropout": config.lora_dropout,
                            "target_modules": config.target_modules and sorted(config.target_modules),
                            "lr": args.lr, "batch_size": args.batch_size, "grad_accum": args.grad_accum,
                            "warmup_steps": warmup, "max_length": args.max_length, "seed": args.seed},
        "trainable_parameters": trainable,
        "first_loss": history[0]["loss"], "final_loss": history[-1]["loss"],
        "final_loss_mean_last_10": round(sum(h["loss"] for h in history[-10:]) / len(history[-10:]), 4),
        "val_loss": round(evaluate_loss(model, val_examples, args.batch_size, pad_id), 4) if val_examples else None,
        "train_seconds": round(train_s, 1), "seconds_per_step": round(train_s / total_steps, 2),
        "total_seconds": round(time.perf_counter() - started, 1),
        "history": history,
    }
    (args.output / "training_log.json").write_text(json.dumps(metrics, indent=1) + "\n")
    log.info("saved adapter to %s (final loss %.4f, val loss %s, %.0f s)", args.output, metrics["final_loss"],
             metrics["val_loss"], train_s)
    return metrics


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    train(build_parser().parse_args(argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
