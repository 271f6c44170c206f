"""DeepLift (Rescale rule) and DeepLiftShap.

The model runs once on the inputs stacked on top of their baselines. Hooks on the supported
nonlinearities remember each call's input and output and rewrite the gradient passed back to
the input into the DeepLift multiplier ``Δout / Δin`` (or the plain gradient where ``|Δin|``
is below ``eps``). Hooks are removed on exit, even on error.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, Optional, Tuple, Type

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..core.base import BaselineAttribution
from ..core.gradients import output_gradients, require_grad
from ..core.hooks import add_gradient_rule, hooks
from ..core.inputs import (
    as_tuple,
    call_baselines,
    expand_additional_args,
    expand_target,
    format_additional_args,
    format_baselines,
    format_output,
    is_tuple,
    prepare_inputs,
    run_forward,
    tensorize_baselines,
    validate_baselines,
    validate_target,
)
from ..core.progress import check_cancelled
from ..core.registry import Param, register


def _deltas(inp: Tensor, out: Tensor) -> Tuple[Tensor, Tensor]:
    """Input and output differences (actual - reference), repeated for both halves."""
    x, x_ref = inp.chunk(2)
    y, y_ref = out.chunk(2)
    return torch.cat([x - x_ref] * 2), torch.cat([y - y_ref] * 2)


def rescale_rule(module, inp, out, grad_input, grad_output, eps):
    delta_in, delta_out = _deltas(inp, out)
    return torch.where(delta_in.abs() < eps, grad_input, grad_output * delta_out / delta_in)


def softmax_rule(module, inp, out, grad_input, grad_output, eps):
    unnormalized = rescale_rule(module, inp, out, grad_input, grad_output, eps)
    return unnormalized - unnormalized.sum() / unnormalized.numel()


def _maxpool_rule(pool, unpool):
    def rule(module, inp, out, grad_input, grad_output, eps):
        x, x_ref = inp.chunk(2)
        y, y_ref = out.chunk(2)
        delta_in = torch.cat([x - x_ref] * 2)
        # the larger of the two pooled values decides which side's argmax carries the change
        y_max = torch.max(y, y_ref)
        delta_out = torch.cat([y_max - y_ref, y - y_max])
        _, indices = pool(inp, module.kernel_size, module.stride, module.padding,
                          module.dilation, module.ceil_mode, True)
        unpooled = unpool(grad_output * delta_out, indices, module.kernel_size, module.stride,
                          module.padding, list(inp.shape))
        first, second = unpooled.chunk(2)
        spread = torch.cat([first + second] * 2)
        return torch.where(delta_in.abs() < eps, grad_input, spread / delta_in)

    return rule


SUPPORTED_NON_LINEAR: Dict[Type[nn.Module], Callable[..., Tensor]] = {
    nn.ReLU: rescale_rule,
    nn.ELU: rescale_rule,
    nn.LeakyReLU: rescale_rule,
    nn.Sigmoid: rescale_rule,
    nn.Tanh: rescale_rule,
    nn.Softplus: rescale_rule,
    nn.Softmax: softmax_rule,
    nn.MaxPool1d: _maxpool_rule(F.max_pool1d, F.max_unpool1d),
    nn.MaxPool2d: _maxpool_rule(F.max_pool2d, F.max_unpool2d),
    nn.MaxPool3d: _maxpool_rule(F.max_pool3d, F.max_unpool3d),
}


def call_custom_attribution_func(func: Callable[..., Any], multipliers, inputs, baselines):
    """Call a custom attribution function with 1, 2 or 3 of (multipliers, inputs, baselines)."""
    if not callable(func):
        raise TypeError(f"`custom_attribution_func` must be callable, got {type(func).__name__}")
    n_params = len(inspect.signature(func).parameters)
    if not 1 <= n_params <= 3:
        raise ValueError("`custom_attribution_func` must take 1 to 3 arguments "
                         "(multipliers[, inputs[, baselines]])")
    return func(*(multipliers, inputs, baselines)[:n_params])


@register(
    "gradient",
    params=(
        Param("multiply_by_inputs", "bool", True, stage="init",
              help="Global attribution (times input - baseline) rather than multipliers."),
        Param("eps", "float", 1e-10, minimum=0.0, stage="init",
              help="Below this |input - baseline| the plain gradient is used."),
    ),
    baselines="optional",
    convergence_delta=True,
)
class DeepLift(BaselineAttribution):
    """DeepLift with the Rescale rule (Shrikumar et al., 2017): attributes the difference
    between the output at the input and at the baseline."""

    def __init__(self, model: nn.Module, multiply_by_inputs: bool = True, eps: float = 1e-10) -> None:
        if not isinstance(model, nn.Module):
            raise TypeError(f"`model` must be a torch.nn.Module, got {type(model).__name__}")
        super().__init__(model, multiply_by_inputs)
        self.model = model
        self.eps = eps

    def _hook_nonlinearities(self, hook_set) -> None:
        for module in self.model.modules():
            rule = SUPPORTED_NON_LINEAR.get(type(module))
            if rule is not None:
                add_gradient_rule(module, lambda *a, rule=rule: rule(*a, eps=self.eps), hook_set)

    def _multipliers(self, inputs, baselines, target, args) -> Tuple[Tensor, ...]:
        """Gradients of the target through the rewritten backward, at the inputs."""
        check_cancelled()
        leaves = require_grad(inputs)
        with hooks() as hook_set, torch.enable_grad():  # also when called under no_grad
            stacked = tuple(torch.cat([leaf, base.detach()]) for leaf, base in zip(leaves, baselines))
            self._hook_nonlinearities(hook_set)
            outputs = run_forward(self.forward_func, stacked, expand_target(target, 2),
                                  expand_additional_args(args, 2))
            return output_gradients(outputs, leaves)

    def attribute(
        self,
        inputs,
        baselines=None,
        target=None,
        additional_forward_args: Optional[object] = None,
        return_convergence_delta: bool = False,
        custom_attribution_func: Optional[Callable[..., Tuple[Tensor, ...]]] = None,
    ):
        was_tuple, inputs_t, baselines_t = prepare_inputs(inputs, baselines, target)
        baselines_t = tensorize_baselines(inputs_t, baselines_t)
        args = format_additional_args(additional_forward_args)
        multipliers = self._multipliers(inputs_t, baselines_t, target, args)
        if custom_attribution_func is not None:
            attributions = tuple(call_custom_attribution_func(
                custom_attribution_func, multipliers, inputs_t, baselines_t))
        else:
            attributions = self._scale(multipliers, inputs_t, baselines_t)
        return self._result(was_tuple, attributions, baselines_t, inputs_t, target, args,
                            return_convergence_delta)


class PairedWithBaselines:
    """Every example paired with every baseline of a distribution (example-major rows), for
    the *Shap methods that average a single-baseline method over the distribution."""

    def __init__(self, inputs: Any, baselines: Any, target: Any, additional_forward_args: Any,
                 single_method: str) -> None:
        inputs_t = as_tuple(inputs)
        baselines_t = format_baselines(call_baselines(baselines, inputs), inputs_t)
        if not all(isinstance(b, Tensor) for b in baselines_t) or baselines_t[0].shape[0] < 2:
            raise ValueError("`baselines` must be a distribution: tensors with more than one "
                             f"example (use {single_method} for a single baseline)")
        validate_baselines(inputs_t, baselines_t, distribution=True)
        self.n, self.k = n, k = inputs_t[0].shape[0], baselines_t[0].shape[0]
        validate_target(target, n)
        self.inputs = tuple(i.repeat_interleave(k, dim=0) for i in inputs_t)
        self.baselines = tuple(b.repeat((n,) + (1,) * (b.dim() - 1)) for b in baselines_t)
        self.target = expand_target(target, k, interleave=True)
        self.additional_forward_args = expand_additional_args(
            format_additional_args(additional_forward_args), k, interleave=True)

    def mean(self, attributions: Any) -> Tuple[Tensor, ...]:
        """Per-row attributions averaged over the baselines: one per example."""
        return tuple(a.view((self.n, self.k) + a.shape[1:]).mean(dim=1) for a in as_tuple(attributions))


@register(
    "gradient",
    params=(Param("multiply_by_inputs", "bool", True, stage="init",
                  help="Global attribution (times input - baseline) rather than multipliers."),),
    baselines="distribution",
    convergence_delta=True,
)
class DeepLiftShap(DeepLift):
    """DeepLift averaged over a distribution of baselines (SHAP values under independence)."""

    def __init__(self, model: nn.Module, multiply_by_inputs: bool = True) -> None:
        super().__init__(model, multiply_by_inputs=multiply_by_inputs)

    def attribute(
        self,
        inputs,
        baselines,
        target=None,
        additional_forward_args: Optional[object] = None,
        return_convergence_delta: bool = False,
        custom_attribution_func: Optional[Callable[..., Tuple[Tensor, ...]]] = None,
    ):
        was_tuple = is_tuple(inputs)
        rows = PairedWithBaselines(inputs, baselines, target, additional_forward_args, "DeepLift")
        result = DeepLift.attribute(
            self, rows.inputs, rows.baselines, target=rows.target,
            additional_forward_args=rows.additional_forward_args,
            return_convergence_delta=return_convergence_delta,
            custom_attribution_func=custom_attribution_func,
        )
        attributions, delta = result if return_convergence_delta else (result, None)
        attributions = format_output(was_tuple, rows.mean(attributions))
        return (attributions, delta) if return_convergence_delta else attributions
