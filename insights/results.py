"""One example's attribution result: per-feature display payloads, totals, and step advice."""

from __future__ import annotations

import math
from typing import Any, Dict, List, Optional, Sequence

from .serialization import encode_array


def token_scores(a: Any, perturbation: bool) -> Any:
    """One score per token from a text feature's attributions over its embeddings, shape
    ``(batch, tokens, ...)`` to ``(batch, tokens)``: summed over the embedding, or averaged for
    perturbation methods (their token masks give every element the token's whole effect)."""
    flat = a.reshape(a.shape[0], a.shape[1], -1)
    return flat.mean(-1) if perturbation else flat.sum(-1)


def feature_results(features: Sequence[Any], out: Any, example: Any, row: int,
                    perturbation: bool) -> List[Dict[str, Any]]:
    """``{name, kind, total, payload}`` per feature (input methods) or per layer output."""
    if out.layer is None:
        shown = []
        for f, raw, a in zip(features, example.raw, out.attributions):
            a = token_scores(a[row:row + 1], perturbation)[0] if f.kind == "text" else a[row]
            shown.append({"name": f.name, "kind": f.kind, "total": float(a.sum()), "payload": f.display(raw, a)})
        return shown
    shown = []
    for a in out.attributions:
        if out.text_feature is not None and a.dim() >= 2:  # a text feature's embedding layer: per token
            i = out.text_feature
            f = features[i]
            shown.append({"name": f.name, "kind": "text", "total": float(a[row].sum()),
                          "payload": f.display(example.raw[i], a[row])})
        else:
            shown.append({"name": out.layer, "kind": "layer", "total": float(a[row].sum()),
                          "payload": {"kind": "layer", "attribution": encode_array(a[row])}})
    return shown


def suggest_steps(spec: Any, args: Dict[str, Any], delta: Optional[float], total: float,
                  tolerance: float) -> Optional[int]:
    """An ``n_steps`` expected to bring the relative error ``|delta| / max(|total|, 1)`` under
    ``tolerance`` (``total``: the attributions' sum, about the output's change), taking the error
    as ~1/n_steps (conservative: Gauss-Legendre converges faster); None when already under it."""
    if delta is None or not any(p.name == "n_steps" for p in spec.params):
        return None
    error = abs(delta) / max(abs(total), 1.0)
    if error <= tolerance:
        return None
    param = spec.param("n_steps")
    steps = int(args.get("n_steps") or param.default)
    return int(min(math.ceil(steps * error / tolerance), param.maximum or math.inf))
