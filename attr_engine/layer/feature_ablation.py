"""LayerFeatureAblation: set groups of a layer's neurons to a baseline and watch the output."""

from __future__ import annotations

from typing import Any, Callable, List, Optional

import torch
from torch import nn

from ..core.base import PerturbationAttribution
from ..core.inputs import (
    as_tuple,
    broadcast_baselines,
    expand_additional_args,
    expand_target,
    format_additional_args,
    format_baselines,
    format_output,
    validate_target,
)
from ..core.registry import Param, register
from ..perturbation._common import progress_label
from .ablation import ablate, check_perturbations_per_eval, format_masks
from .activation import LAYER_INPUT, LayerMethod
from .capture import forward_with_layers, layer_eval


@register("layer", params=(
    LAYER_INPUT,
    Param("perturbations_per_eval", "int", 1, minimum=1, maximum=10000,
          help="Ablations evaluated together in one forward pass."),
), needs_layer=True, progress=True)
class LayerFeatureAblation(LayerMethod, PerturbationAttribution):
    """Each neuron (or group in `layer_mask`) of the layer is replaced by a baseline value;
    its attribution is the resulting drop in the output."""

    def __init__(self, forward_func: Callable[..., Any], layer: nn.Module,
                 device_ids: Optional[List[int]] = None) -> None:
        super().__init__(forward_func, layer, device_ids)

    def attribute(self, inputs, layer_baselines=None, target=None,
                  additional_forward_args: Optional[object] = None, layer_mask=None,
                  attribute_to_layer_input: bool = False, perturbations_per_eval: int = 1,
                  *, show_progress: bool = False):
        check_perturbations_per_eval(perturbations_per_eval)
        inputs_t = as_tuple(inputs)
        validate_target(target, inputs_t[0].shape[0])
        args = format_additional_args(additional_forward_args)
        with torch.no_grad():
            (values,) = layer_eval(self.forward_func, self._layers, inputs_t, args,
                                   attribute_to_layer_input, self.device_ids)
        baselines = format_baselines(layer_baselines, values, "layer_baselines")
        baselines = broadcast_baselines(values, baselines, name="layer_baselines")
        masks = format_masks(layer_mask, values, "layer_mask")

        def evaluate(perturbed, copies):
            return forward_with_layers(
                self.forward_func, self._layers, [perturbed],
                tuple(torch.cat([i] * copies) for i in inputs_t), expand_target(target, copies),
                expand_additional_args(args, copies, batch_size=inputs_t[0].shape[0]), attribute_to_layer_input,
                self.device_ids)

        attributions = ablate(evaluate, values, baselines, masks, perturbations_per_eval,
                              desc=progress_label(self), show_progress=show_progress)
        return format_output(len(attributions) > 1, attributions)
