"""Attribution results as tensors and figures, decoded from the service's result payloads.

Each result holds, per feature, the attribution as the dashboard draws it: an image's map
summed over channels (H, W), a text's per-token scores, a series' (channels, steps) map, a
general feature's per-feature scores, or a layer's attribution in the layer's shape.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np
import torch
from torch import Tensor

from ..serialization import decode_array


@dataclass
class Result:
    """One example's attribution by one model and method."""

    example_id: str
    model: int
    method: str
    target: int
    target_name: str
    attributions: Dict[str, Tensor]
    totals: Dict[str, float]
    delta: Optional[float] = None
    suggested_n_steps: Optional[int] = None
    deletion_auc: Optional[float] = None
    cached: bool = False
    payloads: Dict[str, Dict[str, Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, row: Dict[str, Any]) -> "Result":
        """From one ``AttributionResult`` of the contract (its payloads carry the inputs too)."""
        attributions, totals, payloads = {}, {}, {}
        for feature in row["features"]:
            payload = feature["payload"]
            attributions[feature["name"]] = _tensor(payload)
            totals[feature["name"]] = feature["total"]
            payloads[feature["name"]] = payload
        return cls(row["example_id"], row["model"], row["method"], row["target"], row["target_name"],
                   attributions, totals, row.get("delta"), row.get("suggested_n_steps"), row.get("deletion_auc"),
                   row.get("cached", False), payloads)

    def figure(self, feature: Optional[str] = None, sign: str = "all") -> Any:
        """A Plotly figure of one feature's attribution (the first by default), drawn by
        :mod:`attr_engine.visualization`: a heat map blended over the image, bands under each
        series channel, or bars per token / feature."""
        from attr_engine import visualization as viz

        name = feature if feature is not None else next(iter(self.attributions))
        attr, payload = self.attributions[name].numpy(), self.payloads[name]
        title = f"{self.method} · {name} · target {self.target_name}"
        kind = payload["kind"]
        if kind == "image":
            image = _png(payload["png"])
            return viz.image_attr_figure(attr[..., None], image, method="blended_heat_map", sign=sign, title=title)
        if kind == "timeseries":
            return viz.timeseries_attr_figure(attr, decode_array(payload["values"]), x_values=np.asarray(payload["x"]),
                                              sign=sign, channel_labels=payload.get("channels"),
                                              channels_last=False, title=title)
        if attr.ndim >= 2:  # a layer's map
            return viz.image_attr_figure(attr.reshape(-1, *attr.shape[-2:]).sum(0)[..., None], sign=sign,
                                         title=title)
        names = payload.get("tokens") or payload.get("names") or [str(i) for i in range(attr.size)]
        labels = [f"{i}: {n}" for i, n in enumerate(names[: attr.size])]  # positions keep repeats apart
        return viz.feature_importance_figure(attr, labels, sign=sign, title=title)


class Attributions(List[Result]):
    """The results of one run, in the service's order (model by model, then example)."""

    def tensor(self, feature: Optional[str] = None, model: Optional[int] = None) -> Tensor:
        """One feature's attributions stacked over the examples (of one model, if given)."""
        rows = [r for r in self if model is None or r.model == model]
        if not rows:
            raise ValueError(f"no results for model {model}")
        name = feature if feature is not None else next(iter(rows[0].attributions))
        shapes = {tuple(r.attributions[name].shape) for r in rows}
        if len(shapes) > 1:
            raise ValueError(f"the {name!r} attributions differ in shape {sorted(shapes)} (texts of different "
                             "lengths?); read each result's `attributions` instead")
        return torch.stack([r.attributions[name] for r in rows])

    def figures(self, feature: Optional[str] = None) -> List[Any]:
        """One figure per result (see :meth:`Result.figure`)."""
        return [r.figure(feature) for r in self]


def results_from_json(rows: List[Dict[str, Any]]) -> Attributions:
    return Attributions(Result.from_json(row) for row in rows)


def _tensor(payload: Dict[str, Any]) -> Tensor:
    kind = payload["kind"]
    if kind in ("image", "timeseries", "layer"):
        return torch.from_numpy(decode_array(payload["attribution"]).copy())
    return torch.tensor(payload.get("scores") or [], dtype=torch.float32)


def _png(data: str) -> np.ndarray:
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data)))
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
