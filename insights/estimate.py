"""Cost estimates: how many example-evaluations a method needs, and how long they take.

The count follows the method's arguments (steps, samples, perturbed features); the time comes
from a timed forward+backward pass of the model on a few examples, measured once per model.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Sequence

import torch


def passes_per_example(spec: Any, values: Dict[str, Any], feature_sizes: Sequence[int]) -> int:
    """Forward(+backward) evaluations one example costs under ``spec`` with user ``values``;
    ``feature_sizes`` counts what a perturbation method perturbs (elements, tokens or windows)."""
    def arg(name: str, fallback: int = 1) -> int:
        if name in values and values[name] is not None:
            return int(values[name])
        try:
            default = spec.param(name).default
        except KeyError:
            return fallback
        return fallback if default is None else int(default)

    cost = 1
    for name in ("n_steps", "n_samples", "nt_samples"):
        cost *= arg(name)
    if spec.name == "NoiseTunnel" and values.get("inner") == "IntegratedGradients":
        cost *= 50
    if spec.family == "perturbation":
        features = sum(feature_sizes)
        if "Shapley" in spec.name:
            cost = arg("n_samples") * (features + 1) if spec.name != "ShapleyValues" else 2 ** min(features, 60)
        elif "n_samples" not in {p.name for p in spec.params}:
            cost = features + 1
    return max(cost, 1)


def calibrate(model: torch.nn.Module, inputs: Sequence[torch.Tensor], args: Sequence[Any]) -> float:
    """Seconds per example of one forward+backward pass, measured on a small batch."""
    def once() -> float:
        xs = [x.detach().clone().requires_grad_(torch.is_floating_point(x)) for x in inputs]
        start = time.perf_counter()
        out = model(*xs, *args)
        if out.requires_grad:
            out.sum().backward()
        return time.perf_counter() - start

    once(), once()  # warm-up: allocator, kernel selection, lazy initialisation
    return min(once() for _ in range(3)) / max(inputs[0].shape[0], 1)
