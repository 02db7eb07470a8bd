"""LoRA fine-tune: prompt tokens masked, a few-step smoke run writes an adapter the serving path loads."""
from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from settings import Settings
from training.finetune_lora import IGNORE_INDEX, build_parser, read_chat_jsonl, tokenize_conversation, train

pytestmark = pytest.mark.slow
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "datasets" / "healytics" / "sample.jsonl"


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return Settings(data_dir=str(tmp_path_factory.mktemp("data")), cache_dir=os.environ["HEALIFY_CACHE_DIR"],
                    report_adapter="")


def test_only_the_assistant_reply_is_learned(settings):
    from models.llm import load_base_model

    _, tokenizer, _ = load_base_model("embedded", settings)
    messages = read_chat_jsonl(SAMPLE)[0]
    example = tokenize_conversation(tokenizer, messages, max_length=2048)
    learned = [t for t in example.labels if t != IGNORE_INDEX]
    prompt_len = example.labels.index(learned[0])
    assert all(t == IGNORE_INDEX for t in example.labels[:prompt_len])
    assert example.labels[prompt_len:] == example.input_ids[prompt_len:]
    assert tokenizer.decode(learned).strip() == messages[-1]["content"].strip() + "<|im_end|>"
    assert tokenize_conversation(tokenizer, messages, max_length=prompt_len) is None


def test_few_step_training_writes_an_adapter_the_app_loads(settings, tmp_path):
    from models.llm import load_llm

    data = tmp_path / "train.jsonl"  # short conversations keep the smoke run to seconds
    data.write_text("".join(json.dumps({"messages": [
        {"role": "user", "content": f"Findings:\n- Potassium: {v} mmol/L - high"},
        {"role": "assistant", "content": "Your potassium is high. Ask your doctor what could cause it."}]}) + "\n"
        for v in ("5.6", "5.9", "6.1")))
    out = tmp_path / "adapter"
    metrics = train(build_parser().parse_args([
        "--data", str(data), "--output", str(out), "--max-steps", "3", "--batch-size", "2", "--grad-accum", "2",
        "--lora-r", "2", "--lora-alpha", "4", "--lr", "1e-3", "--val", str(data)]))
    assert metrics["steps"] == 3 and all(math.isfinite(h["loss"]) and h["loss"] > 0 for h in metrics["history"])
    assert math.isfinite(metrics["val_loss"])
    config = json.loads((out / "adapter_config.json").read_text())
    assert config["r"] == 2 and set(config["target_modules"]) == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj"}
    assert (out / "adapter_model.safetensors").stat().st_size > 0 and config["base_model_name_or_path"] == "embedded"
    llm = load_llm("embedded", str(out), settings)
    assert "LoRA adapter" in llm.source
    assert llm.chat([{"role": "user", "content": "Say hello."}], max_new_tokens=4)
