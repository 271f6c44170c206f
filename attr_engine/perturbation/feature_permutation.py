"""Feature permutation importance: shuffle one feature across the batch and attribute the
change in the output to it (Breiman 2001; Molnar, *Interpretable ML*)."""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Tuple

import torch
from torch import Tensor
from torch.futures import Future

from ..core.futures import attribute_as_future
from ..core.inputs import as_tuple, format_additional_args, format_output, is_tuple, validate_target
from ..core.registry import register
from ._common import PPE_PARAM, format_feature_mask, parse_ppe
from .feature_ablation import FeatureAblation


def _draw_permutation(n: int) -> Tensor:
    """A random permutation of n rows that is not the identity (as Captum draws it)."""
    perm = torch.randperm(n)
    while bool((perm == torch.arange(n)).all()):
        perm = torch.randperm(n)
    return perm


def _permute_feature(x: Tensor, feature_mask: Tensor) -> Tensor:
    """The default `perm_func`: the masked elements of `x` shuffled across its rows."""
    perm = _draw_permutation(x.shape[0]).to(x.device)
    return torch.where(feature_mask, x[perm], x)


@register("perturbation", params=(PPE_PARAM,), stochastic=True, progress=True)
class FeaturePermutation(FeatureAblation):
    """Permutes one feature at a time across the examples of the batch; a feature's
    attribution is the output's change. Needs a batch of at least two examples.

    With the default `perm_func` the permutations are drawn from torch's global generator in
    Captum's order, all before the first forward pass, so every batch size gives the same
    numbers; a custom `perm_func` is called in the same order as Captum calls it."""

    def __init__(self, forward_func: Callable[..., Any],
                 perm_func: Callable[[Tensor, Tensor], Tensor] = _permute_feature) -> None:
        super().__init__(forward_func)
        self.perm_func = perm_func
        self._perms: Optional[List[Tensor]] = None

    def attribute(
        self,
        inputs,
        target=None,
        additional_forward_args: Optional[object] = None,
        feature_mask=None,
        perturbations_per_eval: Any = "auto",
        show_progress: bool = False,
        **kwargs: Any,
    ):
        kwargs.pop("baselines", None)
        was_tuple = is_tuple(inputs)
        inputs_t = as_tuple(inputs)
        if inputs_t[0].shape[0] < 2:
            raise ValueError("FeaturePermutation needs a batch of at least 2 examples to "
                             f"permute, got {inputs_t[0].shape[0]}")
        validate_target(target, inputs_t[0].shape[0])
        masks = format_feature_mask(feature_mask, inputs_t)
        attributions = self._ablate(inputs_t, (0,) * len(inputs_t), target,
                                    format_additional_args(additional_forward_args), masks,
                                    parse_ppe(perturbations_per_eval), show_progress)
        return format_output(was_tuple, attributions)

    def attribute_future(self, inputs, target=None, additional_forward_args: Optional[object] = None,
                         feature_mask=None, perturbations_per_eval: Any = "auto",
                         show_progress: bool = False, **kwargs: Any) -> Future:
        """As :meth:`attribute`, for a forward function that returns a ``torch.futures.Future``;
        returns a Future of the attributions."""
        return attribute_as_future(self, inputs, target=target,
                                   additional_forward_args=additional_forward_args,
                                   feature_mask=feature_mask,
                                   perturbations_per_eval=perturbations_per_eval,
                                   show_progress=show_progress, **kwargs)

    def _prepare(self, inputs: Tuple[Tensor, ...], masks: Tuple[Tensor, ...], ids: Tensor) -> None:
        held = [set(torch.unique(mask).tolist()) for mask in masks]
        present = [[fid in h for h in held] for fid in ids.tolist()]
        if self.perm_func is not _permute_feature:
            self._perms, self._present = None, present
            return
        # Captum's order: feature by feature, and within a feature tensor by tensor.
        n = inputs[0].shape[0]
        perms = [torch.empty(len(ids), n, dtype=torch.long) for _ in inputs]
        for f, tensors in enumerate(present):
            for i, here in enumerate(tensors):
                perms[i][f] = _draw_permutation(n) if here else torch.arange(n)
        self._perms = [p.to(inp.device) for p, inp in zip(perms, inputs)]
        self._present = present

    def _blocks(self, inputs: Tuple[Tensor, ...], selections: List[Tensor], start: int,
                fills: List[Any]) -> List[Tensor]:
        k = selections[0].shape[0]
        if self._perms is not None:
            blocks = []
            for perms, sel, inp in zip(self._perms, selections, inputs):
                rows = perms[start:start + k].reshape(-1)
                blocks.append(torch.where(sel, inp[rows].reshape(k, *inp.shape), inp.unsqueeze(0)))
            return blocks
        # a custom perm_func is called per feature, then per tensor holding it (Captum's order)
        blocks = [inp.unsqueeze(0).repeat(k, *([1] * inp.dim())) for inp in inputs]
        for j in range(k):
            for i, inp in enumerate(inputs):
                if self._present[start + j][i]:
                    blocks[i][j] = self.perm_func(inp, selections[i][j])
        return blocks
