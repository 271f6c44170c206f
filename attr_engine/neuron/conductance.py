"""NeuronConductance (Dhamdhere et al., 2018): how much of the flow through one neuron
comes from each input feature."""

from __future__ import annotations

import warnings
from typing import Optional

import torch

from ..core.approximation import approximation_parameters
from ..core.inputs import format_additional_args, format_output, is_tuple
from ..core.path import path_gradients
from ..core.registry import register
from ..layer.capture import layer_gradients
from ..layer.conductance import check_path_inputs, path_params
from .gradient import MULTIPLY, NEURON_INPUT, _MultiplyingNeuronMethod
from .selector import resolve_selector, select_neuron


@register("neuron", params=(*path_params("riemann_trapezoid"), NEURON_INPUT, MULTIPLY),
          baselines="optional", needs_layer=True, needs_neuron=True, progress=True)
class NeuronConductance(_MultiplyingNeuronMethod):
    """Integrated along the path: the gradient of the output with respect to the neuron times
    the gradient of the neuron with respect to each input feature."""

    def attribute(self, inputs, neuron_selector=None, baselines=None, target=None,
                  additional_forward_args: Optional[object] = None, n_steps: int = 50,
                  method: str = "riemann_trapezoid", internal_batch_size: Optional[int] = None,
                  attribute_to_neuron_input: bool = False, grad_kwargs: Optional[dict] = None,
                  *, neuron_index=None, show_progress: bool = False):
        selector = resolve_selector(neuron_selector, neuron_index)
        if callable(selector):
            warnings.warn("The neuron_selector is a callable: make sure it only selects neurons of the "
                          "layer; aggregating them may give inaccurate results.", stacklevel=2)
        was_tuple = is_tuple(inputs)
        inputs_t, baselines_t = check_path_inputs(inputs, baselines, target, internal_batch_size)
        step_sizes, alphas = approximation_parameters(method, n_steps)

        def gradient_fn(scaled, tgt, args):
            with torch.enable_grad():
                (grads,), (values,) = layer_gradients(
                    self.forward_func, [self.layer], scaled, tgt, args, attribute_to_neuron_input,
                    self.device_ids, retain_graph=True, grad_kwargs=grad_kwargs)
                through = select_neuron(grads, selector).detach()
                neuron = select_neuron(values, selector)
                input_grads = torch.autograd.grad(neuron, scaled, torch.ones_like(neuron), allow_unused=True)
            rows = through.reshape(-1)
            return tuple(torch.zeros_like(s) if g is None else
                         g * rows.view((-1,) + (1,) * (g.dim() - 1)) for g, s in zip(input_grads, scaled))

        totals = path_gradients(gradient_fn, inputs_t, baselines_t, target,
                                format_additional_args(additional_forward_args), step_sizes, alphas,
                                internal_batch_size, show_progress, desc=type(self).__name__)
        if self.multiplies_by_inputs:
            totals = tuple(g * (i - b) for g, i, b in zip(totals, inputs_t, baselines_t))
        return format_output(was_tuple, totals)
