"""Base classes: the fixed shape of every attribution method (as in ``captum.attr``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.nn import Module

from .inputs import (
    as_tuple,
    format_additional_args,
    format_output,
    format_baselines,
    run_forward,
    sum_rows,
    tensorize_baselines,
    validate_baselines,
    validate_target,
)


class Attribution(ABC):
    """An attribution method around a forward function (a model or any callable)."""

    def __init__(self, forward_func: Callable[..., Any]) -> None:
        if not callable(forward_func):
            raise TypeError(f"`forward_func` must be callable, got {type(forward_func).__name__}")
        self.forward_func = forward_func

    @abstractmethod
    def attribute(self, inputs, *args, **kwargs):
        """Attribute the model's output to `inputs`; each method documents its arguments."""

    def attribute_future(self, *args, **kwargs):
        """Attribution with a forward function returning ``torch.futures.Future``; as in
        Captum, only FeatureAblation, FeaturePermutation and the Shapley methods offer it."""
        raise NotImplementedError(f"attribute_future is not implemented for {type(self).__name__}")

    @property
    def multiplies_by_inputs(self) -> bool:
        return False

    def has_convergence_delta(self) -> bool:
        return False

    @classmethod
    def get_name(cls) -> str:
        """The class name as words: ``IntegratedGradients`` → ``Integrated Gradients``."""
        return "".join(c if c.islower() or i == 0 else " " + c for i, c in enumerate(cls.__name__))


class GradientAttribution(Attribution):
    """Methods built on gradients; they can check completeness via a convergence delta."""

    def compute_convergence_delta(
        self,
        attributions: Union[Tensor, Tuple[Tensor, ...]],
        start_point: Any,
        end_point: Union[Tensor, Tuple[Tensor, ...]],
        target: Any = None,
        additional_forward_args: Any = None,
    ) -> Tensor:
        """Per example: sum of attributions minus (f(end_point) - f(start_point))."""
        end_point = as_tuple(end_point, "end_point")
        start_point = format_baselines(start_point, end_point, "start_point")
        validate_baselines(end_point, start_point, name="start_point")
        start_point = tensorize_baselines(end_point, start_point)
        attributions = as_tuple(attributions, "attributions")
        for attribution, end in zip(attributions, end_point):
            if attribution.shape[0] != end.shape[0]:
                raise ValueError(
                    f"`attributions` has {attribution.shape[0]} rows but `end_point` has {end.shape[0]}"
                )
        validate_target(target, end_point[0].shape[0])
        args = format_additional_args(additional_forward_args)
        with torch.no_grad():
            start = sum_rows(run_forward(self.forward_func, start_point, target, args))
            end = sum_rows(run_forward(self.forward_func, end_point, target, args))
            total = sum(sum_rows(a) for a in attributions)
        return total - (end - start)


class BaselineAttribution(GradientAttribution):
    """A method that attributes f(input) - f(baseline) (IntegratedGradients, DeepLift,
    GradientShap): global attributions, times (input - baseline), unless
    ``multiply_by_inputs=False``; completeness makes a convergence delta meaningful."""

    def __init__(self, forward_func: Callable[..., Any], multiply_by_inputs: bool = True) -> None:
        super().__init__(forward_func)
        self._multiply_by_inputs = multiply_by_inputs

    @property
    def multiplies_by_inputs(self) -> bool:
        return self._multiply_by_inputs

    def has_convergence_delta(self) -> bool:
        return True

    def _scale(self, multipliers, inputs, baselines) -> Tuple[Tensor, ...]:
        """Global attributions from gradients/multipliers, or the multipliers themselves."""
        if not self.multiplies_by_inputs:
            return tuple(multipliers)
        return tuple((i - b) * m for i, b, m in zip(inputs, baselines, multipliers))

    def _result(self, was_tuple, attributions, baselines, inputs, target, args, return_convergence_delta):
        """Attributions in the caller's form, with the convergence delta when asked for."""
        if return_convergence_delta:
            delta = self.compute_convergence_delta(attributions, baselines, inputs, target, args)
            return format_output(was_tuple, attributions), delta
        return format_output(was_tuple, attributions)


class PerturbationAttribution(Attribution):
    """Methods that perturb inputs and watch the output change (no gradients)."""

    @property
    def multiplies_by_inputs(self) -> bool:
        return True


class InternalAttribution(Attribution):
    """Methods that look inside the model at one layer (or several)."""

    def __init__(self, forward_func: Callable[..., Any], layer: Union[Module, List[Module]],
                 device_ids: Optional[List[int]] = None) -> None:
        super().__init__(forward_func)
        self.layer = layer
        self.device_ids = device_ids


class LayerAttribution(InternalAttribution):
    """Attribution to the neurons of a layer."""

    @staticmethod
    def interpolate(layer_attribution: Tensor, interpolate_dims: Union[int, Tuple[int, ...]],
                    interpolate_mode: str = "nearest") -> Tensor:
        """Upsample a layer attribution (e.g. to the input's size) with ``F.interpolate``."""
        return F.interpolate(layer_attribution, interpolate_dims, mode=interpolate_mode)


class NeuronAttribution(InternalAttribution):
    """Attribution of one neuron's value to the inputs."""

    def __init__(self, forward_func: Callable[..., Any], layer: Module,
                 device_ids: Optional[List[int]] = None) -> None:
        super().__init__(forward_func, layer, device_ids)
