"""Integrated Gradients (Sundararajan et al., 2017)."""

from __future__ import annotations

from typing import Any, Callable, Optional

from ..core.approximation import SUPPORTED_METHODS, approximation_parameters
from ..core.base import BaselineAttribution
from ..core.gradients import compute_gradients
from ..core.inputs import format_additional_args, prepare_inputs
from ..core.path import path_gradients
from ..core.registry import Param, register

BATCH_PARAMS = (
    Param("internal_batch_size", "int", None, minimum=1, nullable=True,
          help="Rows per forward/backward pass; empty chooses it by measurement."),
)


@register(
    "gradient",
    params=(
        Param("n_steps", "int", 50, minimum=1, maximum=2000, help="Points on the integration path."),
        Param("method", "choice", "gausslegendre", choices=SUPPORTED_METHODS,
              help="Quadrature rule for the path integral."),
        *BATCH_PARAMS,
        Param("multiply_by_inputs", "bool", True, stage="init",
              help="Global attribution (times input - baseline) rather than local."),
    ),
    baselines="optional",
    convergence_delta=True,
    progress=True,
)
class IntegratedGradients(BaselineAttribution):
    """Integrates the gradient along the straight line from the baseline to the input
    and multiplies by (input - baseline)."""

    def __init__(self, forward_func: Callable[..., Any], multiply_by_inputs: bool = True) -> None:
        super().__init__(forward_func, multiply_by_inputs)

    def attribute(
        self,
        inputs,
        baselines=None,
        target=None,
        additional_forward_args: Optional[object] = None,
        n_steps: int = 50,
        method: str = "gausslegendre",
        internal_batch_size: Optional[int] = None,
        return_convergence_delta: bool = False,
        *,
        show_progress: bool = False,
    ):
        was_tuple, inputs_t, baselines_t = prepare_inputs(inputs, baselines, target)
        if internal_batch_size is not None and internal_batch_size < 1:
            raise ValueError(f"`internal_batch_size` must be at least 1, got {internal_batch_size}")
        step_sizes, alphas = approximation_parameters(method, n_steps)
        args = format_additional_args(additional_forward_args)

        def gradient_fn(scaled, tgt, add_args):
            return compute_gradients(self.forward_func, scaled, tgt, add_args)

        total_grads = path_gradients(
            gradient_fn, inputs_t, baselines_t, target, args, step_sizes, alphas,
            internal_batch_size, show_progress, desc=type(self).__name__,
        )
        attributions = self._scale(total_grads, inputs_t, baselines_t)
        return self._result(was_tuple, attributions, baselines_t, inputs_t, target, args,
                            return_convergence_delta)
