"""LayerGradientShap: expected gradients with respect to a layer's values."""

from __future__ import annotations

from typing import Any, Callable, List, Optional

import numpy as np
import torch
from torch import Tensor, nn

from ..core.base import GradientAttribution
from ..core.inputs import (
    as_tuple,
    call_baselines,
    format_additional_args,
    format_baselines,
    format_output,
    tensorize_baselines,
    validate_baselines,
    validate_target,
)
from ..core.progress import check_cancelled
from ..core.registry import Param, register
from ..gradient.noise_tunnel import NoiseTunnel
from .activation import LAYER_INPUT, LayerMethod
from .capture import layer_eval, layer_gradients
from .deep_lift import MULTIPLY


class LayerInputBaselineXGradient(LayerMethod, GradientAttribution):
    """Layer gradient at one random point between each input and its baseline, times the
    difference of the layer's values (the building block of LayerGradientShap)."""

    def __init__(self, forward_func: Callable[..., Any], layer: nn.Module,
                 device_ids: Optional[List[int]] = None, multiply_by_inputs: bool = True) -> None:
        super().__init__(forward_func, layer, device_ids)
        self._multiply_by_inputs = multiply_by_inputs

    @property
    def multiplies_by_inputs(self) -> bool:
        return self._multiply_by_inputs

    def has_convergence_delta(self) -> bool:
        return True

    def attribute(self, inputs, baselines, target=None, additional_forward_args: Optional[object] = None,
                  return_convergence_delta: bool = False, attribute_to_layer_input: bool = False):
        inputs_t = as_tuple(inputs)
        baselines_t = format_baselines(baselines, inputs_t)
        validate_baselines(inputs_t, baselines_t)
        baselines_t = tensorize_baselines(inputs_t, baselines_t)
        n = inputs_t[0].shape[0]
        validate_target(target, n)
        args = format_additional_args(additional_forward_args)
        check_cancelled()
        c = torch.tensor(np.random.uniform(0.0, 1.0, n), device=inputs_t[0].device, dtype=inputs_t[0].dtype)
        points = tuple(
            (c.view((-1,) + (1,) * (i.dim() - 1)) * i + (1 - c.view((-1,) + (1,) * (i.dim() - 1))) * b).detach()
            for i, b in zip(inputs_t, baselines_t))
        (grads,), _ = layer_gradients(self.forward_func, self._layers, points, target, args,
                                      attribute_to_layer_input, self.device_ids)
        if self.multiplies_by_inputs:
            with torch.no_grad():
                (at_inputs,) = layer_eval(self.forward_func, self._layers, inputs_t, args,
                                          attribute_to_layer_input, self.device_ids)
                (at_baselines,) = layer_eval(self.forward_func, self._layers, baselines_t, args,
                                             attribute_to_layer_input, self.device_ids)
            attributions = tuple((i - b) * g for i, b, g in zip(at_inputs, at_baselines, grads))
        else:
            attributions = tuple(grads)
        result = format_output(len(attributions) > 1, attributions)
        if return_convergence_delta:
            return result, self.compute_convergence_delta(attributions, baselines_t, inputs_t, target, args)
        return result


@register("layer", params=(
    Param("n_samples", "int", 5, minimum=1, maximum=1000,
          help="Random (baseline, point on path) samples per example."),
    Param("stdevs", "float", 0.0, minimum=0.0, help="Standard deviation of noise added to inputs."),
    LAYER_INPUT, MULTIPLY,
), baselines="distribution", stochastic=True, needs_layer=True, convergence_delta=True, progress=True)
class LayerGradientShap(LayerMethod, GradientAttribution):
    """SHAP values of the layer's neurons approximated by expected gradients over random
    baselines and noisy inputs."""

    def __init__(self, forward_func: Callable[..., Any], layer: nn.Module,
                 device_ids: Optional[List[int]] = None, multiply_by_inputs: bool = True) -> None:
        super().__init__(forward_func, layer, device_ids)
        self._multiply_by_inputs = multiply_by_inputs

    @property
    def multiplies_by_inputs(self) -> bool:
        return self._multiply_by_inputs

    def has_convergence_delta(self) -> bool:
        return True

    def attribute(self, inputs, baselines, n_samples: int = 5, stdevs=0.0, target=None,
                  additional_forward_args: Optional[object] = None, return_convergence_delta: bool = False,
                  attribute_to_layer_input: bool = False, *, show_progress: bool = False):
        formatted = format_baselines(call_baselines(baselines, inputs), as_tuple(inputs))
        if not all(isinstance(b, Tensor) for b in formatted):
            raise TypeError("`baselines` must be a tensor (or tuple of tensors) holding a "
                            "distribution of baselines, or a callable returning one")
        inner = LayerInputBaselineXGradient(self.forward_func, self.layer, self.device_ids,
                                            self.multiplies_by_inputs)
        return NoiseTunnel(inner).attribute(
            inputs, nt_type="smoothgrad", nt_samples=n_samples, stdevs=stdevs,
            draw_baseline_from_distrib=True, baselines=formatted, target=target,
            additional_forward_args=additional_forward_args,
            return_convergence_delta=return_convergence_delta,
            attribute_to_layer_input=attribute_to_layer_input, show_progress=show_progress)
