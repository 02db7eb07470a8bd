"""Weight-only int8 serving weights: close to fp32 layer by layer and on the real embedded model."""
from __future__ import annotations

import os
from dataclasses import replace

import pytest
import torch

from models.int8 import Int8WeightLinear, quantize_linear_weights
from models.llm import load_llm
from settings import Settings


def test_int8_linear_matches_fp32_within_quantization_error():
    torch.manual_seed(0)
    linear = torch.nn.Linear(64, 32)
    x = torch.randn(2, 5, 64)
    quantized = Int8WeightLinear(linear)
    assert quantized.weight_int8.dtype == torch.int8
    expected, got = linear(x).detach(), quantized(x)
    assert got.shape == expected.shape and got.dtype == torch.float32
    relative = (got - expected).norm() / expected.norm()
    assert relative < 0.02, relative


def test_every_linear_is_replaced():
    model = torch.nn.Sequential(torch.nn.Linear(8, 8), torch.nn.ReLU(), torch.nn.Sequential(torch.nn.Linear(8, 4)))
    assert quantize_linear_weights(model) == 2
    assert not any(isinstance(m, torch.nn.Linear) for m in model.modules())


@pytest.mark.slow
def test_int8_embedded_model_predicts_like_fp32(tmp_path):
    """Teacher-forced next-token agreement with fp32 on a real explainer prompt (dynamic int8 scored 0.45)."""
    settings = Settings(data_dir=str(tmp_path), cache_dir=os.environ["HEALIFY_CACHE_DIR"])
    messages = [{"role": "system", "content": "You explain blood test results to a patient in plain language."},
                {"role": "user", "content": "Findings:\n- Hemoglobin: 10.1 g/dL (reference 13.5 - 17.5) - low\n"
                                            "- Glucose: 186 mg/dL (reference 70 - 99) - high\nWrite the summary."}]
    fp32 = load_llm("embedded", settings.report_adapter, replace(settings, llm_precision="fp32"))
    int8 = load_llm("embedded", settings.report_adapter, replace(settings, llm_precision="int8"))
    assert any(isinstance(m, Int8WeightLinear) for m in int8.model.modules())
    reply = fp32.chat(messages, max_new_tokens=48)
    ids = fp32.tokenizer.apply_chat_template(messages + [{"role": "assistant", "content": reply}], return_tensors="pt",
                                             return_dict=True)["input_ids"]
    with torch.no_grad():
        expected = fp32.model(ids).logits[0].argmax(-1)
        got = int8.model(ids).logits[0].argmax(-1)
    agreement = (expected == got).float().mean().item()
    assert agreement >= 0.9, agreement
    assert int8.chat(messages, max_new_tokens=48).strip()
