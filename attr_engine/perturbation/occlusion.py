"""Occlusion (Zeiler & Fergus, 2014): slide a window over each input, replace what it covers
by the baseline, and give each element the mean output drop of the windows covering it."""

from __future__ import annotations

import math
import string
from typing import Any, List, Optional, Tuple

import torch
from torch import Tensor

from ..core.base import PerturbationAttribution
from ..core.inputs import (
    as_tuple,
    broadcast_baselines,
    format_additional_args,
    format_baselines,
    format_output,
    is_tuple,
    validate_target,
)
from ..core.registry import Param, register
from ._common import (
    PPE_PARAM,
    blend,
    evaluate,
    expand_baseline,
    forward,
    forward_copies,
    grows_with_batch,
    parse_ppe,
    promoted,
    row_numel,
)


def _per_input(value: Any, inputs: Tuple[Tensor, ...], name: str, default: Any = None) -> List[Tuple[int, ...]]:
    """Window shapes or strides as one tuple of ints per input, checked against its rank."""
    if value is None:
        value = default
    entries = value if len(inputs) > 1 or (isinstance(value, tuple) and value
                                            and isinstance(value[0], tuple)) else (value,)
    if not isinstance(entries, tuple) or len(entries) != len(inputs):
        raise ValueError(f"`{name}` needs one entry per input tensor ({len(inputs)}), got {value!r}")
    out = []
    for i, (entry, inp) in enumerate(zip(entries, inputs)):
        rank = inp.dim() - 1
        if isinstance(entry, int) and not isinstance(entry, bool):
            entry = (entry,) * rank
        if not isinstance(entry, tuple) or not all(isinstance(e, int) and not isinstance(e, bool)
                                                   for e in entry):
            raise TypeError(f"`{name}` entry {i} must be an int or a tuple of ints, got {entry!r}")
        if len(entry) != rank:
            raise ValueError(f"`{name}` entry {i} has {len(entry)} dimensions but the input has "
                             f"{rank} (its shape without the batch dimension is {tuple(inp.shape[1:])})")
        if any(e < 1 for e in entry):
            raise ValueError(f"`{name}` entry {i} must be positive, got {entry}")
        out.append(entry)
    return out


class _Windows:
    """The sliding-window positions over one input, numbered with the first dimension
    fastest (Captum's order); `cover[d]` (count_d, size_d) says which elements each window
    position covers along dimension d (windows at the far edge are cut off)."""

    def __init__(self, shape: Tuple[int, ...], window: Tuple[int, ...], stride: Tuple[int, ...],
                 device: torch.device, index: int) -> None:
        for d, (size, w, s) in enumerate(zip(shape, window, stride)):
            if w > size:
                raise ValueError(f"`sliding_window_shapes` {window} exceeds the shape {shape} of "
                                 f"input {index} in dimension {d}")
            if s > w and size != w:
                raise ValueError(f"`strides` {stride} exceed `sliding_window_shapes` {window} for "
                                 f"input {index} in dimension {d}: elements would be skipped")
        self.counts = [math.ceil((size - w) / s) + 1 for size, w, s in zip(shape, window, stride)]
        self.total = math.prod(self.counts)
        self.cover = []
        for size, w, s, c in zip(shape, window, stride, self.counts):
            start = torch.arange(c, device=device).unsqueeze(1) * s
            pos = torch.arange(size, device=device).unsqueeze(0)
            self.cover.append((pos >= start) & (pos < start + w))

    def selected(self, local: Tensor) -> Tensor:
        """(k, 1, *shape) masks of window numbers `local`; numbers outside 0..total-1 select nothing."""
        valid = (local >= 0) & (local < self.total)
        rest = local.clamp(0, self.total - 1)
        sel = valid.view(-1, *([1] * len(self.counts)))
        rank = len(self.counts)
        for d, count in enumerate(self.counts):
            axis = self.cover[d][rest % count]
            rest = rest // count
            sel = sel & axis.view(axis.shape[0], *([1] * d), axis.shape[1], *([1] * (rank - d - 1)))
        return sel.unsqueeze(1)

    def spread(self, diffs: Tensor) -> Tensor:
        """Mean of the window values (total, r) over the windows covering each element: (r, *shape)."""
        rank = len(self.counts)
        if rank == 0:  # one scalar per example: a single window covering it
            return diffs.reshape(-1)
        letters = string.ascii_letters
        grid, elems = letters[:rank], letters[rank:2 * rank]
        covers = [c.to(diffs.dtype) for c in self.cover]
        terms = ",".join(g + e for g, e in zip(grid, elems))
        values = diffs.reshape(*reversed(self.counts), -1)
        summed = torch.einsum(f"{grid[::-1]}z,{terms}->z{elems}", values, *covers)
        count = torch.einsum(f"{terms}->{elems}", *covers)
        return summed / count


DASHBOARD_AXES = ("the dashboard reads it along an image's height and width, a series' time axis or "
                  "a text's tokens (channels and embeddings are covered whole)")


@register("perturbation", params=(
    Param("sliding_window_shapes", "ints", None, minimum=1, nullable=True,
          help=f"Shape of the occluding window, per input; {DASHBOARD_AXES}; empty: about an eighth "
               "of each axis, whole tokens."),
    Param("strides", "ints", None, minimum=1, nullable=True,
          help=f"How far the window moves at each step; {DASHBOARD_AXES}; empty: 1."),
    PPE_PARAM), baselines="optional", progress=True)
class Occlusion(PerturbationAttribution):
    """Slides a window (``sliding_window_shapes``, moved by ``strides``) over each input and
    replaces the covered elements by the baseline; each element's attribution is the mean
    output drop over the windows that cover it.

    ``perturbations_per_eval`` defaults to ``"auto"`` (Captum's default is 1)."""

    def attribute(
        self,
        inputs,
        sliding_window_shapes,
        strides=None,
        baselines=None,
        target=None,
        additional_forward_args: Optional[object] = None,
        perturbations_per_eval: Any = "auto",
        show_progress: bool = False,
    ):
        was_tuple = is_tuple(inputs)
        inputs_t = as_tuple(inputs)
        windows_shapes = _per_input(sliding_window_shapes, inputs_t, "sliding_window_shapes")
        strides_t = _per_input(strides, inputs_t, "strides", default=(1,) * len(inputs_t)
                               if len(inputs_t) > 1 else 1)
        baselines_t = format_baselines(baselines, inputs_t)
        baselines_t = broadcast_baselines(inputs_t, baselines_t)
        validate_target(target, inputs_t[0].shape[0])
        ppe = parse_ppe(perturbations_per_eval)
        args = format_additional_args(additional_forward_args)
        windows = [_Windows(tuple(inp.shape[1:]), w, s, inp.device, i)
                   for i, (inp, w, s) in enumerate(zip(inputs_t, windows_shapes, strides_t))]
        offsets = [0]
        for win in windows:
            offsets.append(offsets[-1] + win.total)

        initial = forward(self.forward_func, inputs_t, target, args)
        n_out = initial.numel()
        flat_initial = initial.reshape(1, n_out)
        diffs = torch.zeros(offsets[-1], n_out, dtype=initial.dtype, device=initial.device)
        fills = [expand_baseline(b, inp) for b, inp in zip(baselines_t, inputs_t)]

        def work(start: int, stop: int) -> None:
            nonlocal diffs
            blocks = []
            for i, (inp, win) in enumerate(zip(inputs_t, windows)):
                local = torch.arange(start, stop, device=inp.device) - offsets[i]
                blocks.append(blend(win.selected(local), fills[i], inp))
            out = forward_copies(self.forward_func, blocks, target, args, n_out)
            change = flat_initial - out.to(diffs.device)
            diffs = promoted(diffs, change)
            diffs[start:stop] = change

        def result() -> Tuple[Tensor, ...]:
            return tuple(win.spread(diffs[offsets[i]:offsets[i + 1]].float().to(inp.device))
                         for i, (win, inp) in enumerate(zip(windows, inputs_t)))

        evaluate(offsets[-1], work, ppe=ppe, batchable=grows_with_batch(initial, inputs_t[0].shape[0]),
                 row_numel=row_numel(inputs_t), device=inputs_t[0].device, method=self,
                 show_progress=show_progress, partial=result)
        return format_output(was_tuple, result())
