"""Summaries of a data-set job, computed from its store (while it runs, or after).

* :func:`class_maps`: per class (the attributed target), the mean signed and mean absolute
  attribution map of each image, series or general feature (and of a layer);
* :func:`top_tokens`: per class, the tokens of a text feature with the highest and lowest mean
  attribution;
* :func:`agreement`: Spearman rank correlation between two jobs' maps, per example, and its
  distribution;
* :func:`faithfulness`: the distribution of deletion AUCs and the least faithful examples (their
  ``example_id`` opens them in the dashboard);
* :func:`sanity_check`: the model-randomisation check of ``attr_engine.metrics`` over a sample;
* :func:`summarize`: all of these as one JSON-able dict (maps as base64 float32 arrays).

Maps are read shard by shard (memory-mapped) and reduced in float64, so a summary never holds
the whole data set's maps.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..serialization import encode_array
from .store import Store

QUANTILES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)


def _shard_rows(store: Store, shard: int) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(store.path / "rows" / f"{shard:05d}.parquet").to_pandas()


def _aligned(store: Store, key: str) -> Iterator[Tuple[Any, np.ndarray]]:
    """(rows, maps) per committed shard that has maps ``key``."""
    for shard, maps in store.shard_maps(key):
        yield _shard_rows(store, shard), maps


def summary_keys(store: Store) -> Tuple[List[str], List[str]]:
    """(map keys summarised as class maps, text features summarised by tokens)."""
    kinds = {f["name"]: f["kind"] for f in store.manifest()["features"]}
    keys = [k for k in store.map_keys() if not k.endswith(".tokens")]
    text = [k for k in keys if kinds.get(k) == "text"]
    return [k for k in keys if k not in text], text


def class_maps(store: Store, key: str) -> Dict[int, Dict[str, Any]]:
    """{class: {"count", "mean", "mean_abs"}} over the examples attributed to that class."""
    sums: Dict[int, List[Any]] = {}
    for rows, maps in _aligned(store, key):
        ok = rows["error"].isna().to_numpy()
        targets = rows["target"].to_numpy()
        values = np.asarray(maps, dtype=np.float64)
        for c in np.unique(targets[ok]):
            chosen = values[ok & (targets == c)]
            entry = sums.setdefault(int(c), [0, 0.0, 0.0])
            entry[0] += len(chosen)
            entry[1] = entry[1] + chosen.sum(0)
            entry[2] = entry[2] + np.abs(chosen).sum(0)
    return {c: {"count": n, "mean": s / n, "mean_abs": a / n} for c, (n, s, a) in sorted(sums.items())}


def top_tokens(store: Store, feature: str, k: int = 10, min_count: int = 2, pad_id: Optional[int] = None,
               names: Optional[Any] = None) -> Dict[int, Dict[str, List[Dict[str, Any]]]]:
    """{class: {"top": [...], "bottom": [...]}}: tokens by mean attribution where they occur
    (at least ``min_count`` times); ``names(token_id) -> str`` labels them."""
    stats: Dict[int, Dict[int, List[float]]] = {}
    token_maps = dict(store.shard_maps(f"{feature}.tokens"))
    for shard, scores in store.shard_maps(feature):
        rows = _shard_rows(store, shard)
        tokens = np.asarray(token_maps[shard])
        scores = np.asarray(scores, dtype=np.float64)
        for r, (target, error) in enumerate(zip(rows["target"], rows["error"])):
            if isinstance(error, str):
                continue
            per_class = stats.setdefault(int(target), {})
            for token, score in zip(tokens[r].tolist(), scores[r].tolist()):
                if token == pad_id:
                    continue
                entry = per_class.setdefault(token, [0.0, 0])
                entry[0] += score
                entry[1] += 1
    out = {}
    for c, tokens in sorted(stats.items()):
        ranked = sorted(((s / n, t, n) for t, (s, n) in tokens.items() if n >= min_count), reverse=True)
        entry = [lambda m, t, n: {"token": t, "name": names(t) if names else str(t), "mean": m, "count": n}]
        out[c] = {"top": [entry[0](*x) for x in ranked[:k]], "bottom": [entry[0](*x) for x in ranked[::-1][:k]]}
    return out


def _distribution(values: np.ndarray, bins: int = 20, span: Optional[Tuple[float, float]] = None
                  ) -> Dict[str, Any]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {"count": 0, "mean": None, "quantiles": {}, "histogram": {"edges": [], "counts": []}}
    low, high = span or (float(values.min()), float(values.max()))
    if high - low < 1e-9 * max(abs(low), 1.0):  # all (nearly) equal: one unit-wide range around them
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    return {"count": int(values.size), "mean": float(values.mean()),
            "quantiles": {str(q): float(np.quantile(values, q)) for q in QUANTILES},
            "histogram": {"edges": edges.tolist(), "counts": counts.tolist()}}


def agreement(store: Store, other: Store, key: Optional[str] = None, bins: int = 20) -> Dict[str, Any]:
    """Per-example Spearman correlation between two jobs' maps of the same data set."""
    from attr_engine.metrics import spearman

    key = key or next(iter(summary_keys(store)[0] + summary_keys(store)[1]), None)
    if key is None or key not in other.map_keys():
        raise ValueError(f"`key`: both stores need maps {key!r}; they have {store.map_keys()} and {other.map_keys()}")
    rows_a, rows_b = store.rows(), other.rows()
    common = np.intersect1d(rows_a["index"].to_numpy(), rows_b["index"].to_numpy())
    a_ids = rows_a.set_index("index").loc[common, "example_id"].to_numpy()
    b_ids = rows_b.set_index("index").loc[common, "example_id"].to_numpy()
    if not np.array_equal(a_ids, b_ids):
        raise ValueError("the two stores attributed different data sets (example ids differ)")
    maps_a, maps_b = store.maps(key), other.maps(key)
    pos_a = {i: p for p, i in enumerate(rows_a["index"])}
    pos_b = {i: p for p, i in enumerate(rows_b["index"])}
    a = torch.from_numpy(np.stack([maps_a[pos_a[i]] for i in common]).reshape(len(common), -1).astype(np.float64))
    b = torch.from_numpy(np.stack([maps_b[pos_b[i]] for i in common]).reshape(len(common), -1).astype(np.float64))
    rho = spearman(a, b).numpy() if len(common) else np.zeros(0)
    manifest_a, manifest_b = store.manifest(), other.manifest()
    return {"key": key, "methods": [manifest_a["spec"]["method"], manifest_b["spec"]["method"]],
            **_distribution(rho, bins, (-1.0, 1.0)), "per_example": [[int(i), float(r)] for i, r in zip(common, rho)]}


def faithfulness(store: Store, worst: int = 10, bins: int = 20) -> Dict[str, Any]:
    """Deletion AUCs (lower: more faithful): their distribution and the ``worst`` examples."""
    rows = store.rows()
    scored = rows[rows["deletion_auc"].notna()]
    picked = scored.sort_values("deletion_auc", ascending=False).head(worst)
    return {**_distribution(scored["deletion_auc"].to_numpy(dtype=np.float64), bins),
            "worst": [{"index": int(r.index), "example_id": r.example_id, "label": None if r.label != r.label
                       else int(r.label), "target": int(r.target), "deletion_auc": float(r.deletion_auc)}
                      for r in picked.itertuples()]}


def sanity_check(store: Store, model: torch.nn.Module, features: Sequence[Any], dataset: Any, sample: int = 8,
                 seed: int = 0) -> Dict[str, Any]:
    """Model randomisation (Adebayo et al.) of the job's method over the first ``sample``
    attributed examples: mean Spearman correlation with the trained model's maps as layers are
    re-initialised from the output down (near 1: the maps do not depend on the weights)."""
    from attr_engine.metrics import model_randomization

    from .spec import JobSpec
    from .work import Workload, attribute_batch, dataset_means, iter_shards, model_device

    spec = JobSpec(**store.manifest()["spec"])
    rows = store.rows()
    shard = next(iter_shards(dataset, features, sample, limit=sample), None)
    if shard is None:
        raise ValueError("`dataset` is empty")
    known = rows.set_index("index")
    targets = [int(known.loc[i, "target"]) for i in range(shard.start, shard.start + len(shard))]
    means = [i for i, f in enumerate(features) if (spec.baselines.get(f.name) or f.baseline_options()[0])
             == "dataset_mean"]
    workload = Workload(model, features, spec, None, dataset_means(dataset, features, means) if means else {})

    def explain(m: torch.nn.Module, inputs: Tuple[torch.Tensor, ...]) -> Tuple[torch.Tensor, ...]:
        maps, _, _ = attribute_batch(workload, m, model_device(m), inputs, shard.args, targets)
        return tuple(torch.from_numpy(v) for v in maps.values())

    result = model_randomization(model, explain, shard.inputs, seed=seed)
    correlations = result.correlations.numpy()
    return {"sample": len(shard), "layers": result.layers,
            "mean": [float(np.nanmean(row)) for row in correlations],
            "per_example": correlations.tolist()}


def summarize(store: Store, *, other: Optional[Store] = None, classes: Optional[Sequence[str]] = None,
              top: int = 10, worst: int = 10, model: Any = None, features: Optional[Sequence[Any]] = None,
              dataset: Any = None, sample: int = 0, encode: bool = True) -> Dict[str, Any]:
    """Everything above as one dict; the sanity check runs when ``model``, ``features``,
    ``dataset`` and ``sample`` > 0 are given. ``encode`` turns maps into base64 float32 arrays."""
    manifest = store.manifest()
    classes = classes or manifest.get("classes") or []
    table = store.table()

    def name(c: int) -> str:
        return classes[c] if 0 <= c < len(classes) else str(c)

    pack = encode_array if encode else (lambda a: a)
    image_keys, text_keys = summary_keys(store)
    text_features = {f.name: f for f in (features or []) if f.kind == "text"}
    out: Dict[str, Any] = {
        "method": manifest["spec"]["method"], "spec": manifest["spec"], "total": manifest["total"],
        "done": table.num_rows, "errors": int(table.num_rows - table.column("error").null_count),
        "status": store.status(),
        "class_maps": {key: [{"class_index": c, "name": name(c), "count": v["count"], "mean": pack(v["mean"]),
                              "mean_abs": pack(v["mean_abs"])} for c, v in class_maps(store, key).items()]
                       for key in image_keys},
        "top_tokens": {},
        "faithfulness": faithfulness(store, worst) if manifest["spec"]["faithfulness"] else None,
        "agreement": None, "sanity": None,
    }
    for key in text_keys:
        feature = text_features.get(key)
        names = (lambda t, f=feature: " ".join(f.tokens(torch.tensor([t]))) or str(t)) if feature else None
        out["top_tokens"][key] = [{"class_index": c, "name": name(c), **v} for c, v in top_tokens(
            store, key, top, pad_id=getattr(feature, "pad_token_id", None), names=names).items()]
    if other is not None:
        out["agreement"] = agreement(store, other)
    if sample and model is not None and features is not None and dataset is not None:
        out["sanity"] = sanity_check(store, model, features, dataset, sample)
    return _finite(out)


def _finite(value: Any) -> Any:
    """NaN and infinities (a constant map has no rank correlation) become None: valid JSON."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
