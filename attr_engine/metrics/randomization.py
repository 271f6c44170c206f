"""Model-randomisation sanity check (Adebayo et al., "Sanity Checks for Saliency Maps", 2018).

Layers of a copy of the model are re-initialised one after another from the output down; after
each, the attribution is recomputed and compared with the trained model's by Spearman rank
correlation. An attribution that stays similar while the weights it should explain are destroyed
is not explaining the model.
"""

from __future__ import annotations

import copy
from contextlib import nullcontext
from typing import Any, Callable, List, NamedTuple, Optional, Sequence

import torch
from torch import Tensor, nn

from ..core.inputs import as_tuple
from ..core.progress import task


class RandomizationResult(NamedTuple):
    layers: List[str]  #: re-initialised layers, output first; row i has layers[: i + 1] re-initialised
    correlations: Tensor  #: (len(layers), batch) Spearman correlation with the trained model's attribution


def rank_average(values: Tensor) -> Tensor:
    """Ranks along dim 1 (0-based), ties sharing their average rank, as scipy's ``rankdata``."""
    sorted_vals, order = torch.sort(values, dim=1, stable=True)
    n = values.shape[1]
    positions = torch.arange(n, device=values.device, dtype=torch.float64).expand_as(sorted_vals)
    differs = sorted_vals[:, 1:] != sorted_vals[:, :-1]
    edge = torch.ones_like(differs[:, :1])
    starts = torch.cat([edge, differs], 1)
    ends = torch.cat([differs, edge], 1)
    first = torch.where(starts, positions, torch.zeros_like(positions)).cummax(dim=1).values
    last_marks = torch.where(ends, positions, torch.full_like(positions, n))
    last = last_marks.flip(1).cummin(dim=1).values.flip(1)
    return torch.empty_like(positions).scatter_(1, order, (first + last) / 2)


def spearman(a: Tensor, b: Tensor) -> Tensor:
    """Spearman rank correlation per row of two (rows, n) tensors (NaN for a constant row)."""
    ra, rb = rank_average(a.double()), rank_average(b.double())
    ra, rb = ra - ra.mean(1, keepdim=True), rb - rb.mean(1, keepdim=True)
    return (ra * rb).sum(1) / (ra.norm(dim=1) * rb.norm(dim=1))


def default_layers(model: nn.Module) -> List[str]:
    """Modules with their own parameters and a ``reset_parameters``, output side first."""
    names = [name for name, module in model.named_modules()
             if any(True for _ in module.parameters(recurse=False)) and hasattr(module, "reset_parameters")]
    return names[::-1]


def _flat(attributions, batch_size: int) -> Tensor:
    return torch.cat([a.detach().reshape(batch_size, -1) for a in as_tuple(attributions, "attributions")], 1)


def model_randomization(
    model: nn.Module,
    explanation_func: Callable[..., Any],
    inputs,
    layers: Optional[Sequence[str]] = None,
    absolute: bool = True,
    seed: Optional[int] = None,
    show_progress: bool = False,
    **kwargs: Any,
) -> RandomizationResult:
    """Cascading randomisation: correlations of ``explanation_func(model_copy, inputs, **kwargs)``
    with ``explanation_func(model, inputs, **kwargs)`` as `layers` (names from
    ``model.named_modules()``, output side first; default: every layer with parameters) are
    re-initialised in turn. `absolute` compares magnitudes, as the paper's main figures do;
    `seed` makes the re-initialisation reproducible without touching the global generator."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"`model` must be a torch.nn.Module, got {type(model).__name__}")
    modules = dict(model.named_modules())
    layers = default_layers(model) if layers is None else list(layers)
    if not layers:
        raise ValueError("`layers` is empty: the model has no layers with parameters to re-initialise")
    for name in layers:
        if name not in modules or not hasattr(modules[name], "reset_parameters"):
            raise ValueError(f"`layers` entry {name!r} is not a submodule of `model` with reset_parameters()")
    batch_size = as_tuple(inputs)[0].shape[0]
    prepare = (lambda a: a.abs()) if absolute else (lambda a: a)
    with task(len(layers) + 1, "model randomization", show_progress) as progress:
        with progress.step(1):
            reference = prepare(_flat(explanation_func(model, inputs, **kwargs), batch_size))
        randomized = copy.deepcopy(model)
        copies = dict(randomized.named_modules())
        correlations = []
        cuda = sorted({p.device.index or 0 for p in model.parameters() if p.is_cuda})
        rng = torch.random.fork_rng(devices=cuda) if seed is not None else nullcontext()
        with rng:
            if seed is not None:
                torch.manual_seed(seed)
            for name in layers:
                with progress.step(1):
                    with torch.no_grad():
                        copies[name].reset_parameters()
                    current = prepare(_flat(explanation_func(randomized, inputs, **kwargs), batch_size))
                    correlations.append(spearman(reference, current))
    return RandomizationResult(layers, torch.stack(correlations))
