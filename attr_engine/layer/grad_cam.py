"""LayerGradCam and GuidedGradCam (Selvaraju et al., 2017)."""

from __future__ import annotations

import warnings
from typing import Any, Callable, List, Optional

import torch
import torch.nn.functional as F
from torch import nn

from ..core.base import GradientAttribution, LayerAttribution
from ..core.inputs import as_tuple, format_additional_args, format_output, is_tuple, validate_target
from ..core.progress import check_cancelled
from ..core.registry import Param, register
from ..gradient.guided_backprop import GuidedBackprop
from .activation import LAYER_INPUT, LayerMethod
from .capture import layer_gradients

INTERPOLATE_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area")


@register("layer", params=(
    LAYER_INPUT,
    Param("relu_attributions", "bool", False, help="Keep only positive evidence (ReLU of the map)."),
    Param("attr_dim_summation", "bool", True, help="Sum over channels into one map."),
), needs_layer=True)
class LayerGradCam(LayerMethod, GradientAttribution):
    """Channel weights from the spatially averaged gradients, times the layer's activations,
    summed over channels: a coarse map of where the layer sees evidence for the target."""

    def __init__(self, forward_func: Callable[..., Any], layer: nn.Module,
                 device_ids: Optional[List[int]] = None) -> None:
        super().__init__(forward_func, layer, device_ids)

    def attribute(self, inputs, target=None, additional_forward_args: Optional[object] = None,
                  attribute_to_layer_input: bool = False, relu_attributions: bool = False,
                  attr_dim_summation: bool = True, grad_kwargs: Optional[dict] = None):
        inputs_t = as_tuple(inputs)
        validate_target(target, inputs_t[0].shape[0])
        check_cancelled()
        (grads,), (evals,) = layer_gradients(
            self.forward_func, self._layers, inputs_t, target,
            format_additional_args(additional_forward_args), attribute_to_layer_input, self.device_ids,
            grad_kwargs=grad_kwargs)
        maps = []
        for grad, value in zip(grads, evals):
            weights = grad.mean(dim=tuple(range(2, grad.dim())), keepdim=True) if grad.dim() > 2 else grad
            cam = weights * value.detach()
            if attr_dim_summation:
                cam = cam.sum(dim=1, keepdim=True)
            maps.append(F.relu(cam) if relu_attributions else cam)
        return format_output(len(maps) > 1, tuple(maps))


@register("layer", params=(
    LAYER_INPUT,
    Param("interpolate_mode", "choice", "nearest", choices=INTERPOLATE_MODES,
          help="How the GradCAM map is upsampled to the input's size."),
), needs_layer=True)
class GuidedGradCam(GradientAttribution):
    """Guided backpropagation times the (ReLU'd) GradCAM map upsampled to the input's size.

    For a dense layer the map is one value per example and scales the guided gradients
    (Captum 0.9 returns an empty tensor there)."""

    def __init__(self, model: nn.Module, layer: nn.Module, device_ids: Optional[List[int]] = None) -> None:
        super().__init__(model)
        self.grad_cam = LayerGradCam(model, layer, device_ids)
        self.guided_backprop = GuidedBackprop(model)

    def attribute(self, inputs, target=None, additional_forward_args: Optional[object] = None,
                  interpolate_mode: str = "nearest", attribute_to_layer_input: bool = False):
        if interpolate_mode not in INTERPOLATE_MODES:
            raise ValueError(f"`interpolate_mode` must be one of {INTERPOLATE_MODES}, got {interpolate_mode!r}")
        was_tuple = is_tuple(inputs)
        inputs_t = as_tuple(inputs)
        cam = self.grad_cam.attribute(inputs_t, target, additional_forward_args,
                                      attribute_to_layer_input, relu_attributions=True)
        if isinstance(cam, tuple):
            if len(cam) != 1:
                raise ValueError("GuidedGradCam needs a layer with a single output (or input) tensor")
            cam = cam[0]
        guided = self.guided_backprop.attribute(inputs_t, target, additional_forward_args)
        results = []
        for inp, grad in zip(inputs_t, guided):
            if cam.dim() == 2 and cam.shape[1] == 1:  # a dense layer: one weight per example
                results.append(grad * cam.view((-1,) + (1,) * (grad.dim() - 1)))
                continue
            try:
                results.append(grad * LayerAttribution.interpolate(cam, tuple(inp.shape[2:]), interpolate_mode))
            except (RuntimeError, ValueError, NotImplementedError):
                warnings.warn("could not interpolate the GradCAM map to an input of shape "
                              f"{tuple(inp.shape)}; its attribution is an empty tensor", stacklevel=2)
                results.append(torch.empty(0))
        return format_output(was_tuple, tuple(results))
