"""Feature ablation over a tuple of tensors, shared by LayerFeatureAblation (the tensors are
a layer's values) and NeuronFeatureAblation (the tensors are the model inputs).

Features are groups of elements with the same id in a mask (by default every element is its
own feature). Each feature is replaced by its baseline and the output change is credited to
all its elements; `perturbations_per_eval` features are stacked into one forward pass.
"""

from __future__ import annotations

from typing import Callable, List, Optional, Tuple

import torch
from torch import Tensor

from ..core.batching import run_chunked
from ..core.inputs import Baseline, as_tuple
from ..perturbation._common import integral_ids

# evaluate(perturbed tensors with k stacked copies of the batch, k) -> output of k * n rows
Evaluate = Callable[[Tuple[Tensor, ...], int], Tensor]


def check_perturbations_per_eval(value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`perturbations_per_eval` must be a positive int, got {value!r}")


def format_masks(mask, tensors: Tuple[Tensor, ...], name: str) -> Tuple[Tensor, ...]:
    """Masks as a tuple matching the tensors; None numbers every element separately."""
    if mask is None:
        masks, offset = [], 0
        for t in tensors:
            count = t[0].numel()
            masks.append(torch.arange(offset, offset + count, device=t.device).view((1,) + t.shape[1:]))
            offset += count
        return tuple(masks)
    masks = as_tuple(mask, name)
    if len(masks) != len(tensors):
        raise ValueError(f"`{name}` has {len(masks)} tensors but there are {len(tensors)} to ablate")
    out = []
    for i, (m, t) in enumerate(zip(masks, tensors)):
        try:  # a mask may omit leading dimensions (a 0-d mask makes the tensor one feature)
            ok = m.dim() <= t.dim() and torch.broadcast_shapes(m.shape, t.shape) == t.shape
        except RuntimeError:
            ok = False
        if not ok:
            raise ValueError(f"`{name}[{i}]` has shape {tuple(m.shape)}; it must broadcast to the "
                             f"shape {tuple(t.shape)} it groups (batch dimension 1 or {t.shape[0]})")
        m = integral_ids(m, f"{name}[{i}]")
        out.append(m.reshape((1,) * (t.dim() - m.dim()) + tuple(m.shape)))
    return tuple(out)


def ablate(evaluate: Evaluate, tensors: Tuple[Tensor, ...], baselines: Tuple[Baseline, ...],
           masks: Tuple[Tensor, ...], perturbations_per_eval: int = 1,
           desc: Optional[str] = None, show_progress: bool = False) -> Tuple[Tensor, ...]:
    """Per element: output(original) - output(its feature set to the baseline)."""
    check_perturbations_per_eval(perturbations_per_eval)
    n = tensors[0].shape[0]
    with torch.no_grad():
        initial = evaluate(tensors, 1)
        n_outputs = initial.numel()
        flat_initial = initial.reshape(1, -1)
        totals: List[Tensor] = [torch.zeros((n_outputs,) + t.shape[1:], dtype=initial.dtype, device=t.device)
                                for t in tensors]
        ids = torch.unique(torch.cat([m.reshape(-1).to(masks[0].device) for m in masks])).tolist()

        def work(start: int, stop: int) -> None:
            features = ids[start:stop]
            k = len(features)
            perturbed, selections = [], []
            for t, base, m in zip(tensors, baselines, masks):
                ids_t = torch.tensor(features, device=m.device).view((k,) + (1,) * m.dim())
                chosen = (m.unsqueeze(0) == ids_t).to(t.device)
                selections.append(chosen)
                weight = chosen.to(t.dtype)
                stacked = t.unsqueeze(0) * (1 - weight) + base * weight
                stacked = stacked.expand((k,) + t.shape)
                perturbed.append(stacked.reshape((k * n,) + t.shape[1:]))
            out = evaluate(tuple(perturbed), k).reshape(-1, n_outputs)
            diff = flat_initial - out
            for total, chosen in zip(totals, selections):
                d = diff.view(diff.shape + (1,) * (chosen.dim() - 2)).to(total.device)
                total += (d * chosen.to(total.dtype)).sum(0)

        run_chunked(len(ids), work, fixed_rows=perturbations_per_eval, desc=desc,
                    show_progress=show_progress, device=tensors[0].device)
    return tuple(totals)
