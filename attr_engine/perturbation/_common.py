"""Machinery every perturbation method shares: feature masks, the chunked evaluation loop,
and spreading per-feature values back onto the input tensors.

A perturbation method describes its work as rows (one row = one perturbed copy of the whole
batch); :func:`evaluate` builds and runs those rows in chunks under ``torch.inference_mode()``,
sized by measurement unless the user fixed ``perturbations_per_eval``, reports progress after
every chunk and stops at the next chunk boundary after a cancel. Random numbers are always
drawn before this loop, so results do not depend on the chunk size.

Partial results: after each chunk the loop offers the partial attribution to the active
monitor's ``on_partial(method_name, attributions_so_far)`` (see
:class:`~attr_engine.ProgressMonitor`); the partial map is only built when someone listens.
"""

from __future__ import annotations

import time
from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from ..core.batching import ChunkSizer, _sync
from ..core.inputs import expand_additional_args, expand_target, run_forward
from ..core.progress import current_monitor, task
from ..core.registry import Param

PPE_PARAM = Param(
    "perturbations_per_eval", "int", None, minimum=1, nullable=True,
    help="Perturbations per forward pass; empty chooses it by measurement (Captum's default is 1).",
)


class NotBatchable(Exception):
    """The model's output did not grow with the batch: it returns one value per batch."""


# --- arguments -------------------------------------------------------------------------


def parse_ppe(perturbations_per_eval: Any) -> Optional[int]:
    """``None``/``"auto"`` → None (choose by measurement); otherwise a positive int."""
    if perturbations_per_eval is None or perturbations_per_eval == "auto":
        return None
    if isinstance(perturbations_per_eval, bool) or not isinstance(perturbations_per_eval, int) \
            or perturbations_per_eval < 1:
        raise ValueError(
            "`perturbations_per_eval` must be a positive integer or 'auto', "
            f"got {perturbations_per_eval!r}")
    return perturbations_per_eval


def format_feature_mask(feature_mask: Any, inputs: Tuple[Tensor, ...],
                        contiguous: bool = False) -> Tuple[Tensor, ...]:
    """Feature masks as a tuple of integer tensors with the inputs' number of dimensions.

    None gives every scalar its own feature, numbered on across the tensors. A mask may
    omit leading dimensions and may have size 1 in any dimension (broadcast). With
    `contiguous`, the ids must be exactly 0..F-1 (methods that count features as max + 1)."""
    if feature_mask is None:
        masks, offset = [], 0
        for inp in inputs:
            count = inp[0:1].numel()
            masks.append(offset + torch.arange(count, device=inp.device).reshape(inp[0:1].shape))
            offset += count
        return tuple(masks)
    if isinstance(feature_mask, Tensor):
        feature_mask = (feature_mask,)
    if not isinstance(feature_mask, tuple) or not all(isinstance(m, Tensor) for m in feature_mask):
        raise TypeError("`feature_mask` must be a tensor or a tuple of tensors, "
                        f"got {type(feature_mask).__name__}")
    if len(feature_mask) != len(inputs):
        raise ValueError(f"`feature_mask` has {len(feature_mask)} tensors but there are "
                         f"{len(inputs)} input tensors")
    masks = []
    for i, (mask, inp) in enumerate(zip(feature_mask, inputs)):
        mask = integral_ids(mask, f"feature_mask[{i}]")
        ok = mask.dim() <= inp.dim()
        if ok:
            mask = mask.reshape((1,) * (inp.dim() - mask.dim()) + tuple(mask.shape))
            ok = all(m in (1, s) for m, s in zip(mask.shape, inp.shape))
        if not ok:
            raise ValueError(
                f"`feature_mask[{i}]` has shape {tuple(mask.shape)}, which does not match or "
                f"broadcast to the input's shape {tuple(inp.shape)}")
        if mask.numel() and int(mask.min()) < 0:
            raise ValueError(f"`feature_mask[{i}]` holds negative ids; ids must be 0 or more")
        masks.append(mask.to(device=inp.device, dtype=torch.long))
    if contiguous:
        ids = torch.unique(torch.cat([m.flatten().cpu() for m in masks]))
        if ids.numel() and (int(ids[0]) != 0 or int(ids[-1]) != ids.numel() - 1):
            missing = sorted(set(range(int(ids[-1]) + 1)) - set(ids.tolist()))[:10]
            raise ValueError(
                "`feature_mask` ids must be consecutive integers 0..num_features-1; "
                f"missing {missing}")
    return tuple(masks)


def integral_ids(mask: Tensor, name: str) -> Tensor:
    """A mask of feature ids as a long tensor; floats are accepted when every value is a whole
    number (as Captum accepts them), booleans and fractions are not."""
    if mask.dtype is torch.bool or mask.is_complex():
        raise TypeError(f"`{name}` must hold integer feature ids, got dtype {mask.dtype}")
    if mask.is_floating_point():
        if not bool(torch.all(mask == torch.round(mask))):
            raise TypeError(f"`{name}` must hold integer feature ids, got fractional values")
        return mask.long()
    return mask


def feature_order(masks: Tuple[Tensor, ...]) -> Tuple[Tensor, Tuple[Tensor, ...]]:
    """The feature ids in Captum's order (each tensor's sorted ids, new ones appended) and,
    per tensor, each element's position in that order."""
    order: List[int] = []
    seen = set()
    for mask in masks:
        for fid in torch.unique(mask).tolist():
            if fid not in seen:
                seen.add(fid)
                order.append(fid)
    ids = torch.tensor(order, dtype=torch.long)
    sorted_ids, perm = torch.sort(ids)
    positions = tuple(perm.to(m.device)[torch.searchsorted(sorted_ids.to(m.device), m)] for m in masks)
    return ids, positions


def expand_baseline(baseline: Any, inp: Tensor) -> Union[Tensor, float, int]:
    """A baseline ready to broadcast against a (k, n, ...) block of perturbed copies (its dtype
    kept: an integer input with a float baseline is perturbed in floating point, as Captum)."""
    if isinstance(baseline, Tensor):
        return baseline.to(device=inp.device).unsqueeze(0)
    return baseline


def blend(selected: Tensor, replacement: Any, inp: Tensor) -> Tensor:
    """(k, n, ...) perturbed copies: `replacement` where `selected` (k, 1|n, ...), else `inp`,
    in the dtype both promote to."""
    return torch.where(selected, replacement, inp.unsqueeze(0))


def promoted(buffer: Tensor, values: Tensor) -> Tensor:
    """`buffer` in a dtype that holds `values` too (integer outputs may turn float once an
    integer input is perturbed with float baselines)."""
    dtype = torch.promote_types(buffer.dtype, values.dtype)
    return buffer if dtype == buffer.dtype else buffer.to(dtype)


def spread(values: Tensor, positions: Tuple[Tensor, ...], inputs: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
    """Per-feature values (F, r, *rest) onto each input: (r, *rest, *input.shape[1:]).

    Element (o, ..., p) of input i receives ``values[positions[i][o or 0, p], o, ...]``."""
    n_feat, rows = values.shape[0], values.shape[1]
    rest = values.shape[2:]
    table = values.movedim(0, -1).reshape(rows, -1, n_feat)
    out = []
    for pos, inp in zip(positions, inputs):
        if pos.shape[0] not in (1, rows):
            raise ValueError(
                f"`feature_mask` has {pos.shape[0]} rows but the model's output has {rows}; "
                "per-example masks need one output row per example")
        idx = pos.expand(rows, *inp.shape[1:]).reshape(rows, 1, -1).expand(-1, table.shape[1], -1)
        gathered = torch.gather(table.to(inp.device), 2, idx)
        out.append(gathered.reshape(rows, *rest, *inp.shape[1:]))
    return tuple(out)


# --- running the model ---------------------------------------------------------------


def forward(forward_func: Callable, inputs: Tuple[Tensor, ...], target: Any, args: Any) -> Tensor:
    """The model output at `target` (numbers become 0-d tensors), without autograd."""
    with torch.inference_mode():
        out = run_forward(forward_func, inputs, target, args)
    if not isinstance(out, Tensor):
        out = torch.tensor(out)
    return out.clone()  # a normal tensor, usable outside inference mode


def forward_copies(forward_func: Callable, blocks: Sequence[Tensor], target: Any, args: Any,
                   per_copy: int) -> Tensor:
    """Run k stacked copies of the batch (blocks of shape (k, n, ...)); returns (k, per_copy)."""
    k = blocks[0].shape[0]
    batch = tuple(b.reshape(-1, *b.shape[2:]) for b in blocks)
    with torch.inference_mode():
        out = run_forward(forward_func, batch, expand_target(target, k),
                          expand_additional_args(args, k, batch_size=blocks[0].shape[1]))
    if not isinstance(out, Tensor):
        out = torch.tensor(out)
    if out.numel() != k * per_copy:
        raise NotBatchable(
            f"the model returned {out.numel()} values for {k} perturbed copies of the inputs "
            f"(expected {k * per_copy}); a model that returns one value per batch needs "
            "perturbations_per_eval=1")
    return out.reshape(k, per_copy).clone()


def grows_with_batch(initial: Tensor, num_examples: int) -> bool:
    """Whether stacking copies of the batch stacks the outputs (one output row per example)."""
    return initial.dim() > 0 and initial.shape[0] == num_examples and not (
        num_examples > 1 and initial.numel() == 1)


def progress_label(method: Any) -> str:
    """Captum's progress-bar label for a method (instance or class): ``"Feature Ablation
    attribution"``."""
    cls = method if isinstance(method, type) else type(method)
    return f"{cls.get_name()} attribution"


def evaluate(total: int, work: Callable[[int, int], None], *, ppe: Optional[int], batchable: bool,
             row_numel: int, device: Optional[torch.device], method: Any, show_progress: bool,
             partial: Optional[Callable[[], Any]] = None) -> None:
    """Call ``work(start, stop)`` over perturbation rows ``[0, total)`` in chunks.

    `ppe` fixes the chunk size (None: by measurement). When the model returns one value per
    batch (`batchable` False, or found out from the first multi-row chunk) rows run one at a
    time; an explicit ``ppe > 1`` is then an error. The progress bar reads as Captum's
    (:func:`progress_label`); partial results go out under the method's class name."""
    desc, name = progress_label(method), type(method).__name__
    if not batchable:
        if ppe is not None and ppe > 1:
            raise ValueError("`perturbations_per_eval` must be 1 when the model returns one "
                             "value per batch")
        ppe = 1
    sizer = ChunkSizer(1, ppe, row_numel)
    listener = _partial_listener() if partial is not None else None
    with task(total, desc, show_progress) as progress:
        start = 0
        while start < total:
            rows = sizer.next_size(total - start)
            began = time.perf_counter()
            try:
                work(start, start + rows)
            except NotBatchable as err:
                if ppe is not None or rows == 1:
                    raise ValueError(str(err)) from None
                sizer = ChunkSizer(1, 1, row_numel)
                continue
            _sync(device)
            sizer.record(rows, time.perf_counter() - began)
            start += rows
            if listener is not None:
                listener(name, partial())
            progress.advance(rows)


def _partial_listener() -> Optional[Callable[[str, Any], None]]:
    monitor = current_monitor()
    return monitor.on_partial if monitor is not None else None


def row_numel(inputs: Tuple[Tensor, ...]) -> int:
    return sum(t.numel() for t in inputs)
