"""Saliency and Input X Gradient: one backward pass each."""

from __future__ import annotations

from typing import Optional

import torch

from ..core.base import GradientAttribution
from ..core.gradients import compute_gradients, require_grad
from ..core.inputs import as_tuple, format_additional_args, format_output, is_tuple, validate_target
from ..core.progress import check_cancelled
from ..core.registry import Param, register


def input_gradients(method: GradientAttribution, inputs, target, additional_forward_args):
    """(was_tuple, detached inputs, gradients of the target output w.r.t. them)."""
    was_tuple = is_tuple(inputs)
    inputs_t = as_tuple(inputs)
    validate_target(target, inputs_t[0].shape[0])
    check_cancelled()
    leaves = require_grad(inputs_t)
    grads = compute_gradients(method.forward_func, leaves, target, format_additional_args(additional_forward_args))
    return was_tuple, inputs_t, grads


@register("gradient", params=(Param("abs", "bool", True, help="Absolute value of the gradients."),))
class Saliency(GradientAttribution):
    """The gradient of the output with respect to the input (Simonyan et al., 2013)."""

    def attribute(self, inputs, target=None, abs: bool = True,
                  additional_forward_args: Optional[object] = None):
        was_tuple, _, grads = input_gradients(self, inputs, target, additional_forward_args)
        return format_output(was_tuple, tuple(torch.abs(g) for g in grads) if abs else grads)


@register("gradient")
class InputXGradient(GradientAttribution):
    """The input times the gradient of the output with respect to it."""

    @property
    def multiplies_by_inputs(self) -> bool:
        return True

    def attribute(self, inputs, target=None, additional_forward_args: Optional[object] = None):
        was_tuple, inputs_t, grads = input_gradients(self, inputs, target, additional_forward_args)
        return format_output(was_tuple, tuple(i * g for i, g in zip(inputs_t, grads)))
