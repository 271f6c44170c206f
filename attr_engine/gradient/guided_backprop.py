"""Guided Backpropagation and Deconvolution: gradients with ReLUs' backward rewritten."""

from __future__ import annotations

from typing import Optional

import torch.nn.functional as F
from torch import nn

from ..core.base import GradientAttribution
from ..core.hooks import add_gradient_rule, hooks
from ..core.inputs import format_output
from ..core.registry import register
from .saliency import input_gradients


def _require_module(model) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"`model` must be a torch.nn.Module (its ReLUs are hooked), got {type(model).__name__}")
    return model


class _ModifiedReluGradient(GradientAttribution):
    #: True: pass back relu(grad_output) (deconvnet); False: relu(grad_input) (guided)
    use_relu_grad_output = False

    def __init__(self, model: nn.Module) -> None:
        super().__init__(_require_module(model))
        self.model = model

    def _rule(self, module, inp, out, grad_input, grad_output):
        return F.relu(grad_output if self.use_relu_grad_output else grad_input)

    def attribute(self, inputs, target=None, additional_forward_args: Optional[object] = None):
        with hooks() as hook_set:
            for module in self.model.modules():
                if isinstance(module, nn.ReLU):
                    add_gradient_rule(module, self._rule, hook_set)
            was_tuple, _, grads = input_gradients(self, inputs, target, additional_forward_args)
        return format_output(was_tuple, grads)


@register("gradient")
class GuidedBackprop(_ModifiedReluGradient):
    """Gradients where every ReLU also passes back only positive gradients (Springenberg et al.)."""

    use_relu_grad_output = False


@register("gradient")
class Deconvolution(_ModifiedReluGradient):
    """Gradients where every ReLU passes back the positive part of its output gradient (Zeiler & Fergus)."""

    use_relu_grad_output = True
