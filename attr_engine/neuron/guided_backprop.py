"""NeuronGuidedBackprop and NeuronDeconvolution: one neuron's gradient with the ReLUs'
backward rewritten as in guided backpropagation / deconvolution."""

from __future__ import annotations

from typing import List, Optional

from torch import nn

from ..core.base import GradientAttribution
from ..core.registry import register
from ..gradient.guided_backprop import Deconvolution, GuidedBackprop
from .gradient import NEURON_INPUT
from .selector import NeuronMethod, resolve_selector


class _ModifiedReluNeuron(NeuronMethod, GradientAttribution):
    inner = GuidedBackprop

    def __init__(self, model: nn.Module, layer: nn.Module, device_ids: Optional[List[int]] = None) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"`model` must be a torch.nn.Module (its ReLUs are hooked), got {type(model).__name__}")
        super().__init__(model, layer, device_ids)

    def attribute(self, inputs, neuron_selector=None, additional_forward_args: Optional[object] = None,
                  attribute_to_neuron_input: bool = False, *, neuron_index=None):
        method = self.inner(self.forward_func)
        method.forward_func = self.neuron_forward(resolve_selector(neuron_selector, neuron_index),
                                                  attribute_to_neuron_input)  # ReLU rules stay on the model
        return method.attribute(inputs, None, additional_forward_args)


@register("neuron", params=(NEURON_INPUT,), needs_layer=True, needs_neuron=True)
class NeuronGuidedBackprop(_ModifiedReluNeuron):
    """Guided backpropagation of one neuron's value: ReLUs pass back only positive gradients."""


@register("neuron", params=(NEURON_INPUT,), needs_layer=True, needs_neuron=True)
class NeuronDeconvolution(_ModifiedReluNeuron):
    """Deconvolution of one neuron's value: ReLUs pass back the positive part of their output gradient."""

    inner = Deconvolution
