"""LayerIntegratedGradients: integrated gradients in the space of a layer's values.

The layer's values at the inputs and at the baselines are the end points; along the path the
layer is made to return the interpolated values while the model runs on the original inputs
(so embedding layers with token-index inputs work). Several layers may be integrated at once.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, List, Optional

import torch

from ..core.approximation import approximation_parameters
from ..core.base import GradientAttribution
from ..core.inputs import format_additional_args, tensorize_baselines
from ..core.path import path_gradients
from ..core.registry import Param, register
from .activation import LAYER_INPUT, LayerMethod
from .capture import Layers, forward_with_layers, layer_eval
from .conductance import check_path_inputs, path_params


@register("layer", params=(
    *path_params("gausslegendre"), LAYER_INPUT,
    Param("multiply_by_inputs", "bool", True, stage="init",
          help="Multiply by (layer value - layer baseline value)."),
), baselines="optional", needs_layer=True, convergence_delta=True, progress=True)
class LayerIntegratedGradients(LayerMethod, GradientAttribution):
    """Integrated gradients of the output with respect to a layer's values, along the straight
    line between the layer's values at the baselines and at the inputs."""

    multi_layer = True

    def __init__(self, forward_func: Callable[..., Any], layer: Layers,
                 device_ids: Optional[List[int]] = None, multiply_by_inputs: bool = True) -> None:
        super().__init__(forward_func, layer, device_ids)
        self._multiply_by_inputs = multiply_by_inputs
        if len(self._layers) > 1:
            warnings.warn("Several layers given: make sure no layer depends only on the outputs "
                          "of another one, or its attributions will be zero.", stacklevel=2)

    @property
    def multiplies_by_inputs(self) -> bool:
        return self._multiply_by_inputs

    def has_convergence_delta(self) -> bool:
        return True

    def attribute(self, inputs, baselines=None, target=None, additional_forward_args: Optional[object] = None,
                  n_steps: int = 50, method: str = "gausslegendre", internal_batch_size: Optional[int] = None,
                  return_convergence_delta: bool = False, attribute_to_layer_input: bool = False,
                  grad_kwargs: Optional[dict] = None, *, show_progress: bool = False):
        inputs_t, baselines_t = check_path_inputs(inputs, baselines, target, internal_batch_size)
        baselines_t = tensorize_baselines(inputs_t, baselines_t)
        step_sizes, alphas = approximation_parameters(method, n_steps)
        args = format_additional_args(additional_forward_args)
        device_ids = self.device_ids if self.device_ids is not None else \
            getattr(self.forward_func, "device_ids", None)
        with torch.no_grad():
            at_inputs = layer_eval(self.forward_func, self._layers, inputs_t, args,
                                   attribute_to_layer_input, device_ids)
            at_baselines = layer_eval(self.forward_func, self._layers, baselines_t, args,
                                      attribute_to_layer_input, device_ids)
        counts = [len(values) for values in at_inputs]
        flat_inputs = tuple(t for values in at_inputs for t in values)
        flat_baselines = tuple(t for values in at_baselines for t in values)
        k = len(inputs_t)

        def gradient_fn(scaled, tgt, model_args):
            groups, start = [], 0
            for count in counts:
                groups.append(tuple(scaled[start:start + count]))
                start += count
            with torch.enable_grad():
                output = forward_with_layers(self.forward_func, self._layers, groups, model_args[:k], tgt,
                                             model_args[k:] or None, attribute_to_layer_input, device_ids)
                if output.dim() > 1 and output[0].numel() != 1:
                    raise ValueError("`target` must select one output per example; the selected output "
                                     f"has shape {tuple(output.shape)}")
                grads = torch.autograd.grad(output, scaled, torch.ones_like(output),
                                            **{"allow_unused": True, **(grad_kwargs or {})})
            return tuple(torch.zeros_like(s) if g is None else g for g, s in zip(grads, scaled))

        totals = path_gradients(gradient_fn, flat_inputs, flat_baselines, target, inputs_t + (args or ()),
                                step_sizes, alphas, internal_batch_size, show_progress,
                                desc=type(self).__name__)
        if self.multiplies_by_inputs:
            totals = tuple(g * (i - b) for g, i, b in zip(totals, flat_inputs, flat_baselines))
        per_layer, start = [], 0
        for count in counts:
            per_layer.append(totals[start:start + count])
            start += count
        result = self._format(per_layer)
        if return_convergence_delta:
            return result, self.compute_convergence_delta(totals, baselines_t, inputs_t, target, args)
        return result
