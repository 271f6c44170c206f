"""LayerDeepLift and LayerDeepLiftShap: DeepLift multipliers with respect to a layer's values."""

from __future__ import annotations

from typing import Callable, Optional, Tuple

import torch
from torch import Tensor, nn

from ..core.hooks import hooks
from ..core.inputs import (
    as_tuple,
    expand_additional_args,
    expand_target,
    format_additional_args,
    format_baselines,
    format_output,
    tensorize_baselines,
    validate_baselines,
    validate_target,
)
from ..core.progress import check_cancelled
from ..core.registry import Param, register
from ..gradient.deep_lift import DeepLift, PairedWithBaselines, call_custom_attribution_func
from .activation import LAYER_INPUT, LayerMethod
from .capture import layer_gradients

MULTIPLY = Param("multiply_by_inputs", "bool", True, stage="init",
                 help="Multiply by (layer value - layer baseline value) rather than multipliers.")


@register("layer", params=(LAYER_INPUT, MULTIPLY), baselines="optional", needs_layer=True,
          convergence_delta=True)
class LayerDeepLift(LayerMethod, DeepLift):
    """DeepLift (Rescale rule) attributing the output difference between inputs and baselines
    to the difference of the layer's values."""

    def __init__(self, model: nn.Module, layer: nn.Module, multiply_by_inputs: bool = True) -> None:
        LayerMethod.__init__(self, model, layer)
        self.model = model
        self.eps = 1e-10
        self._multiply_by_inputs = multiply_by_inputs

    def attribute(self, inputs, baselines=None, target=None, additional_forward_args: Optional[object] = None,
                  return_convergence_delta: bool = False, attribute_to_layer_input: bool = False,
                  custom_attribution_func: Optional[Callable[..., Tuple[Tensor, ...]]] = None,
                  grad_kwargs: Optional[dict] = None):
        inputs_t = as_tuple(inputs)
        baselines_t = format_baselines(baselines, inputs_t)
        validate_baselines(inputs_t, baselines_t)
        validate_target(target, inputs_t[0].shape[0])
        baselines_t = tensorize_baselines(inputs_t, baselines_t)
        args = format_additional_args(additional_forward_args)
        n = inputs_t[0].shape[0]
        check_cancelled()
        stacked = tuple(torch.cat([i, b]).detach() for i, b in zip(inputs_t, baselines_t))
        with hooks() as hook_set:
            self._hook_nonlinearities(hook_set)
            (grads,), (values,) = layer_gradients(
                self.forward_func, self._layers, stacked, expand_target(target, 2),
                expand_additional_args(args, 2), attribute_to_layer_input, hook_set=hook_set,
                grad_kwargs=grad_kwargs)
        multipliers = tuple(g[:n] for g in grads)
        at_inputs = tuple(v[:n].detach() for v in values)
        at_baselines = tuple(v[n:].detach() for v in values)
        if custom_attribution_func is not None:
            attributions = tuple(call_custom_attribution_func(
                custom_attribution_func, multipliers, at_inputs, at_baselines))
        elif self.multiplies_by_inputs:
            attributions = tuple((i - b) * m for i, b, m in zip(at_inputs, at_baselines, multipliers))
        else:
            attributions = multipliers
        result = format_output(len(attributions) > 1, attributions)
        if return_convergence_delta:
            return result, self.compute_convergence_delta(attributions, baselines_t, inputs_t, target, args)
        return result


@register("layer", params=(LAYER_INPUT, MULTIPLY), baselines="distribution", needs_layer=True,
          convergence_delta=True)
class LayerDeepLiftShap(LayerDeepLift):
    """LayerDeepLift averaged over a distribution of baselines."""

    def attribute(self, inputs, baselines, target=None, additional_forward_args: Optional[object] = None,
                  return_convergence_delta: bool = False, attribute_to_layer_input: bool = False,
                  custom_attribution_func: Optional[Callable[..., Tuple[Tensor, ...]]] = None):
        rows = PairedWithBaselines(inputs, baselines, target, additional_forward_args, "LayerDeepLift")
        result = LayerDeepLift.attribute(
            self, rows.inputs, rows.baselines, target=rows.target,
            additional_forward_args=rows.additional_forward_args,
            return_convergence_delta=return_convergence_delta,
            attribute_to_layer_input=attribute_to_layer_input,
            custom_attribution_func=custom_attribution_func)
        attributions, delta = result if return_convergence_delta else (result, None)
        attributions = format_output(isinstance(attributions, tuple), rows.mean(attributions))
        return (attributions, delta) if return_convergence_delta else attributions
