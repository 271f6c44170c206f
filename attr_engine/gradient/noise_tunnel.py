"""NoiseTunnel: SmoothGrad, SmoothGrad² and VarGrad around any attribution method.

Random numbers are drawn from torch's and numpy's global generators in Captum's order
(baseline draws, then noise per partition, then the wrapped method's own draws), so seeded
runs give Captum's numbers.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from torch import Tensor

from ..core.base import Attribution, GradientAttribution
from ..core.inputs import (
    as_tuple,
    expand_additional_args,
    expand_target,
    format_additional_args,
    format_baselines,
    format_output,
    is_tuple,
    validate_baselines,
)
from ..core.progress import task
from ..core.registry import Param, get_method, register

NOISE_TUNNEL_TYPES = ("smoothgrad", "smoothgrad_sq", "vargrad")


def _expand_kwargs(kwargs: Dict[str, Any], inputs: Tuple[Tensor, ...], samples: int,
                   draw_baseline_from_distrib: bool) -> Dict[str, Any]:
    """The wrapped method's arguments for `samples` noisy copies of each example."""
    kwargs = dict(kwargs)
    if kwargs.get("additional_forward_args") is not None:
        kwargs["additional_forward_args"] = expand_additional_args(
            format_additional_args(kwargs["additional_forward_args"]), samples, interleave=True)
    if "target" in kwargs:
        kwargs["target"] = expand_target(kwargs["target"], samples, interleave=True)
    if "baselines" in kwargs:
        baselines = format_baselines(kwargs["baselines"], inputs)
        validate_baselines(inputs, baselines, distribution=draw_baseline_from_distrib)
        n = inputs[0].shape[0]
        if draw_baseline_from_distrib:
            baselines = tuple(
                b[np.random.choice(b.shape[0], samples * n).tolist()] if isinstance(b, Tensor) else b
                for b in baselines)
        else:
            baselines = tuple(
                b.repeat_interleave(samples, dim=0)
                if isinstance(b, Tensor) and b.shape[0] == inp.shape[0] and b.shape[0] > 1 else b
                for inp, b in zip(inputs, baselines))
        kwargs["baselines"] = baselines
    if kwargs.get("feature_mask") is not None:
        was_tuple = is_tuple(kwargs["feature_mask"])
        masks = tuple(m.repeat_interleave(samples, dim=0) if m.shape[0] > 1 else m
                      for m in as_tuple(kwargs["feature_mask"], "feature_mask"))
        kwargs["feature_mask"] = format_output(was_tuple, masks)
    return kwargs


def _add_noise(inputs: Tuple[Tensor, ...], stdevs: Tuple[float, ...], samples: int,
               requires_grad: bool) -> Tuple[Tensor, ...]:
    noisy = []
    for inp, stdev in zip(inputs, stdevs):
        shape = (inp.shape[0] * samples,) + tuple(inp.shape[1:])
        noise = torch.normal(0, torch.tensor(stdev, device=inp.device).repeat(shape))
        x = inp.repeat_interleave(samples, dim=0) + noise
        noisy.append(x.requires_grad_() if requires_grad else x)
    return tuple(noisy)


@register(
    "gradient",
    params=(
        Param("inner", "choice", "Saliency",
              choices=("Saliency", "InputXGradient", "IntegratedGradients", "DeepLift",
                       "GuidedBackprop", "Deconvolution"),
              stage="init", help="The attribution method to smooth."),
        Param("nt_type", "choice", "smoothgrad", choices=NOISE_TUNNEL_TYPES,
              help="Mean, mean of squares, or variance of the noisy attributions."),
        Param("nt_samples", "int", 5, minimum=1, maximum=1000, help="Noisy samples per example."),
        Param("nt_samples_batch_size", "int", None, minimum=1, nullable=True,
              help="Samples per call of the wrapped method; empty for all at once."),
        Param("stdevs", "float", 1.0, minimum=0.0, help="Standard deviation of the Gaussian noise."),
    ),
    baselines="optional",
    stochastic=True,
    progress=True,
    factory=lambda forward_func, layer=None, inner="Saliency", **kw: NoiseTunnel(
        get_method(inner).create(forward_func, layer, **kw)),
)
class NoiseTunnel(Attribution):
    """Averages a method's attributions over copies of the input with Gaussian noise added
    (SmoothGrad), or their squares (SmoothGrad²), or takes their variance (VarGrad)."""

    def __init__(self, attribution_method: Attribution) -> None:
        if not isinstance(attribution_method, Attribution):
            raise TypeError("`attribution_method` must be an attribution method instance, got "
                            f"{type(attribution_method).__name__}")
        self.attribution_method = attribution_method
        self.is_delta_supported = attribution_method.has_convergence_delta()
        self._multiply_by_inputs = attribution_method.multiplies_by_inputs
        self.is_gradient_method = isinstance(attribution_method, GradientAttribution)
        super().__init__(attribution_method.forward_func)

    @property
    def multiplies_by_inputs(self) -> bool:
        return self._multiply_by_inputs

    def has_convergence_delta(self) -> bool:
        return self.is_delta_supported

    def _takes(self, name: str) -> bool:
        return name in inspect.signature(self.attribution_method.attribute).parameters

    def attribute(
        self,
        inputs,
        nt_type: str = "smoothgrad",
        nt_samples: int = 5,
        nt_samples_batch_size: Optional[int] = None,
        stdevs: Union[float, Tuple[float, ...]] = 1.0,
        draw_baseline_from_distrib: bool = False,
        **kwargs: Any,
    ):
        if "n_samples" in kwargs and not self._takes("n_samples"):
            warnings.warn("NoiseTunnel.attribute(n_samples=...) is deprecated; use nt_samples",
                          DeprecationWarning, stacklevel=2)
            nt_samples = kwargs.pop("n_samples")
        show_progress = kwargs.pop("show_progress", False)  # drawn here, for the whole run
        if nt_type not in NOISE_TUNNEL_TYPES:
            raise ValueError(f"`nt_type` must be one of {NOISE_TUNNEL_TYPES}, got {nt_type!r}")
        for name, value in (("nt_samples", nt_samples), ("nt_samples_batch_size", nt_samples_batch_size)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"`{name}` must be a positive int, got {value!r}")
        was_tuple = is_tuple(inputs)
        inputs_t = as_tuple(inputs)
        stdevs_t = stdevs if isinstance(stdevs, tuple) else (stdevs,) * len(inputs_t)
        if len(stdevs_t) != len(inputs_t):
            raise ValueError(f"`stdevs` has {len(stdevs_t)} values for {len(inputs_t)} input tensors")
        for s in stdevs_t:
            if isinstance(s, bool) or not isinstance(s, (int, float)) or s < 0:
                raise ValueError(f"`stdevs` must be non-negative numbers, got {s!r}")
        stdevs_t = tuple(float(s) for s in stdevs_t)
        return_delta = bool(kwargs.get("return_convergence_delta", False))

        batch = nt_samples if nt_samples_batch_size is None else min(nt_samples, nt_samples_batch_size)
        partitions, remaining = divmod(nt_samples, batch)
        sums: List[Optional[Tensor]] = []
        sums_sq: List[Optional[Tensor]] = []
        deltas: List[Tensor] = []
        attrib_tuple = was_tuple

        def run(samples: int, call_kwargs: Dict[str, Any]) -> None:
            nonlocal sums, sums_sq, attrib_tuple
            noisy = _add_noise(inputs_t, stdevs_t, samples, self.is_gradient_method)
            with torch.enable_grad() if self.is_gradient_method else torch.no_grad():
                result = self.attribution_method.attribute(
                    noisy if was_tuple else noisy[0], **call_kwargs)
            if self.is_delta_supported and return_delta:
                result, delta = result
                deltas.append(delta)
            attrib_tuple = is_tuple(result)
            result = as_tuple(result, "attributions")
            if not sums:
                sums, sums_sq = [None] * len(result), [None] * len(result)
            for i, attribution in enumerate(result):
                a = attribution.detach()
                a = a.view((a.shape[0] // samples, samples) + a.shape[1:])
                s, sq = a.sum(dim=1), (a ** 2).sum(dim=1)
                sums[i] = s if sums[i] is None else sums[i] + s
                sums_sq[i] = sq if sums_sq[i] is None else sums_sq[i] + sq

        with torch.no_grad(), task(nt_samples, type(self).__name__, show_progress) as progress:
            call_kwargs = _expand_kwargs(kwargs, inputs_t, batch, draw_baseline_from_distrib)
            for _ in range(partitions):
                with progress.step(batch):
                    run(batch, call_kwargs)
            if remaining:
                with progress.step(remaining):
                    run(remaining, _expand_kwargs(kwargs, inputs_t, remaining, draw_baseline_from_distrib))

        means = tuple(s / nt_samples for s in sums)
        means_sq = tuple(s / nt_samples for s in sums_sq)
        if nt_type == "smoothgrad":
            attributions = means
        elif nt_type == "smoothgrad_sq":
            attributions = means_sq
        else:
            attributions = tuple(sq - m * m for m, sq in zip(means, means_sq))
        attributions = format_output(attrib_tuple, attributions)
        if self.is_delta_supported and return_delta:
            return attributions, torch.cat(deltas, dim=0)
        return attributions
