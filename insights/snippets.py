"""What the dashboard's "Copy as Python" scripts load: an example workspace's model and one example
of its data set, as the dashboard attributes them (the same input tensors, baselines and, for
text, the embedding-layer forward with its extra arguments), so a copied script runs as is and
gives the dashboard's numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple, Union

import torch
from torch import Tensor, nn

from .attribution import EmbeddingForward, accepts, embedding_layer, stack_args, token_masks

Tensors = Union[Tensor, Tuple[Tensor, ...]]


@dataclass
class LoadedExample:
    """One example ready for an explainer: ``explainer.attribute(inputs, baselines=baselines,
    target=..., **example.extra(explainer))``."""

    model: nn.Module  #: what is attributed: the model, or for text its embedding-layer forward
    module: nn.Module  #: the model itself (where its layers are found)
    inputs: Tensors  #: a batch of one, one tensor per feature (a tuple only with several)
    baselines: Tensors
    label: Optional[int]
    forward_args: Tuple[Any, ...] = ()
    token_masks: Optional[Tuple[Tensor, ...]] = field(default=None, repr=False)

    def extra(self, explainer: Any) -> Dict[str, Any]:
        """The keyword arguments the dashboard adds for this explainer (text: token ids, and
        masks that perturb a token's whole embedding)."""
        out: Dict[str, Any] = {}
        if self.forward_args and accepts(explainer, "additional_forward_args"):
            out["additional_forward_args"] = self.forward_args
        layer = getattr(explainer, "layer", None) is not None
        if self.token_masks is not None and not layer and accepts(explainer, "feature_mask"):
            out["feature_mask"] = self.token_masks
        return out


def load_example(workspace: Any, index: int, model: int = 0,
                 baselines: Optional[Dict[str, str]] = None) -> LoadedExample:
    """Model ``model`` of a workspace and the ``index``-th example of its data set, with each
    feature's baseline by its dashboard name (its first option by default). ``workspace``: the
    name of an example workspace (``python -m insights.example``), or for a dashboard of one's own
    the ``AttributionVisualizer`` (or its service) it was started with."""
    from .example.workspaces import BUILDERS, service

    if isinstance(workspace, str):
        if workspace not in BUILDERS:
            raise ValueError(f"`workspace`: {workspace!r} is not an example workspace ({', '.join(BUILDERS)}); "
                             "for a dashboard of your own pass its AttributionVisualizer instead of the name")
        svc = service(workspace)
    else:
        svc = getattr(workspace, "service", workspace)
        if not hasattr(svc, "store") or not hasattr(svc, "models"):
            raise TypeError("`workspace` must be an example workspace's name or an AttributionVisualizer")
    if not 0 <= model < len(svc.models):
        raise ValueError(f"`model` must be between 0 and {len(svc.models) - 1}")
    entry = svc.models[model]
    module = entry.module.eval()
    example = svc.store.at(index)
    inputs = tuple(x.unsqueeze(0) for x in example.inputs)
    base = []
    for i, f in enumerate(svc.features):
        option = (baselines or {}).get(f.name) or f.baseline_options()[0]
        base.append(f.baseline(option, inputs[i], svc.store.mean(i) if option == "dataset_mean" else None))
    args = stack_args([example.additional_args], torch.device("cpu"))
    text = {i: embedding_layer(module, f) for i, f in enumerate(svc.features) if f.kind == "text"}
    forward: nn.Module = module
    masks = None
    if text:
        with torch.no_grad():
            ids = tuple(inputs[i] for i in text)
            inputs = tuple(text[i](x).detach() if i in text else x for i, x in enumerate(inputs))
            base = [text[i](b).detach() if i in text else b for i, b in enumerate(base)]
        forward = EmbeddingForward(module, text, len(inputs))
        args = ids + args
        masks = token_masks(inputs, svc.features)
    one = len(inputs) == 1
    return LoadedExample(forward, module, inputs[0] if one else inputs, base[0] if one else tuple(base),
                         example.label, args, masks)
