"""LayerActivation and LayerGradientXActivation: a layer's values, and values times gradients."""

from __future__ import annotations

from typing import Any, Callable, List, Optional

import torch
from torch.nn import Module

from ..core.base import GradientAttribution, LayerAttribution
from ..core.inputs import as_tuple, format_additional_args, format_output, validate_target
from ..core.progress import check_cancelled
from ..core.registry import Param, register
from .capture import Layers, as_layer_list, check_layers, layer_eval, layer_gradients

LAYER_INPUT = Param("attribute_to_layer_input", "bool", False,
                    help="Attribute to the layer's input instead of its output.")


class LayerMethod(LayerAttribution):
    """A layer attribution method on one layer (or a list of layers where `multi_layer`)."""

    multi_layer = False

    def __init__(self, forward_func: Callable[..., Any], layer: Layers,
                 device_ids: Optional[List[int]] = None) -> None:
        super().__init__(forward_func, layer, device_ids)
        if not self.multi_layer and not isinstance(layer, Module):
            raise TypeError(f"`layer` must be one torch.nn.Module for {type(self).__name__}, "
                            f"got {type(layer).__name__}")
        self._layers = as_layer_list(layer)
        check_layers(forward_func, self._layers)

    def _format(self, per_layer):
        """One layer: a tensor (or tuple for a tuple-valued layer); a list of layers: a list."""
        results = [format_output(len(values) > 1, tuple(values)) for values in per_layer]
        return results if isinstance(self.layer, (list, tuple)) else results[0]


@register("layer", params=(LAYER_INPUT,), needs_layer=True)
class LayerActivation(LayerMethod):
    """The layer's output (or input) itself: what the neurons compute for this input."""

    multi_layer = True

    @property
    def multiplies_by_inputs(self) -> bool:
        return True

    def attribute(self, inputs, additional_forward_args: Optional[object] = None,
                  attribute_to_layer_input: bool = False):
        check_cancelled()
        with torch.no_grad():
            evals = layer_eval(self.forward_func, self._layers, as_tuple(inputs),
                               format_additional_args(additional_forward_args),
                               attribute_to_layer_input, self.device_ids)
        return self._format(evals)


@register("layer", params=(LAYER_INPUT, Param("multiply_by_inputs", "bool", True, stage="init",
                                              help="Multiply the gradients by the activations.")),
          needs_layer=True)
class LayerGradientXActivation(LayerMethod, GradientAttribution):
    """The gradient of the output with respect to the layer, times the layer's activation."""

    multi_layer = True

    def __init__(self, forward_func: Callable[..., Any], layer: Layers,
                 device_ids: Optional[List[int]] = None, multiply_by_inputs: bool = True,
                 memory_efficient: bool = False) -> None:
        super().__init__(forward_func, layer, device_ids)
        self._multiply_by_inputs = multiply_by_inputs
        self._memory_efficient = memory_efficient  # results moved to the CPU as they are made

    @property
    def multiplies_by_inputs(self) -> bool:
        return self._multiply_by_inputs

    def attribute(self, inputs, target=None, additional_forward_args: Optional[object] = None,
                  attribute_to_layer_input: bool = False, grad_kwargs: Optional[dict] = None):
        inputs_t = as_tuple(inputs)
        validate_target(target, inputs_t[0].shape[0])
        check_cancelled()
        grads, evals = layer_gradients(self.forward_func, self._layers, inputs_t, target,
                                       format_additional_args(additional_forward_args),
                                       attribute_to_layer_input, self.device_ids, grad_kwargs=grad_kwargs)
        move = (lambda t: t.detach().cpu()) if self._memory_efficient else (lambda t: t)
        results = [tuple(move(g) * move(v.detach()) if self.multiplies_by_inputs else move(g)
                         for g, v in zip(gs, vs)) for gs, vs in zip(grads, evals)]
        return self._format(results)
