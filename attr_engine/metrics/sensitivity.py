"""Maximum explanation sensitivity (Yeh et al., 2019), with Captum's definition and arguments:
the largest relative change of an explanation, ``‖φ(x) − φ(x')‖ / ‖φ(x)‖``, over inputs ``x'``
drawn near ``x`` (by default uniformly from an L∞ ball of radius `perturb_radius`)."""

from __future__ import annotations

from inspect import signature
from typing import Any, Callable, Optional

import torch
from torch import Tensor

from ..core.inputs import as_tuple, expand_additional_args, expand_target, format_additional_args, format_baselines
from ._samples import over_samples, samples_per_chunk


def default_perturb_func(inputs, perturb_radius: float = 0.02):
    """Each input plus float32 noise uniform in ``[-perturb_radius, perturb_radius]``, drawn on
    the CPU generator in Captum's order (so a seed gives Captum's perturbations)."""
    return tuple(x + torch.empty(x.shape, dtype=torch.float32).uniform_(-perturb_radius, perturb_radius).to(x.device)
                 for x in as_tuple(inputs))


def _expanded_kwargs(kwargs: dict, inputs, copies: int) -> dict:
    """The explanation's keyword arguments for every example repeated `copies` times."""
    out = dict(kwargs)
    if "target" in kwargs:
        out["target"] = expand_target(kwargs["target"], copies, interleave=True)
    if kwargs.get("additional_forward_args") is not None:
        out["additional_forward_args"] = expand_additional_args(
            format_additional_args(kwargs["additional_forward_args"]), copies, interleave=True)
    if kwargs.get("baselines") is not None:
        batch_size = inputs[0].shape[0]
        out["baselines"] = tuple(
            b.repeat_interleave(copies, dim=0) if isinstance(b, Tensor) and b.dim() > 0 and b.shape[0] == batch_size > 1
            else b for b in format_baselines(kwargs["baselines"], inputs))
    return out


def _flat(tensors, rows: int) -> Tensor:
    return torch.cat([t.reshape(rows, -1) for t in tensors], dim=1)


def sensitivity_max(
    explanation_func: Callable[..., Any],
    inputs,
    perturb_func: Callable[..., Any] = default_perturb_func,
    perturb_radius: float = 0.02,
    n_perturb_samples: int = 10,
    norm_ord: Any = "fro",
    max_examples_per_batch: Optional[int] = None,
    **kwargs: Any,
) -> Tensor:
    """Max sensitivity per example (shape ``(batch,)``), as ``captum.metrics.sensitivity_max``.

    `explanation_func(inputs, **kwargs)` is e.g. ``Saliency(model).attribute``; it receives the
    inputs as a tuple, and ``target``, ``additional_forward_args`` and per-example ``baselines``
    in `kwargs` are repeated to match the perturbed batch. All of `kwargs` go to the explanation
    (``show_progress`` too, as in Captum); for a progress bar over the samples, run inside
    ``ProgressMonitor(show_progress=True)``."""
    if not callable(explanation_func):
        raise TypeError("`explanation_func` must be callable, e.g. an attribution method's `attribute`")
    inputs_t = as_tuple(inputs)
    batch_size = inputs_t[0].shape[0]
    per_chunk = samples_per_chunk(batch_size, n_perturb_samples, max_examples_per_batch)
    takes_radius = len(signature(perturb_func).parameters) > 1
    best = []

    def work(copies: int) -> None:
        expanded = tuple(x.repeat_interleave(copies, dim=0) for x in inputs_t)
        expanded = expanded[0] if len(expanded) == 1 else expanded
        perturbed = perturb_func(expanded, perturb_radius) if takes_radius else perturb_func(expanded)
        explained = as_tuple(explanation_func(perturbed, **_expanded_kwargs(kwargs, inputs_t, copies)),
                             "explanation_func's result")
        rows = batch_size * copies
        change = reference.repeat_interleave(copies, dim=0) - _flat(explained, rows)
        relative = torch.norm(change, p=norm_ord, dim=1, keepdim=True) / reference_norm.repeat_interleave(copies, dim=0)
        chunk_max = relative.view(batch_size, copies).max(dim=1).values
        best[:] = [chunk_max if not best else torch.max(best[0], chunk_max)]

    with torch.no_grad():
        reference = _flat(as_tuple(explanation_func(inputs_t, **kwargs), "explanation_func's result"), batch_size)
        reference_norm = torch.norm(reference, p=norm_ord, dim=1, keepdim=True)
        reference_norm = torch.where(reference_norm == 0, torch.ones_like(reference_norm), reference_norm)
        over_samples(n_perturb_samples, per_chunk, work, "sensitivity")
    return best[0]
