"""Gradients of a selected model output with respect to the inputs."""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import torch
from torch import Tensor

from .inputs import TargetType, run_forward


def require_grad(inputs: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
    """Leaf copies of the inputs that track gradients (the caller's tensors stay untouched)."""
    out = []
    for i, inp in enumerate(inputs):
        if not (inp.dtype.is_floating_point or inp.dtype.is_complex):
            raise TypeError(
                f"`inputs[{i}]` has dtype {inp.dtype}; gradient methods need floating-point inputs"
            )
        out.append(inp.detach().requires_grad_())
    return tuple(out)


def output_gradients(outputs: Tensor, inputs: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
    """d(sum of outputs)/d(inputs), with zeros for inputs the output does not depend on."""
    if outputs.dim() > 1 and outputs[0].numel() != 1:
        raise ValueError(
            f"`target` must select one output per example; the selected output has shape "
            f"{tuple(outputs.shape)} (pass target=<class index>)"
        )
    grads = torch.autograd.grad(outputs, inputs, torch.ones_like(outputs), allow_unused=True)
    return tuple(torch.zeros_like(i) if g is None else g for g, i in zip(grads, inputs))


def compute_gradients(
    forward_func: Callable[..., Any],
    inputs: Tuple[Tensor, ...],
    target: TargetType = None,
    additional_forward_args: Optional[Tuple[Any, ...]] = None,
) -> Tuple[Tensor, ...]:
    """Gradients of the target output w.r.t. `inputs` (which must require grad)."""
    with torch.enable_grad():
        outputs = run_forward(forward_func, inputs, target, additional_forward_args)
        return output_gradients(outputs, inputs)
