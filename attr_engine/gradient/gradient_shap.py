"""GradientShap: expected gradients between random baselines and noisy inputs."""

from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np
import torch

from ..core.base import BaselineAttribution
from ..core.batching import run_chunked
from ..core.gradients import compute_gradients
from ..core.inputs import (
    args_per_example,
    as_tuple,
    call_baselines,
    format_additional_args,
    format_baselines,
    prepare_inputs,
    take_additional_args,
    take_target,
)
from ..core.registry import Param, register
from .noise_tunnel import NoiseTunnel


def _column(values, like):
    return values.view((-1,) + (1,) * (like.dim() - 1))


class InputBaselineXGradient(BaselineAttribution):
    """Gradient at a random point between each input and its baseline, times the difference.

    The building block of GradientShap (one random point per row, drawn from numpy)."""

    def attribute(self, inputs, baselines=None, target=None,
                  additional_forward_args: Optional[object] = None,
                  return_convergence_delta: bool = False, *, show_progress: bool = False):
        was_tuple, inputs_t, baselines_t = prepare_inputs(inputs, baselines, target)
        n = inputs_t[0].shape[0]
        args = format_additional_args(additional_forward_args)
        coefficients = torch.tensor(np.random.uniform(0.0, 1.0, n),
                                    device=inputs_t[0].device, dtype=inputs_t[0].dtype)
        bases = tuple(b.expand_as(i) if isinstance(b, torch.Tensor) else b
                      for b, i in zip(baselines_t, inputs_t))
        grads = [torch.empty_like(i) for i in inputs_t]

        def work(start: int, stop: int) -> None:
            rows = torch.arange(start, stop, device=inputs_t[0].device)
            c = coefficients[start:stop]
            scaled = tuple(
                (_column(c, i) * i[start:stop]
                 + (1.0 - _column(c, i)) * (b[start:stop] if isinstance(b, torch.Tensor) else b)
                 ).detach().requires_grad_()
                for i, b in zip(inputs_t, bases))
            chunk = compute_gradients(self.forward_func, scaled, take_target(target, rows),
                                      take_additional_args(args, rows, n, 1))
            for g, part in zip(grads, chunk):
                g[start:stop] = part

        run_chunked(n, work, unit=1 if args_per_example(args, n) else n,
                    row_numel=sum(i[0].numel() for i in inputs_t), device=inputs_t[0].device,
                    desc=type(self).__name__, show_progress=show_progress)
        attributions = self._scale(grads, inputs_t, baselines_t)
        return self._result(was_tuple, attributions, baselines_t, inputs_t, target, args,
                            return_convergence_delta)


@register(
    "gradient",
    params=(
        Param("n_samples", "int", 5, minimum=1, maximum=1000,
              help="Random (baseline, point on path) samples per example."),
        Param("stdevs", "float", 0.0, minimum=0.0, help="Standard deviation of noise added to inputs."),
        Param("multiply_by_inputs", "bool", True, stage="init",
              help="Global attribution (times input - baseline) rather than local."),
    ),
    baselines="distribution",
    stochastic=True,
    convergence_delta=True,
    progress=True,
)
class GradientShap(BaselineAttribution):
    """SHAP values approximated by expected gradients: baselines are drawn from a
    distribution, inputs get Gaussian noise, and gradients are taken at random points
    between them (Lundberg & Lee, 2017)."""

    def __init__(self, forward_func: Callable[..., Any], multiply_by_inputs: bool = True) -> None:
        super().__init__(forward_func, multiply_by_inputs)

    def attribute(self, inputs, baselines, n_samples: int = 5, stdevs=0.0, target=None,
                  additional_forward_args: Optional[object] = None,
                  return_convergence_delta: bool = False, *, show_progress: bool = False):
        formatted = format_baselines(call_baselines(baselines, inputs), as_tuple(inputs))
        if not all(isinstance(b, torch.Tensor) for b in formatted):
            raise TypeError("`baselines` must be a tensor (or tuple of tensors) holding a "
                            "distribution of baselines, or a callable returning one")
        inner = InputBaselineXGradient(self.forward_func, self.multiplies_by_inputs)
        return NoiseTunnel(inner).attribute(
            inputs, nt_type="smoothgrad", nt_samples=n_samples, stdevs=stdevs,
            draw_baseline_from_distrib=True, baselines=formatted, target=target,
            additional_forward_args=additional_forward_args,
            return_convergence_delta=return_convergence_delta, show_progress=show_progress,
        )
