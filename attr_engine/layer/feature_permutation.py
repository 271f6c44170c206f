"""LayerFeaturePermutation: shuffle a layer's neurons across the batch and watch the output."""

from __future__ import annotations

from typing import Any, Callable, List, Optional

import torch
from torch import nn

from ..core.base import PerturbationAttribution
from ..core.inputs import as_tuple, format_additional_args, format_output, validate_target
from ..core.registry import Param, register
from ..perturbation import FeaturePermutation
from .activation import LayerMethod
from .capture import forward_with_layers, layer_eval


@register("layer", params=(
    Param("perturbations_per_eval", "int", 1, minimum=1, maximum=10000,
          help="Permutations evaluated together in one forward pass."),
), needs_layer=True, stochastic=True, progress=True)
class LayerFeaturePermutation(LayerMethod, PerturbationAttribution):
    """Each neuron (or group in `layer_mask`) of the layer is permuted across the examples
    of the batch; its attribution is the resulting drop in the output."""

    def __init__(self, forward_func: Callable[..., Any], layer: nn.Module,
                 device_ids: Optional[List[int]] = None) -> None:
        super().__init__(forward_func, layer, device_ids)

    def attribute(self, inputs, target=None, additional_forward_args: Optional[object] = None,
                  layer_mask=None, perturbations_per_eval: int = 1, *, show_progress: bool = False):
        inputs_t = as_tuple(inputs)
        validate_target(target, inputs_t[0].shape[0])
        args = format_additional_args(additional_forward_args)
        with torch.no_grad():
            (values,) = layer_eval(self.forward_func, self._layers, inputs_t, args, False, self.device_ids)
        count, k = len(values), len(inputs_t)

        def forward(*layer_values_inputs_and_args):
            layer_values = layer_values_inputs_and_args[:count]
            model_inputs = layer_values_inputs_and_args[count:count + k]
            rest = layer_values_inputs_and_args[count + k:] or None
            return forward_with_layers(self.forward_func, self._layers, [layer_values], model_inputs,
                                       None, rest, False, self.device_ids)

        attributions = FeaturePermutation(forward).attribute(
            values, target=target, additional_forward_args=inputs_t + (args or ()), feature_mask=layer_mask,
            perturbations_per_eval=perturbations_per_eval, show_progress=show_progress)
        return format_output(len(as_tuple(attributions)) > 1, as_tuple(attributions))
