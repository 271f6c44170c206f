"""Deletion and insertion curves (Petsiuk et al., RISE, 2018) and their areas.

Features are taken in the order of their attribution, largest first. Deletion replaces ever more
of them by the baseline and records the target score: a faithful attribution makes it fall fast
(small area). Insertion starts from the baseline and restores them: the score should rise fast
(large area). All points of the curve are evaluated as one batched, chunked job.
"""

from __future__ import annotations

from typing import Callable, NamedTuple, Optional

import torch
from torch import Tensor

from ..core.batching import run_chunked
from ..core.inputs import (
    as_tuple,
    expand_additional_args,
    expand_target,
    format_additional_args,
    format_baselines,
    run_forward,
    tensorize_baselines,
    validate_baselines,
    validate_target,
)
from ._samples import check_positive_int


class PerturbationCurve(NamedTuple):
    """A deletion or insertion curve per example."""

    fractions: Tensor  #: (points,) share of each example's features removed (deletion) or inserted so far
    scores: Tensor  #: (batch, points) the target output at each point
    auc: Tensor  #: (batch,) area under `scores` over `fractions` (trapezoid rule)


def _feature_ids(inputs, feature_mask):
    """Per input, each element's feature index (batch, numel), and the number of features."""
    batch_size = inputs[0].shape[0]
    if feature_mask is None:
        ids, offset = [], 0
        for x in inputs:
            numel = x[0].numel()
            ids.append(torch.arange(offset, offset + numel, device=x.device).expand(batch_size, numel))
            offset += numel
        return ids, offset
    masks = as_tuple(feature_mask, "feature_mask")
    if len(masks) != len(inputs):
        raise ValueError(f"`feature_mask` has {len(masks)} tensors but `inputs` has {len(inputs)}")
    expanded = []
    for i, (x, m) in enumerate(zip(inputs, masks)):
        if m.dtype.is_floating_point or m.dtype == torch.bool:
            raise TypeError(f"`feature_mask[{i}]` must hold integer feature ids, got {m.dtype}")
        try:
            expanded.append(m.to(x.device).expand(x.shape).reshape(batch_size, -1))
        except RuntimeError:
            raise ValueError(f"`feature_mask[{i}]` of shape {tuple(m.shape)} does not broadcast to the "
                             f"input's shape {tuple(x.shape)}") from None
    _, inverse = torch.unique(torch.cat(expanded, dim=1), return_inverse=True)  # ids → 0..G-1
    ids = list(torch.split(inverse, [e.shape[1] for e in expanded], dim=1))
    return ids, int(inverse.max()) + 1


def _ranks(attributions, ids, num_features: int):
    """Each feature's position (batch, features) in descending order of summed attribution, and
    how many features each example has (per-example masks may use fewer ids; those come last)."""
    batch_size = attributions[0].shape[0]
    scores = torch.zeros(batch_size, num_features, dtype=torch.float64, device=attributions[0].device)
    present = torch.zeros(batch_size, num_features, dtype=torch.bool, device=scores.device)
    for a, i in zip(attributions, ids):
        scores.scatter_add_(1, i, a.reshape(batch_size, -1).to(torch.float64))
        present.scatter_(1, i, True)
    order = torch.argsort(scores.masked_fill(~present, -torch.inf), dim=1, descending=True, stable=True)
    positions = torch.arange(num_features, device=order.device).expand(batch_size, num_features)
    return torch.empty_like(order).scatter_(1, order, positions), present.sum(1)


def _curve(mode: str, forward_func, inputs, attributions, baselines, target, additional_forward_args,
           feature_mask, n_steps: int, max_examples_per_batch: Optional[int], show_progress: bool):
    inputs_t = as_tuple(inputs)
    attributions_t = as_tuple(attributions, "attributions")
    if len(attributions_t) != len(inputs_t):
        raise ValueError(f"`attributions` has {len(attributions_t)} tensors but `inputs` has {len(inputs_t)}")
    for x, a in zip(inputs_t, attributions_t):
        if x.shape != a.shape:
            raise ValueError(f"`attributions` of shape {tuple(a.shape)} must match `inputs` of shape {tuple(x.shape)}")
    check_positive_int(n_steps, "n_steps")
    baselines_t = format_baselines(baselines, inputs_t)
    validate_baselines(inputs_t, baselines_t)
    baselines_t = tensorize_baselines(inputs_t, baselines_t)
    batch_size = inputs_t[0].shape[0]
    validate_target(target, batch_size)
    args = format_additional_args(additional_forward_args)
    ids, num_features = _feature_ids(inputs_t, feature_mask)
    ranks, per_example = _ranks(attributions_t, ids, num_features)
    element_ranks = [ranks.gather(1, i) for i in ids]  # (batch, numel) per input
    points = min(n_steps, int(per_example.max())) + 1
    fractions = torch.arange(points, dtype=torch.float64) / (points - 1)
    # features changed at each point, per example: round(k · F_i / n) as an exact integer division
    counts = torch.round(torch.arange(points, dtype=torch.float64)[:, None] * per_example.cpu().double()
                         / (points - 1)).long()
    scores = torch.empty(points, batch_size, dtype=torch.float64)

    def work(start: int, stop: int) -> None:
        steps = stop - start
        limit = counts[start:stop].to(ranks.device).view(steps, batch_size, 1)
        batch = []
        for x, b, r in zip(inputs_t, baselines_t, element_ranks):
            changed = (r.unsqueeze(0) < limit).view(steps, *x.shape)  # the top `count` features
            keep, put = (x, b) if mode == "deletion" else (b, x)
            batch.append(torch.where(changed, put.unsqueeze(0), keep.unsqueeze(0)).reshape(-1, *x.shape[1:]))
        out = run_forward(forward_func, tuple(batch), expand_target(target, steps), expand_additional_args(args, steps))
        if out.numel() != steps * batch_size:
            raise ValueError(f"`forward_func` must give one value per example (choose one output with `target`), "
                             f"got shape {tuple(out.shape)} for {steps * batch_size} examples")
        scores[start:stop] = out.reshape(steps, batch_size).detach().to("cpu", torch.float64)

    fixed = None if max_examples_per_batch is None else max(check_positive_int(
        max_examples_per_batch, "max_examples_per_batch") // batch_size, 1)
    with torch.no_grad():
        run_chunked(points, work, fixed_rows=fixed, row_numel=batch_size * sum(x[0].numel() for x in inputs_t),
                    device=inputs_t[0].device, desc=mode, show_progress=show_progress)
    scores = scores.T.contiguous()
    return PerturbationCurve(fractions, scores, torch.trapezoid(scores, fractions, dim=1))


def deletion_curve(
    forward_func: Callable[..., Tensor],
    inputs,
    attributions,
    baselines=None,
    target=None,
    additional_forward_args: Optional[object] = None,
    feature_mask=None,
    n_steps: int = 50,
    max_examples_per_batch: Optional[int] = None,
    show_progress: bool = False,
) -> PerturbationCurve:
    """Target score as the most-attributed features are replaced by `baselines` (default 0).

    ``n_steps + 1`` points (at most one per feature) from the intact input to the full baseline;
    `feature_mask` (integer ids, broadcast to the inputs, shared across a tuple's tensors) moves
    features in groups ranked by their summed attribution. Lower `auc` is more faithful."""
    return _curve("deletion", forward_func, inputs, attributions, baselines, target, additional_forward_args,
                  feature_mask, n_steps, max_examples_per_batch, show_progress)


def insertion_curve(
    forward_func: Callable[..., Tensor],
    inputs,
    attributions,
    baselines=None,
    target=None,
    additional_forward_args: Optional[object] = None,
    feature_mask=None,
    n_steps: int = 50,
    max_examples_per_batch: Optional[int] = None,
    show_progress: bool = False,
) -> PerturbationCurve:
    """Target score as the most-attributed features are restored into `baselines` (default 0;
    RISE uses a blurred copy of the input). Arguments as for :func:`deletion_curve`; higher
    `auc` is more faithful."""
    return _curve("insertion", forward_func, inputs, attributions, baselines, target, additional_forward_args,
                  feature_mask, n_steps, max_examples_per_batch, show_progress)
