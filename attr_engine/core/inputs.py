"""Normalisation and validation of the arguments every attribution method shares.

Inputs are a tensor or a tuple of tensors; baselines, targets and additional forward
arguments follow Captum's documented forms. Everything is turned into tuples here, once,
and bad values raise ``ValueError``/``TypeError`` naming the argument.
"""

from __future__ import annotations

from inspect import signature
from numbers import Number
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

Baseline = Union[Tensor, int, float]
TargetType = Union[None, int, Tuple[int, ...], Tensor, Sequence[int], Sequence[Tuple[int, ...]]]


def is_tuple(inputs: Any) -> bool:
    return isinstance(inputs, tuple)


def as_tuple(inputs: Any, name: str = "inputs") -> Tuple[Tensor, ...]:
    """A tensor or tuple of tensors as a tuple; anything else is a TypeError."""
    if isinstance(inputs, Tensor):
        return (inputs,)
    if isinstance(inputs, tuple) and inputs and all(isinstance(t, Tensor) for t in inputs):
        return inputs
    raise TypeError(
        f"`{name}` must be a torch.Tensor or a non-empty tuple of tensors, "
        f"got {type(inputs).__name__}"
    )


def format_output(was_tuple: bool, outputs: Tuple[Tensor, ...]):
    return outputs if was_tuple else outputs[0]


def format_baselines(baselines: Any, inputs: Tuple[Tensor, ...], name: str = "baselines") -> Tuple[Baseline, ...]:
    """None → zeros; a number or tensor → a 1-tuple; a tuple must match the inputs."""
    if baselines is None:
        return tuple(False if inp.dtype is torch.bool else 0 for inp in inputs)
    if not isinstance(baselines, tuple):
        baselines = (baselines,)
    if len(baselines) != len(inputs):
        raise ValueError(
            f"`{name}` has {len(baselines)} entries but there are {len(inputs)} input tensors"
        )
    for i, baseline in enumerate(baselines):
        if not isinstance(baseline, (Tensor, int, float)):
            raise TypeError(
                f"`{name}[{i}]` must be a number or a torch.Tensor, got {type(baseline).__name__}"
            )
    return baselines


def validate_baselines(
    inputs: Tuple[Tensor, ...],
    baselines: Tuple[Baseline, ...],
    distribution: bool = False,
    name: str = "baselines",
) -> None:
    """Each tensor baseline matches its input: same shape, a batch of one (broadcast),
    or, for baseline distributions, any number of rows with the input's per-example shape."""
    for i, (inp, baseline) in enumerate(zip(inputs, baselines)):
        if not isinstance(baseline, Tensor):
            continue
        if distribution:
            if baseline.dim() == 0 or baseline.shape[1:] != inp.shape[1:]:
                raise ValueError(
                    f"`{name}[{i}]` has shape {tuple(baseline.shape)}; a baseline distribution "
                    f"needs shape (k, {', '.join(map(str, inp.shape[1:]))})"
                )
            continue
        if baseline.shape == inp.shape:
            continue
        if not (baseline.dim() > 0 and baseline.shape[0] == 1 and broadcasts_to(baseline, inp)):
            raise ValueError(
                f"`{name}[{i}]` has shape {tuple(baseline.shape)}; expected a number, a tensor "
                f"of the input's shape {tuple(inp.shape)}, or one with batch size 1"
            )


def broadcasts_to(tensor: Tensor, target: Tensor) -> bool:
    """Whether ``tensor`` broadcasts to ``target``'s shape (without growing it)."""
    try:
        return torch.broadcast_shapes(tensor.shape, target.shape) == target.shape
    except RuntimeError:
        return False


def broadcast_baselines(
    inputs: Tuple[Tensor, ...],
    baselines: Tuple[Baseline, ...],
    name: str = "baselines",
) -> Tuple[Baseline, ...]:
    """Perturbation baselines, which may be any tensor that broadcasts to its input (one
    example's shape, a column per example, ...): checked, and given the input's number of
    dimensions (leading ones), so that their first dimension is 1 or the batch size."""
    out = []
    for i, (inp, baseline) in enumerate(zip(inputs, baselines)):
        if isinstance(baseline, Tensor):
            if not broadcasts_to(baseline, inp):
                raise ValueError(
                    f"`{name}[{i}]` has shape {tuple(baseline.shape)}, which does not broadcast "
                    f"to the input's shape {tuple(inp.shape)}"
                )
            baseline = baseline.reshape((1,) * (inp.dim() - baseline.dim()) + tuple(baseline.shape))
        out.append(baseline)
    return tuple(out)


def prepare_inputs(inputs: Any, baselines: Any, target: TargetType):
    """Validated ``(was_tuple, inputs, baselines)`` as tuples, with the target checked too."""
    inputs_t = as_tuple(inputs)
    baselines_t = format_baselines(baselines, inputs_t)
    validate_baselines(inputs_t, baselines_t)
    validate_target(target, inputs_t[0].shape[0])
    return is_tuple(inputs), inputs_t, baselines_t


def tensorize_baselines(inputs: Tuple[Tensor, ...], baselines: Tuple[Baseline, ...]) -> Tuple[Tensor, ...]:
    """Numbers become full tensors and batch-of-one baselines are repeated per example."""
    out = []
    for inp, baseline in zip(inputs, baselines):
        if not isinstance(baseline, Tensor):
            out.append(torch.full_like(inp, baseline))
        elif baseline.shape[0] == 1 and inp.shape[0] > 1:
            out.append(baseline.expand(inp.shape).contiguous())
        else:
            out.append(baseline)
    return tuple(out)


def call_baselines(baselines: Any, inputs: Any) -> Any:
    """Baselines may be given as a callable: with no parameters, or taking the inputs."""
    if callable(baselines) and not isinstance(baselines, Tensor):
        return baselines() if not signature(baselines).parameters else baselines(inputs)
    return baselines


# --- targets -----------------------------------------------------------------------


def validate_target(target: TargetType, num_examples: int) -> None:
    """Per-example targets (a list or a tensor of several) need one entry per example."""
    if isinstance(target, bool):
        raise TypeError("`target` must be an int, a tuple, a tensor or a list, got bool")
    if isinstance(target, list) or (isinstance(target, Tensor) and target.numel() > 1):
        if len(target) != num_examples:
            raise ValueError(
                f"`target` has {len(target)} entries but the inputs have {num_examples} examples"
            )
    elif target is not None and not isinstance(target, (int, tuple, Tensor)):
        raise TypeError(
            f"`target` must be None, an int, a tuple, a tensor or a list, got {type(target).__name__}"
        )


def _check_index(output: Tensor, index: Tuple[Any, ...]) -> None:
    if len(index) > output.dim() - 1:
        raise ValueError(
            f"`target` {index if len(index) > 1 else index[0]} has too many dimensions for "
            f"the model output of shape {tuple(output.shape)}"
        )
    for dim, idx in enumerate(index, start=1):
        if isinstance(idx, int) and not -output.shape[dim] <= idx < output.shape[dim]:
            raise ValueError(
                f"`target` index {idx} is out of range for dimension {dim} of the model "
                f"output, which has size {output.shape[dim]}"
            )


def select_targets(output: Tensor, target: TargetType) -> Tensor:
    """The model output at `target`, one value (or slice) per example."""
    if target is None:
        return output
    if isinstance(target, Tensor) and target.numel() == 1 and not target.dtype.is_floating_point:
        target = int(target.item())
    if isinstance(target, (int, tuple)):
        index = (target,) if isinstance(target, int) else target
        _check_index(output, index)
        return output[(slice(None), *index)]
    if isinstance(target, Tensor):
        target = target.reshape(-1).tolist()
    if isinstance(target, list):
        if len(target) != output.shape[0]:
            raise ValueError(
                f"`target` has {len(target)} entries but the model returned {output.shape[0]} rows"
            )
        if all(isinstance(t, int) for t in target):
            if output.dim() != 2:
                raise ValueError(
                    "a list or tensor `target` of ints needs a 2-D model output, got shape "
                    f"{tuple(output.shape)}"
                )
            _check_index(output, (max(target, default=0),))
            _check_index(output, (min(target, default=0),))
            index = torch.tensor(target, device=output.device).reshape(-1, 1)
            return torch.gather(output, 1, index).squeeze(-1)
        if all(isinstance(t, tuple) for t in target):
            for t in target:
                _check_index(output, t)
            return torch.stack([output[(i, *t)] for i, t in enumerate(target)])
        raise TypeError("a list `target` must hold only ints or only tuples")
    raise TypeError(f"`target` of type {type(target).__name__} is not supported")


def expand_target(target: TargetType, copies: int, interleave: bool = False) -> TargetType:
    """Repeat per-example targets for `copies` stacked copies of the batch.

    ``interleave=False`` stacks whole batches (step-major, as for path methods);
    ``interleave=True`` repeats each example in place (as for noise samples)."""
    if isinstance(target, list):
        return [t for t in target for _ in range(copies)] if interleave else target * copies
    if isinstance(target, Tensor) and target.numel() > 1:
        return target.repeat_interleave(copies, dim=0) if interleave else torch.cat([target] * copies)
    return target


def take_target(target: TargetType, rows: Tensor) -> TargetType:
    """Per-example targets for the chosen rows (indices into the examples)."""
    if isinstance(target, list):
        return [target[i] for i in rows.tolist()]
    if isinstance(target, Tensor) and target.numel() > 1:
        return target[rows.to(target.device)]
    return target


# --- additional forward args ---------------------------------------------------------


def format_additional_args(args: Any) -> Optional[Tuple[Any, ...]]:
    if args is None:
        return None
    return args if isinstance(args, tuple) else (args,)


def expand_additional_args(args: Optional[Tuple[Any, ...]], copies: int, interleave: bool = False,
                           batch_size: Optional[int] = None):
    """Repeat tensor arguments along dim 0 for stacked batch copies; others pass unchanged.

    With `batch_size`, only tensors with one row per example are repeated: anything else
    (an empty tensor, a sparse list of ids, one shared row) is not batched and passes
    unchanged, as it does in Captum's one-perturbation-per-pass evaluation."""
    if args is None:
        return None

    def expand(arg):
        if not isinstance(arg, Tensor) or arg.dim() == 0:
            return arg
        if batch_size is not None and arg.shape[0] != batch_size:
            return arg
        return arg.repeat_interleave(copies, dim=0) if interleave else torch.cat([arg] * copies)

    return tuple(expand(arg) for arg in args)


def args_per_example(args: Optional[Tuple[Any, ...]], num_examples: int) -> bool:
    """True when every tensor argument has one row per example (so rows can be gathered)."""
    return args is None or all(
        not isinstance(a, Tensor) or a.dim() == 0 or a.shape[0] == num_examples for a in args
    )


def take_additional_args(args: Optional[Tuple[Any, ...]], rows: Tensor, num_examples: int, copies: int):
    """Arguments for a chunk: per-example tensors gathered by `rows`; other tensors repeated
    `copies` times (the chunk then covers whole copies of the batch)."""
    if args is None:
        return None

    def take(arg):
        if not isinstance(arg, Tensor) or arg.dim() == 0:
            return arg
        if arg.shape[0] == num_examples:
            return arg[rows.to(arg.device)]
        return torch.cat([arg] * copies)

    return tuple(take(arg) for arg in args)


# --- running the model ---------------------------------------------------------------


def run_forward(
    forward_func: Callable[..., Any],
    inputs: Tuple[Tensor, ...],
    target: TargetType = None,
    additional_forward_args: Optional[Tuple[Any, ...]] = None,
) -> Tensor:
    """Call the model on the inputs (then the additional args) and select the target."""
    args = additional_forward_args or ()
    output = forward_func(*inputs, *args)
    if isinstance(output, Number) and target is None:
        # Python's own types: float -> float64 and int -> int64, as Captum reads them
        return torch.tensor(output, dtype=torch.float64 if isinstance(output, float) else None)
    if not isinstance(output, Tensor):
        raise TypeError(
            f"`forward_func` must return a torch.Tensor, got {type(output).__name__}"
        )
    return select_targets(output, target)


def sum_rows(t: Tensor) -> Tensor:
    return t.reshape(t.shape[0], -1).sum(1)
