"""Gradients integrated along the straight path from baselines to inputs, in chunks.

Rows of the (virtual) expanded batch are step-major, as in Captum: row ``r`` is step
``r // n`` of example ``r % n``. Chunks gather their rows on the fly, so the full
``n_steps × batch`` tensor is never built, and each chunk's weighted gradients are added
into per-example sums.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple

import torch
from torch import Tensor

from .batching import run_chunked
from .inputs import Baseline, TargetType, args_per_example, take_additional_args, take_target

# gradient_fn(scaled_inputs, target, additional_args) -> per-row gradients (any shapes)
GradientFn = Callable[[Tuple[Tensor, ...], TargetType, Optional[Tuple[Any, ...]]], Tuple[Tensor, ...]]


def _column(values: Tensor, like: Tensor) -> Tensor:
    return values.view((-1,) + (1,) * (like.dim() - 1))


def path_gradients(
    gradient_fn: GradientFn,
    inputs: Tuple[Tensor, ...],
    baselines: Tuple[Baseline, ...],
    target: TargetType,
    additional_args: Optional[Tuple[Any, ...]],
    step_sizes: Sequence[float],
    alphas: Sequence[float],
    internal_batch_size: Optional[int] = None,
    show_progress: bool = False,
    desc: str = "path integral",
) -> Tuple[Tensor, ...]:
    """Sum over steps of ``step_size * gradient`` at ``baseline + alpha * (input - baseline)``.

    `internal_batch_size` fixes the rows per chunk as Captum does (whole steps of the batch);
    when None, chunk sizes are chosen by measurement."""
    n = inputs[0].shape[0]
    device = inputs[0].device
    diffs = tuple(inp - base for inp, base in zip(inputs, baselines))
    bases = tuple(b.expand_as(i) if isinstance(b, Tensor) else b for b, i in zip(baselines, inputs))
    alpha_t = torch.tensor(alphas, device=device)
    weight_t = torch.tensor(step_sizes, device=device).float()
    per_example = args_per_example(additional_args, n)
    unit = 1 if per_example else n
    fixed = None if internal_batch_size is None else max(internal_batch_size // n, 1) * n
    totals: list = [None]

    def work(start: int, stop: int) -> None:
        rows = torch.arange(start, stop, device=device)
        steps, examples = rows // n, rows % n
        scaled = []
        for base, diff in zip(bases, diffs):
            alpha = _column(alpha_t[steps].to(diff.dtype), diff)
            base_rows = base[examples] if isinstance(base, Tensor) else base
            scaled.append((base_rows + alpha * diff[examples]).detach().requires_grad_())
        grads = gradient_fn(
            tuple(scaled),
            take_target(target, examples),
            take_additional_args(additional_args, examples, n, (stop - start) // n),
        )
        weighted = [g * _column(weight_t[steps].to(g.dtype), g) for g in grads]
        if totals[0] is None:
            totals[0] = [torch.zeros((n,) + g.shape[1:], dtype=g.dtype, device=g.device) for g in grads]
        for total, w in zip(totals[0], weighted):
            total.index_add_(0, examples.to(total.device), w.detach())

    row_numel = sum(inp[0].numel() for inp in inputs)
    run_chunked(n * len(alphas), work, unit=unit, fixed_rows=fixed, row_numel=row_numel,
                device=device, desc=desc, show_progress=show_progress)
    return tuple(totals[0])
