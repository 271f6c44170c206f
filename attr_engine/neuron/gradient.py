"""Neuron methods that are a gradient method applied to the neuron's value: NeuronGradient,
NeuronIntegratedGradients, NeuronGradientShap, NeuronDeepLift and NeuronDeepLiftShap."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

from torch import Tensor, nn

from ..core.base import GradientAttribution
from ..core.gradients import compute_gradients, require_grad
from ..core.inputs import as_tuple, format_additional_args, format_output, is_tuple
from ..core.progress import check_cancelled
from ..core.registry import Param, register
from ..gradient.deep_lift import DeepLift, DeepLiftShap
from ..gradient.gradient_shap import GradientShap
from ..gradient.integrated_gradients import IntegratedGradients
from ..layer.conductance import path_params
from .selector import NeuronMethod, resolve_selector

NEURON_INPUT = Param("attribute_to_neuron_input", "bool", False,
                     help="Take the neuron from the layer's input instead of its output.")
MULTIPLY = Param("multiply_by_inputs", "bool", True, stage="init",
                 help="Global attribution (times input - baseline) rather than local.")


class _MultiplyingNeuronMethod(NeuronMethod, GradientAttribution):
    def __init__(self, forward_func: Callable[..., Any], layer: nn.Module,
                 device_ids: Optional[List[int]] = None, multiply_by_inputs: bool = True) -> None:
        super().__init__(forward_func, layer, device_ids)
        self._multiply_by_inputs = multiply_by_inputs

    @property
    def multiplies_by_inputs(self) -> bool:
        return self._multiply_by_inputs


@register("neuron", params=(NEURON_INPUT,), needs_layer=True, needs_neuron=True)
class NeuronGradient(NeuronMethod, GradientAttribution):
    """The gradient of one neuron's value with respect to the inputs."""

    def attribute(self, inputs, neuron_selector=None, additional_forward_args: Optional[object] = None,
                  attribute_to_neuron_input: bool = False, *, neuron_index=None):
        selector = resolve_selector(neuron_selector, neuron_index)
        was_tuple = is_tuple(inputs)
        check_cancelled()
        grads = compute_gradients(self.neuron_forward(selector, attribute_to_neuron_input),
                                  require_grad(as_tuple(inputs)), None,
                                  format_additional_args(additional_forward_args))
        return format_output(was_tuple, grads)


@register("neuron", params=(*path_params("gausslegendre"), NEURON_INPUT, MULTIPLY),
          baselines="optional", needs_layer=True, needs_neuron=True, progress=True)
class NeuronIntegratedGradients(_MultiplyingNeuronMethod):
    """Integrated gradients of one neuron's value along the path from baselines to inputs."""

    def attribute(self, inputs, neuron_selector=None, baselines=None,
                  additional_forward_args: Optional[object] = None, n_steps: int = 50,
                  method: str = "gausslegendre", internal_batch_size: Optional[int] = None,
                  attribute_to_neuron_input: bool = False, *, neuron_index=None, show_progress: bool = False):
        selector = resolve_selector(neuron_selector, neuron_index)
        ig = IntegratedGradients(self.neuron_forward(selector, attribute_to_neuron_input),
                                 self.multiplies_by_inputs)
        return ig.attribute(inputs, baselines, additional_forward_args=additional_forward_args,
                            n_steps=n_steps, method=method, internal_batch_size=internal_batch_size,
                            show_progress=show_progress)


@register("neuron", params=(
    Param("n_samples", "int", 5, minimum=1, maximum=1000,
          help="Random (baseline, point on path) samples per example."),
    Param("stdevs", "float", 0.0, minimum=0.0, help="Standard deviation of noise added to inputs."),
    NEURON_INPUT, MULTIPLY,
), baselines="distribution", stochastic=True, needs_layer=True, needs_neuron=True, progress=True)
class NeuronGradientShap(_MultiplyingNeuronMethod):
    """GradientShap (expected gradients) of one neuron's value."""

    def attribute(self, inputs, neuron_selector=None, baselines=None, n_samples: int = 5, stdevs=0.0,
                  additional_forward_args: Optional[object] = None, attribute_to_neuron_input: bool = False,
                  *, neuron_index=None, show_progress: bool = False):
        selector = resolve_selector(neuron_selector, neuron_index)
        if baselines is None:
            raise TypeError("`baselines` is required: a distribution of baselines (tensor or tuple)")
        gs = GradientShap(self.neuron_forward(selector, attribute_to_neuron_input), self.multiplies_by_inputs)
        return gs.attribute(inputs, baselines, n_samples=n_samples, stdevs=stdevs,
                            additional_forward_args=additional_forward_args, show_progress=show_progress)


class _NeuronDeepLiftBase(NeuronMethod, GradientAttribution):
    inner = DeepLift

    def __init__(self, model: nn.Module, layer: nn.Module, multiply_by_inputs: bool = True) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"`model` must be a torch.nn.Module, got {type(model).__name__}")
        super().__init__(model, layer)
        self._multiply_by_inputs = multiply_by_inputs

    @property
    def multiplies_by_inputs(self) -> bool:
        return self._multiply_by_inputs

    def _run(self, inputs, selector, baselines, args, to_input,
             custom: Optional[Callable[..., Tuple[Tensor, ...]]]):
        method = self.inner(self.forward_func, self.multiplies_by_inputs)
        method.forward_func = self.neuron_forward(selector, to_input)  # rules stay on the model
        return method.attribute(inputs, baselines, additional_forward_args=args,
                                custom_attribution_func=custom)


@register("neuron", params=(NEURON_INPUT, MULTIPLY), baselines="optional", needs_layer=True,
          needs_neuron=True)
class NeuronDeepLift(_NeuronDeepLiftBase):
    """DeepLift (Rescale rule) of one neuron's value: its difference between the inputs and
    the baselines, distributed over the input features."""

    def attribute(self, inputs, neuron_selector=None, baselines=None,
                  additional_forward_args: Optional[object] = None, attribute_to_neuron_input: bool = False,
                  custom_attribution_func: Optional[Callable[..., Tuple[Tensor, ...]]] = None,
                  *, neuron_index=None):
        return self._run(inputs, resolve_selector(neuron_selector, neuron_index), baselines,
                         additional_forward_args, attribute_to_neuron_input, custom_attribution_func)


@register("neuron", params=(NEURON_INPUT, MULTIPLY), baselines="distribution", needs_layer=True,
          needs_neuron=True)
class NeuronDeepLiftShap(_NeuronDeepLiftBase):
    """NeuronDeepLift averaged over a distribution of baselines."""

    inner = DeepLiftShap

    def attribute(self, inputs, neuron_selector=None, baselines=None,
                  additional_forward_args: Optional[object] = None, attribute_to_neuron_input: bool = False,
                  custom_attribution_func: Optional[Callable[..., Tuple[Tensor, ...]]] = None,
                  *, neuron_index=None):
        if baselines is None:
            raise TypeError("`baselines` is required: a distribution of baselines (tensor or tuple)")
        return self._run(inputs, resolve_selector(neuron_selector, neuron_index), baselines,
                         additional_forward_args, attribute_to_neuron_input, custom_attribution_func)
