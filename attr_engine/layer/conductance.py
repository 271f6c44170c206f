"""LayerConductance (Dhamdhere et al., 2018) and InternalInfluence (Leino et al., 2018).

Both walk the straight path from the baselines to the inputs. Internal influence integrates
the gradient with respect to the layer; conductance weights each step's layer gradient by how
much the layer's values change over that step, so its sum matches the output difference.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional

import torch
from torch import Tensor, nn

from ..core.approximation import SUPPORTED_METHODS, approximation_parameters
from ..core.base import GradientAttribution
from ..core.batching import run_chunked
from ..core.inputs import (
    as_tuple,
    format_additional_args,
    format_baselines,
    format_output,
    take_additional_args,
    take_target,
    validate_baselines,
    validate_target,
)
from ..core.path import path_gradients
from ..core.registry import Param, register
from .activation import LAYER_INPUT, LayerMethod
from .capture import layer_gradients


def path_params(default_method: str):
    return (
        Param("n_steps", "int", 50, minimum=1, maximum=2000, help="Points on the integration path."),
        Param("method", "choice", default_method, choices=SUPPORTED_METHODS,
              help="Quadrature rule for the path integral."),
        Param("internal_batch_size", "int", None, minimum=1, nullable=True,
              help="Rows per forward/backward pass; empty chooses it by measurement."),
    )


def check_path_inputs(inputs, baselines, target, internal_batch_size):
    """Inputs and baselines as tuples, validated with the target and batch size."""
    inputs_t = as_tuple(inputs)
    baselines_t = format_baselines(baselines, inputs_t)
    validate_baselines(inputs_t, baselines_t)
    validate_target(target, inputs_t[0].shape[0])
    if internal_batch_size is not None and (isinstance(internal_batch_size, bool)
                                            or not isinstance(internal_batch_size, int)
                                            or internal_batch_size < 1):
        raise ValueError(f"`internal_batch_size` must be a positive int, got {internal_batch_size!r}")
    return inputs_t, baselines_t


def _points(inputs, baselines, alphas: Tensor, examples: Tensor):
    out = []
    for inp, base in zip(inputs, baselines):
        alpha = alphas.to(inp.dtype).view((-1,) + (1,) * (inp.dim() - 1))
        b = base.expand_as(inp)[examples] if isinstance(base, Tensor) else base
        out.append(b + alpha * (inp[examples] - b))
    return tuple(out)


@register("layer", params=(*path_params("gausslegendre"), LAYER_INPUT),
          baselines="optional", needs_layer=True, convergence_delta=True, progress=True)
class LayerConductance(LayerMethod, GradientAttribution):
    """How much of the output change flows through each neuron of the layer: the layer
    gradient times the change of the neuron's value, summed along the path."""

    def __init__(self, forward_func: Callable[..., Any], layer: nn.Module,
                 device_ids: Optional[List[int]] = None) -> None:
        super().__init__(forward_func, layer, device_ids)

    @property
    def multiplies_by_inputs(self) -> bool:
        return True

    def has_convergence_delta(self) -> bool:
        return True

    def attribute(self, inputs, baselines=None, target=None, additional_forward_args: Optional[object] = None,
                  n_steps: int = 50, method: str = "gausslegendre", internal_batch_size: Optional[int] = None,
                  return_convergence_delta: bool = False, attribute_to_layer_input: bool = False,
                  grad_kwargs: Optional[dict] = None, *, show_progress: bool = False):
        inputs_t, baselines_t = check_path_inputs(inputs, baselines, target, internal_batch_size)
        _, alphas = approximation_parameters(method, n_steps + 1)
        args = format_additional_args(additional_forward_args)
        n = inputs_t[0].shape[0]
        device = inputs_t[0].device
        alpha_t = torch.tensor(alphas, device=device)
        state = {"total": None, "prev": None}

        def work(start: int, stop: int) -> None:
            rows = torch.arange(start, stop, device=device)
            examples = rows % n
            (grads,), (values,) = layer_gradients(
                self.forward_func, self._layers, _points(inputs_t, baselines_t, alpha_t[rows // n], examples),
                take_target(target, examples), take_additional_args(args, examples, n, (stop - start) // n),
                attribute_to_layer_input, self.device_ids, grad_kwargs=grad_kwargs)
            grads = tuple(g.detach() for g in grads)
            values = tuple(v.detach() for v in values)
            for s in range((stop - start) // n):
                g_s = tuple(g[s * n:(s + 1) * n] for g in grads)
                v_s = tuple(v[s * n:(s + 1) * n] for v in values)
                if state["prev"] is not None:
                    prev_g, prev_v = state["prev"]
                    step = tuple(pg * (v - pv) for pg, v, pv in zip(prev_g, v_s, prev_v))
                    state["total"] = step if state["total"] is None else tuple(
                        t + d for t, d in zip(state["total"], step))
                state["prev"] = (g_s, v_s)

        fixed = None if internal_batch_size is None else max(internal_batch_size // n, 1) * n
        run_chunked(n * len(alphas), work, unit=n, fixed_rows=fixed,
                    row_numel=sum(i[0].numel() for i in inputs_t), device=device,
                    desc=type(self).__name__, show_progress=show_progress)
        attributions = state["total"]
        result = format_output(len(attributions) > 1, attributions)
        if return_convergence_delta:
            return result, self.compute_convergence_delta(attributions, baselines_t, inputs_t, target, args)
        return result


@register("layer", params=(*path_params("gausslegendre"), LAYER_INPUT),
          baselines="optional", needs_layer=True, progress=True)
class InternalInfluence(LayerMethod, GradientAttribution):
    """The gradient of the output with respect to the layer, integrated along the path
    from the baselines to the inputs."""

    def __init__(self, forward_func: Callable[..., Any], layer: nn.Module,
                 device_ids: Optional[List[int]] = None) -> None:
        super().__init__(forward_func, layer, device_ids)

    def attribute(self, inputs, baselines=None, target=None, additional_forward_args: Optional[object] = None,
                  n_steps: int = 50, method: str = "gausslegendre", internal_batch_size: Optional[int] = None,
                  attribute_to_layer_input: bool = False, grad_kwargs: Optional[dict] = None,
                  *, show_progress: bool = False):
        inputs_t, baselines_t = check_path_inputs(inputs, baselines, target, internal_batch_size)
        step_sizes, alphas = approximation_parameters(method, n_steps)

        def gradient_fn(scaled, tgt, add_args):
            (grads,), _ = layer_gradients(self.forward_func, self._layers, scaled, tgt, add_args,
                                          attribute_to_layer_input, self.device_ids, grad_kwargs=grad_kwargs)
            return tuple(g.detach() for g in grads)

        totals = path_gradients(gradient_fn, inputs_t, baselines_t, target,
                                format_additional_args(additional_forward_args), step_sizes, alphas,
                                internal_batch_size, show_progress, desc=type(self).__name__)
        return format_output(len(totals) > 1, totals)
