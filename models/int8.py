"""Weight-only int8 for CPU inference: int8 weights (one scale per output channel), bf16 matmul.

Small LLMs on CPU are memory-bound, so reading a quarter of the fp32 bytes per token is what makes them
fast. Only the weights are quantized: the activations stay in floating point, which keeps the output of a
135M model close to fp32 (dynamic int8, which also quantizes the activations, garbled it). The matmul is
`torch.ops.aten._weight_int8pack_mm` (bf16 activations x int8 weights, per-channel scales).
"""
from __future__ import annotations

import torch


class Int8WeightLinear(torch.nn.Module):
    """A frozen `nn.Linear` with int8 weights and per-output-channel bf16 scales."""

    def __init__(self, linear: torch.nn.Linear):
        super().__init__()
        weight = linear.weight.detach().float()
        scale = weight.abs().amax(dim=1).clamp(min=1e-8) / 127
        self.in_features, self.out_features = linear.in_features, linear.out_features
        self.register_buffer("weight_int8", (weight / scale[:, None]).round().clamp(-127, 127).to(torch.int8))
        self.register_buffer("scale", scale.to(torch.bfloat16))
        self.register_buffer("bias", None if linear.bias is None else linear.bias.detach().float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        flat = x.reshape(-1, self.in_features).to(torch.bfloat16)
        out = torch.ops.aten._weight_int8pack_mm(flat, self.weight_int8, self.scale)
        out = out.reshape(*x.shape[:-1], self.out_features).to(x.dtype)
        return out if self.bias is None else out + self.bias

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, int8 weights"


def quantize_linear_weights(model: torch.nn.Module) -> int:
    """Replace every `nn.Linear` of `model` in place by `Int8WeightLinear`; returns how many were replaced."""
    replaced = 0
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, torch.nn.Linear):
                setattr(parent, name, Int8WeightLinear(child))
                replaced += 1
    return replaced
