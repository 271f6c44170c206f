"""Explanation infidelity (Yeh et al., 2019), with Captum's definition and arguments.

For perturbations ``I`` drawn by `perturb_func`, infidelity is the mean over samples of
``(Σ attribution · I − (f(x) − f(x − I)))²``: how far the attribution's linear prediction of
the output change is from the real change. ``normalize=True`` first rescales the attribution by
the least-squares factor β, making the score invariant to the attribution's scale.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Tuple

import torch
from torch import Tensor

from ..core.inputs import (
    as_tuple,
    expand_additional_args,
    expand_target,
    format_additional_args,
    format_baselines,
    run_forward,
    validate_baselines,
    validate_target,
)
from ._samples import over_samples, samples_per_chunk


def safe_div(numerator: Tensor, denom, default_denom: float = 1.0) -> Tensor:
    """``numerator / denom`` with zeros in `denom` replaced by `default_denom`."""
    if not isinstance(denom, Tensor):
        return numerator / (denom if denom != 0 else default_denom)
    default = torch.tensor(default_denom, dtype=denom.dtype, device=denom.device)
    return numerator / torch.where(denom != 0, denom, default)


def infidelity_perturb_func_decorator(multiply_by_inputs: bool = True):
    """Turn a `perturb_func` that returns only perturbed inputs into one that also returns the
    perturbations: ``(x − x')/(x − baseline)`` (or ``/x`` without baselines) when
    `multiply_by_inputs`, else ``x − x'``."""

    def decorate(perturb_func: Callable[..., Any]):
        def perturb_with_perturbations(inputs, baselines=None):
            perturbed = perturb_func(inputs, baselines) if baselines is not None else perturb_func(inputs)
            inputs_t, perturbed_t = as_tuple(inputs), as_tuple(perturbed, "perturbed inputs")
            if baselines is None:
                denominators = inputs_t
            else:
                denominators = tuple(x - b for x, b in zip(inputs_t, format_baselines(baselines, inputs_t)))
            perturbations = tuple(
                safe_div(x - xp, d) if multiply_by_inputs else x - xp
                for x, xp, d in zip(inputs_t, perturbed_t, denominators))
            return perturbations, perturbed_t

        return perturb_with_perturbations

    return decorate


def _expand_baselines(baselines, batch_size: int, copies: int):
    return tuple(
        b.repeat_interleave(copies, dim=0) if isinstance(b, Tensor) and b.dim() > 0 and b.shape[0] == batch_size > 1
        else b for b in baselines)


def _one_per_row(values: Tensor, rows: int, what: str) -> Tensor:
    if values.numel() != rows:
        raise ValueError(
            f"{what} must give one value per example (choose one output with `target`), got shape "
            f"{tuple(values.shape)} for {rows} examples")
    return values.reshape(rows)


def _perturb(perturb_func, inputs: Tuple[Tensor, ...], baselines, copies: int):
    """Call `perturb_func` on every example repeated `copies` times; check what it returns."""
    expanded = tuple(x.repeat_interleave(copies, dim=0) for x in inputs)
    single = len(expanded) == 1
    args = (expanded[0] if single else expanded,)
    if baselines is not None:
        expanded_b = _expand_baselines(baselines, inputs[0].shape[0], copies)
        args += (expanded_b[0] if single else expanded_b,)
    result = perturb_func(*args)
    if not (isinstance(result, tuple) and len(result) == 2):
        raise TypeError("`perturb_func` must return (perturbations, perturbed inputs); wrap a function "
                        "that returns only perturbed inputs with infidelity_perturb_func_decorator")
    perturbations, perturbed = as_tuple(result[0], "perturbations"), as_tuple(result[1], "perturbed inputs")
    if len(perturbations) != len(inputs) or len(perturbed) != len(inputs):
        raise ValueError(f"`perturb_func` must return {len(inputs)} perturbation and perturbed-input tensors, "
                         f"got {len(perturbations)} and {len(perturbed)}")
    for p, xp, x in zip(perturbations, perturbed, expanded):
        if p.shape != x.shape or xp.shape != x.shape:
            raise ValueError(f"`perturb_func` returned shapes {tuple(p.shape)} and {tuple(xp.shape)} for "
                             f"inputs of shape {tuple(x.shape)}")
    return perturbations, perturbed


def infidelity(
    forward_func: Callable[..., Tensor],
    perturb_func: Callable[..., Any],
    inputs,
    attributions,
    baselines=None,
    additional_forward_args: Optional[object] = None,
    target=None,
    n_perturb_samples: int = 10,
    max_examples_per_batch: Optional[int] = None,
    normalize: bool = False,
    show_progress: bool = False,
) -> Tensor:
    """Infidelity of `attributions` per example (shape ``(batch,)``), as ``captum.metrics.infidelity``.

    `perturb_func(inputs[, baselines])` gets every example repeated ``k`` times and returns
    ``(perturbations, perturbed_inputs)``. At most `max_examples_per_batch` rows go to the model
    at once (all ``batch × n_perturb_samples`` when None, as in Captum)."""
    inputs_t = as_tuple(inputs)
    attributions_t = as_tuple(attributions, "attributions")
    if len(attributions_t) != len(inputs_t):
        raise ValueError(f"`attributions` has {len(attributions_t)} tensors but `inputs` has {len(inputs_t)}")
    for x, a in zip(inputs_t, attributions_t):
        if x.shape != a.shape:
            raise ValueError(f"`attributions` of shape {tuple(a.shape)} must match `inputs` of shape {tuple(x.shape)}")
    baselines_t = None
    if baselines is not None:
        baselines_t = format_baselines(baselines, inputs_t)
        validate_baselines(inputs_t, baselines_t)
    batch_size = inputs_t[0].shape[0]
    validate_target(target, batch_size)
    args = format_additional_args(additional_forward_args)
    per_chunk = samples_per_chunk(batch_size, n_perturb_samples, max_examples_per_batch)
    flat_attributions = [a.reshape(batch_size, 1, -1) for a in attributions_t]
    sums = []  # Σ (a−b)², or Σ a², Σ ab, Σ b² when normalising

    def work(copies: int) -> None:
        perturbations, perturbed = _perturb(perturb_func, inputs_t, baselines_t, copies)
        outputs = run_forward(forward_func, perturbed, expand_target(target, copies, interleave=True),
                              expand_additional_args(args, copies, interleave=True))
        outputs = _one_per_row(outputs, batch_size * copies, "`forward_func`").view(batch_size, copies)
        change = original.view(batch_size, 1) - outputs
        predicted = sum((p.reshape(batch_size, copies, -1) * a).sum(-1)
                        for p, a in zip(perturbations, flat_attributions))
        terms = ((predicted.pow(2).sum(-1), (predicted * change).sum(-1), change.pow(2).sum(-1)) if normalize
                 else ((predicted - change).pow(2).sum(-1),))
        if sums:
            sums[:] = [s + t for s, t in zip(sums, terms)]
        else:
            sums.extend(terms)

    with torch.no_grad():
        original = _one_per_row(run_forward(forward_func, inputs_t, target, args), batch_size, "`forward_func`")
        over_samples(n_perturb_samples, per_chunk, work, "infidelity", show_progress)
    if normalize:
        beta = safe_div(sums[1], sums[0])
        return (beta * beta * sums[0] - 2 * beta * sums[1] + sums[2]) / n_perturb_samples
    return sums[0] / n_perturb_samples
