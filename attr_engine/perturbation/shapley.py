"""Shapley values (Shapley, 1953) of the features, exactly or by sampling permutations
(Castro et al., 2009): a feature's value is its average marginal contribution when the
features are added, one by one, to the baseline."""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Optional

import torch
from torch import Tensor
from torch.futures import Future

from ..core.base import PerturbationAttribution
from ..core.futures import attribute_as_future
from ..core.inputs import (
    as_tuple,
    broadcast_baselines,
    format_additional_args,
    format_baselines,
    format_output,
    is_tuple,
    validate_target,
)
from ..core.registry import Param, register
from ._common import (
    PPE_PARAM,
    evaluate,
    format_feature_mask,
    forward,
    forward_copies,
    parse_ppe,
    row_numel,
    spread,
)


class _Coalitions:
    """Evaluates the model on coalitions of features (inputs where they are, baselines
    elsewhere); subclasses say which coalition each row is."""

    def __init__(self, method: PerturbationAttribution, inputs, baselines, target, args,
                 feature_mask, ppe, show_progress) -> None:
        self.method = method
        self.was_tuple = is_tuple(inputs)
        self.inputs = as_tuple(inputs)
        n = self.inputs[0].shape[0]
        baselines_t = broadcast_baselines(self.inputs, format_baselines(baselines, self.inputs))
        validate_target(target, n)
        # full tensors in the dtype input and baseline promote to (no truncated baselines)
        self.baselines = tuple(
            torch.as_tensor(b, device=inp.device).to(torch.result_type(inp, b)).expand_as(inp)
            for inp, b in zip(self.inputs, baselines_t))
        self.masks = format_feature_mask(feature_mask, self.inputs, contiguous=True)
        self.n_features = max(int(m.max()) for m in self.masks) + 1
        self.target, self.args = target, format_additional_args(args)
        self.ppe, self.show_progress = parse_ppe(ppe), show_progress
        self.initial = forward(method.forward_func, self.baselines, target, self.args)
        if self.initial.dim() == 0:
            self.initial = self.initial.reshape(1)
        # One value for the whole batch (Captum's "aggregate" mode): no batching of copies.
        self.aggregate = self.initial.numel() == 1 and n > 1
        if self.aggregate and any(m.shape[0] != 1 for m in self.masks):
            raise ValueError("`feature_mask` may not differ per example when the model returns "
                             "one value per batch")

    def run(self, total: int, member: Callable[[Tensor, Tensor], Tensor]) -> Tensor:
        """Model outputs (total, *output_shape) for rows 0..total-1, where
        ``member(rows, feature_positions)`` says whether each feature is in the row's coalition."""
        shape = self.initial.shape
        outputs = torch.zeros(total, *shape, dtype=torch.float, device=self.initial.device)

        def work(start: int, stop: int) -> None:
            rows = torch.arange(start, stop)
            blocks = [torch.where(member(rows.to(m.device), m), inp.unsqueeze(0), base.unsqueeze(0))
                      for inp, base, m in zip(self.inputs, self.baselines, self.masks)]
            out = forward_copies(self.method.forward_func, blocks, self.target, self.args,
                                 self.initial.numel())
            outputs[start:stop] = out.reshape(-1, *shape).to(outputs)

        evaluate(total, work, ppe=self.ppe, batchable=not self.aggregate,
                 row_numel=row_numel(self.inputs), device=self.inputs[0].device,
                 method=self.method, show_progress=self.show_progress)
        return outputs

    def result(self, phi: Tensor):
        """Per-feature values (F, *output_shape) as attributions shaped like the inputs."""
        shape = self.initial.shape
        values = phi.reshape(self.n_features, shape[0], *shape[1:])
        return format_output(self.was_tuple, spread(values, self.masks, self.inputs))


@register(
    "perturbation",
    params=(Param("n_samples", "int", 25, minimum=1, maximum=100000,
                  help="Random feature permutations to average over."),
            PPE_PARAM),
    baselines="optional", stochastic=True, progress=True,
)
class ShapleyValueSampling(PerturbationAttribution):
    """Estimates Shapley values from `n_samples` random feature permutations: features are
    added in permutation order and each gets the output change its addition causes.

    The permutations are drawn (``torch.randperm``, as Captum) before any forward pass, so
    every ``perturbations_per_eval`` gives the same numbers."""

    def attribute(
        self,
        inputs,
        baselines=None,
        target=None,
        additional_forward_args: Optional[object] = None,
        feature_mask=None,
        n_samples: int = 25,
        perturbations_per_eval: Any = "auto",
        show_progress: bool = False,
    ):
        if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
            raise ValueError(f"`n_samples` must be a positive integer, got {n_samples!r}")
        c = _Coalitions(self, inputs, baselines, target, additional_forward_args, feature_mask,
                        perturbations_per_eval, show_progress)
        n_feat = c.n_features
        perms = torch.stack([torch.randperm(n_feat) for _ in range(n_samples)])
        rank = torch.empty_like(perms)
        rank.scatter_(1, perms, torch.arange(n_feat).expand(n_samples, -1).contiguous())

        def member(rows: Tensor, positions: Tensor) -> Tensor:
            sample, step = rows // n_feat, rows % n_feat
            ranks = rank.to(positions.device)[sample][:, positions]  # (k, *mask.shape)
            return ranks <= step.view(-1, *([1] * positions.dim()))

        outputs = c.run(n_samples * n_feat, member).reshape(n_samples, n_feat, *c.initial.shape)
        previous = torch.cat([c.initial.float().expand(n_samples, 1, *c.initial.shape), outputs[:, :-1]], 1)
        steps = outputs - previous  # (samples, step, *output): the gain of the step's feature
        index = rank.to(steps.device).view(n_samples, n_feat, *([1] * c.initial.dim()))
        phi = torch.gather(steps, 1, index.expand_as(steps)).sum(0) / n_samples
        return c.result(phi)


    def attribute_future(self, inputs, baselines=None, target=None,
                         additional_forward_args: Optional[object] = None, feature_mask=None,
                         n_samples: int = 25, perturbations_per_eval: Any = "auto",
                         show_progress: bool = False) -> Future:
        """As :meth:`attribute`, for a forward function that returns a ``torch.futures.Future``;
        returns a Future of the attributions."""
        return attribute_as_future(self, inputs, baselines=baselines, target=target,
                                   additional_forward_args=additional_forward_args,
                                   feature_mask=feature_mask, n_samples=n_samples,
                                   perturbations_per_eval=perturbations_per_eval,
                                   show_progress=show_progress)


@register("perturbation", params=(PPE_PARAM,), baselines="optional",
          progress=True)
class ShapleyValues(PerturbationAttribution):
    """Exact Shapley values over all coalitions of the features.

    Captum averages over all F! orderings (F·F! forward rows); the same values follow from the
    2^F coalitions weighted by |S|!(F-|S|-1)!/F!, which is what runs here."""

    def attribute(
        self,
        inputs,
        baselines=None,
        target=None,
        additional_forward_args: Optional[object] = None,
        feature_mask=None,
        perturbations_per_eval: Any = "auto",
        show_progress: bool = False,
    ):
        c = _Coalitions(self, inputs, baselines, target, additional_forward_args, feature_mask,
                        perturbations_per_eval, show_progress)
        n_feat = c.n_features
        if n_feat >= 10:
            warnings.warn(f"Exact Shapley values of {n_feat} features need 2^{n_feat} forward "
                          "rows; consider ShapleyValueSampling", stacklevel=2)
        bits = 1 << torch.arange(n_feat)

        def member(rows: Tensor, positions: Tensor) -> Tensor:
            coalition = (rows + 1).view(-1, *([1] * positions.dim()))
            return (coalition & bits.to(positions.device)[positions]) != 0

        outputs = torch.cat([c.initial.float().unsqueeze(0), c.run((1 << n_feat) - 1, member)])
        phi = _shapley_weights(n_feat).to(outputs) @ outputs.reshape(1 << n_feat, -1)
        return c.result(phi)


    def attribute_future(self, inputs, baselines=None, target=None,
                         additional_forward_args: Optional[object] = None, feature_mask=None,
                         perturbations_per_eval: Any = "auto", show_progress: bool = False) -> Future:
        """As :meth:`attribute`, for a forward function that returns a ``torch.futures.Future``;
        returns a Future of the attributions."""
        return attribute_as_future(self, inputs, baselines=baselines, target=target,
                                   additional_forward_args=additional_forward_args,
                                   feature_mask=feature_mask,
                                   perturbations_per_eval=perturbations_per_eval,
                                   show_progress=show_progress)


def _shapley_weights(n_feat: int) -> Tensor:
    """(F, 2^F): phi = W @ v, with W[i, S] = w(|S|-1) if i in S else -w(|S|),
    w(s) = s!(F-s-1)!/F!."""
    subsets = torch.arange(1 << n_feat)
    member = ((subsets.unsqueeze(0) >> torch.arange(n_feat).unsqueeze(1)) & 1).bool()
    size = member.sum(0)
    w = torch.tensor([math.factorial(s) * math.factorial(n_feat - s - 1) / math.factorial(n_feat)
                      for s in range(n_feat)] + [0.0], dtype=torch.float64)
    return torch.where(member, w[(size - 1).clamp(min=0)], -w[size])
