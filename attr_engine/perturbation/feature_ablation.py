"""Feature ablation: replace each feature (a group of input elements) by its baseline and
attribute the change in the output to that feature."""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

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
from ..core.registry import register
from ._common import (
    PPE_PARAM,
    blend,
    evaluate,
    expand_baseline,
    feature_order,
    format_feature_mask,
    forward,
    forward_copies,
    grows_with_batch,
    parse_ppe,
    promoted,
    row_numel,
    spread,
)


@register("perturbation", params=(PPE_PARAM,), baselines="optional",
          progress=True)
class FeatureAblation(PerturbationAttribution):
    """Replaces one feature at a time by its baseline; a feature's attribution is the
    output's drop, given to every element of the feature.

    ``perturbations_per_eval`` defaults to ``"auto"`` (chosen by measurement; Captum's
    default is 1); results are the same for every setting."""

    def attribute(
        self,
        inputs,
        baselines=None,
        target=None,
        additional_forward_args: Optional[object] = None,
        feature_mask=None,
        perturbations_per_eval: Any = "auto",
        show_progress: bool = False,
        **kwargs: Any,
    ):
        """Feature masks hold integer ids (any ids, per tensor; a mask of batch size 1 is
        shared by all examples). Returns one attribution per model output row."""
        was_tuple = is_tuple(inputs)
        inputs_t = as_tuple(inputs)
        baselines_t = format_baselines(baselines, inputs_t)
        baselines_t = broadcast_baselines(inputs_t, baselines_t)
        validate_target(target, inputs_t[0].shape[0])
        masks = format_feature_mask(feature_mask, inputs_t)
        attributions = self._ablate(inputs_t, baselines_t, target,
                                    format_additional_args(additional_forward_args), masks,
                                    parse_ppe(perturbations_per_eval), show_progress)
        return format_output(was_tuple, attributions)

    def attribute_future(self, inputs, baselines=None, target=None,
                         additional_forward_args: Optional[object] = None, feature_mask=None,
                         perturbations_per_eval: Any = "auto", show_progress: bool = False,
                         **kwargs: Any) -> Future:
        """As :meth:`attribute`, for a forward function that returns a ``torch.futures.Future``;
        returns a Future of the attributions."""
        return attribute_as_future(self, inputs, baselines=baselines, target=target,
                                   additional_forward_args=additional_forward_args,
                                   feature_mask=feature_mask,
                                   perturbations_per_eval=perturbations_per_eval,
                                   show_progress=show_progress, **kwargs)

    def _ablate(self, inputs: Tuple[Tensor, ...], baselines: Tuple[Any, ...], target: Any,
                args: Any, masks: Tuple[Tensor, ...], ppe: Optional[int],
                show_progress: bool) -> Tuple[Tensor, ...]:
        ids, positions = feature_order(masks)
        self._prepare(inputs, masks, ids)
        initial = forward(self.forward_func, inputs, target, args)
        n_out = initial.numel()
        flat_initial = initial.reshape(1, n_out)
        diffs = torch.zeros(len(ids), n_out, dtype=initial.dtype, device=initial.device)
        chunk_ids = [ids.to(m.device) for m in masks]
        fills = [expand_baseline(b, inp) for b, inp in zip(baselines, inputs)]

        def work(start: int, stop: int) -> None:
            nonlocal diffs
            selections = [mask.unsqueeze(0) == ids_i[start:stop].view(-1, *([1] * mask.dim()))
                          for mask, ids_i in zip(masks, chunk_ids)]
            blocks = self._blocks(inputs, selections, start, fills)
            out = forward_copies(self.forward_func, blocks, target, args, n_out)
            change = flat_initial - out.to(diffs.device)
            diffs = promoted(diffs, change)
            diffs[start:stop] = change

        evaluate(len(ids), work, ppe=ppe, batchable=grows_with_batch(initial, inputs[0].shape[0]),
                 row_numel=row_numel(inputs), device=inputs[0].device, method=self,
                 show_progress=show_progress, partial=lambda: spread(diffs, positions, inputs))
        return spread(diffs, positions, inputs)

    def _prepare(self, inputs: Tuple[Tensor, ...], masks: Tuple[Tensor, ...], ids: Tensor) -> None:
        """Hook run before any forward pass (FeaturePermutation draws its permutations)."""

    def _blocks(self, inputs: Tuple[Tensor, ...], selections: List[Tensor], start: int,
                fills: List[Any]) -> List[Tensor]:
        """Per input, (k, n, ...) copies with the `selected` (k, 1|n, ...) elements replaced."""
        return [blend(sel, fill, inp) for sel, fill, inp in zip(selections, fills, inputs)]
