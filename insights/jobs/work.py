"""One shard of a data-set job: examples cut from the user's batches, and their attribution.

:func:`iter_shards` splits the data set's :class:`~insights.dataset.Batch` objects into
examples and groups them into shards of ``shard_size`` consecutive examples, so shard ``k``
always holds the same examples: that is what makes a job resumable and executors
interchangeable. :func:`attribute_shard` is the pure function every executor runs (in a thread
or a Ray task); it returns rows and maps and writes nothing.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor, nn

from ..attribution import run_method, stack_args
from ..dataset import Batch, _split_args, content_hash
from ..results import token_scores
from .spec import JobSpec

_RNG = threading.Lock()  # threads share torch's generator: stochastic shards take turns


@dataclass
class Shard:
    index: int
    start: int  # index of its first example in the data set
    inputs: Tuple[Tensor, ...]  # per feature, stacked model inputs (after input transforms)
    labels: List[Optional[int]]
    args: List[Tuple[Any, ...]]  # per example additional forward args
    ids: List[str]  # example ids as the dashboard computes them

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class ShardResult:
    index: int
    rows: Dict[str, list]  # column -> values, one per example
    maps: Dict[str, np.ndarray]  # map key -> (examples, ...) array

    def __len__(self) -> int:
        return len(self.rows["index"])


@dataclass
class Workload:
    """Everything a worker needs besides the shard: put once in Ray's object store."""
    model: nn.Module
    features: Sequence[Any]
    spec: JobSpec
    score_func: Optional[Callable[[Tensor], Tensor]] = None
    means: Dict[int, Tensor] = field(default_factory=dict)  # feature index -> data-set mean input


def _batches(dataset: Any) -> Iterator[Batch]:
    source = dataset() if callable(dataset) else dataset
    if not callable(dataset) and iter(source) is source:
        raise TypeError("`dataset` must be re-iterable (a list of Batch, or a callable returning an iterable "
                        "of Batch): a job counts it first and reads it again when it resumes")
    for batch in source:
        if not isinstance(batch, Batch):
            raise TypeError(f"`dataset` yielded {type(batch).__name__}; it must yield Batch objects")
        yield batch


def _examples(dataset: Any, features: Sequence[Any]) -> Iterator[Tuple[Tuple[Tensor, ...], Optional[int], Tuple]]:
    for batch in _batches(dataset):
        inputs = batch.inputs if isinstance(batch.inputs, (tuple, list)) else (batch.inputs,)
        if len(inputs) != len(features):
            raise ValueError(f"`dataset` gives {len(inputs)} inputs per batch but {len(features)} features "
                             "were declared")
        n = inputs[0].shape[0]
        labels = torch.as_tensor(batch.labels).reshape(-1) if batch.labels is not None else None
        for i, args in enumerate(_split_args(batch.additional_args, n)):
            model_inputs = tuple(f.transform(x[i]) for f, x in zip(features, inputs))
            yield model_inputs, (int(labels[i]) if labels is not None else None), args


def count_examples(dataset: Any, limit: Optional[int] = None) -> int:
    n = 0
    for batch in _batches(dataset):
        inputs = batch.inputs if isinstance(batch.inputs, (tuple, list)) else (batch.inputs,)
        n += int(inputs[0].shape[0])
        if limit is not None and n >= limit:
            return limit
    return n


def iter_shards(dataset: Any, features: Sequence[Any], shard_size: int, limit: Optional[int] = None,
                skip: Sequence[int] = ()) -> Iterator[Shard]:
    """The data set's shards in order, leaving out those in ``skip`` (already stored)."""
    skip = set(skip)
    pending: List[Tuple] = []
    start = 0

    def make() -> Shard:
        inputs = tuple(torch.stack([e[0][k] for e in pending]) for k in range(len(features)))
        ids = [content_hash([*e[0], *e[2]], extra=f"{e[1]}") for e in pending]
        return Shard(start // shard_size, start, inputs, [e[1] for e in pending], [e[2] for e in pending], ids)

    for n, example in enumerate(_examples(dataset, features)):
        if limit is not None and n >= limit:
            break
        if (start // shard_size) in skip:  # skipped shards are still read, but never stacked
            pending.append(None)
        else:
            pending.append(example)
        if len(pending) == shard_size:
            if pending[0] is not None:
                yield make()
            start += shard_size
            pending = []
    if pending and pending[0] is not None:
        yield make()


def dataset_means(dataset: Any, features: Sequence[Any], indices: Sequence[int], count: int = 256
                  ) -> Dict[int, Tensor]:
    """Mean model input of the chosen features over the first ``count`` examples (the
    dashboard's ``dataset_mean`` baseline)."""
    rows: List[Tuple[Tensor, ...]] = []
    for inputs, _, _ in _examples(dataset, features):
        rows.append(inputs)
        if len(rows) >= count:
            break
    return {i: torch.stack([r[i] for r in rows]).float().mean(0) for i in indices if rows}


def model_device(model: nn.Module) -> torch.device:
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


def _predict(w: Workload, model: nn.Module, shard: Shard, device: torch.device) -> Tensor:
    args = stack_args(shard.args, device)
    with torch.inference_mode():
        out = model(*(x.to(device) for x in shard.inputs), *args)
        scores = w.score_func(out) if w.score_func is not None else out
    return scores.reshape(len(shard), -1).float().cpu()


def _targets(spec: JobSpec, labels: List[Optional[int]], predicted: Tensor) -> List[int]:
    if isinstance(spec.target, int):
        return [spec.target] * len(labels)
    if spec.target == "label":
        return [lab if lab is not None else int(p) for lab, p in zip(labels, predicted)]
    return [int(p) for p in predicted]


def _baselines(w: Workload, inputs: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
    out = []
    for i, f in enumerate(w.features):
        option = w.spec.baselines.get(f.name) or f.baseline_options()[0]
        out.append(f.baseline(option, inputs[i], w.means.get(i)))
    return tuple(out)


def _maps(w: Workload, out: Any) -> Dict[str, np.ndarray]:
    """Map key -> array: one per feature (text: one score per token), or per layer output."""
    if out.text_feature is not None:  # a text feature's embedding layer: per token, as the dashboard shows it
        return {w.features[out.text_feature].name: token_scores(out.attributions[0], False).float().numpy()}
    if out.layer is not None:
        keys = ["layer"] if len(out.attributions) == 1 else [f"layer.{k}" for k in range(len(out.attributions))]
        return {k: a.float().numpy() for k, a in zip(keys, out.attributions)}
    perturbation = w.spec.registered.family == "perturbation"
    return {f.name: (token_scores(a, perturbation) if f.kind == "text" else a).float().numpy()
            for f, a in zip(w.features, out.attributions)}


def attribute_batch(w: Workload, model: nn.Module, device: torch.device, inputs: Tuple[Tensor, ...],
                    args: List[Tuple], targets: List[int]) -> Tuple[Dict[str, np.ndarray], list, list]:
    """(maps, convergence deltas, deletion AUCs) of a batch of examples with the job's method."""
    spec = w.spec
    init, call = spec.split_args()
    out = run_method(model, device, w.features, spec.registered, init, call, inputs, _baselines(w, inputs), args,
                     torch.tensor(targets), spec.layer, spec.neuron, score_func=w.score_func)
    n = len(targets)
    delta: List[Optional[float]] = out.delta.tolist() if out.delta is not None else [None] * n  # per example
    auc = out.deletion_auc().tolist() if spec.faithfulness and out.deletion_auc is not None else [None] * n
    return _maps(w, out), delta, auc


def attribute_shard(w: Workload, shard: Shard, model: Optional[nn.Module] = None) -> ShardResult:
    """Rows and maps for one shard. The whole shard is one batch; if it fails, each example is
    attributed alone so one bad example is recorded with its error and the rest go on."""
    from attr_engine import Cancelled

    model = w.model if model is None else model
    device = model_device(model)
    scores = _predict(w, model, shard, device)
    predicted = scores.argmax(1)
    targets = _targets(w.spec, shard.labels, predicted)
    errors: List[Optional[str]] = [None] * len(shard)
    with _seeded(w.spec, shard.index):
        try:
            maps, delta, auc = attribute_batch(w, model, device, shard.inputs, shard.args, targets)
        except Cancelled:
            raise
        except Exception:
            maps, delta, auc = _one_by_one(w, model, device, shard, targets, errors)
    rows = {
        "index": list(range(shard.start, shard.start + len(shard))), "shard": [shard.index] * len(shard),
        "example_id": shard.ids, "label": shard.labels, "predicted": predicted.tolist(),
        "score": scores.gather(1, predicted[:, None]).reshape(-1).tolist(), "target": targets,
        "target_score": scores.gather(1, torch.tensor(targets)[:, None].clamp(max=scores.shape[1] - 1))
        .reshape(-1).tolist(),
        "total": [float(np.nansum(np.concatenate([m[k].reshape(-1) for m in maps.values()]))) if e is None
                  else None for k, e in enumerate(errors)],
        "delta": delta, "deletion_auc": auc, "error": errors,
    }
    dtype = np.dtype(w.spec.dtype)
    maps = {k: v.astype(dtype) for k, v in maps.items()}
    for f, x in zip(w.features, shard.inputs):  # token ids: the summaries' top tokens per class
        if f.kind == "text":
            maps[f"{f.name}.tokens"] = x.cpu().numpy().astype(np.int64)
    return ShardResult(shard.index, rows, maps)


def _one_by_one(w: Workload, model: nn.Module, device: torch.device, shard: Shard, targets: List[int],
                errors: List[Optional[str]]) -> Tuple[Dict[str, np.ndarray], list, list]:
    from attr_engine import Cancelled

    parts: List[Optional[Dict[str, np.ndarray]]] = []
    delta: list = []
    auc: list = []
    for k in range(len(shard)):
        try:
            m, d, a = attribute_batch(w, model, device, tuple(x[k:k + 1] for x in shard.inputs),
                                      shard.args[k:k + 1], targets[k:k + 1])
        except Cancelled:
            raise
        except Exception as exc:
            errors[k] = f"{type(exc).__name__}: {exc}"
            m, d, a = None, [None], [None]
        parts.append(m)
        delta += d
        auc += a
    template = next((m for m in parts if m is not None), None)
    if template is None:  # every example failed: nothing tells the maps' shapes
        return {}, delta, auc
    maps = {key: np.concatenate([m[key] if m is not None else np.full_like(t, np.nan) for m in parts])
            for key, t in template.items()}
    return maps, delta, auc


class _seeded:
    """A fixed seed per shard for stochastic methods, without touching the caller's generators."""

    def __init__(self, spec: JobSpec, index: int) -> None:
        self.on = spec.registered.stochastic
        self.seed = spec.seed + index

    def __enter__(self) -> None:
        if self.on:  # methods draw from torch's and numpy's global generators (Captum's order)
            _RNG.acquire()
            self._fork = torch.random.fork_rng()
            self._fork.__enter__()
            self._numpy = np.random.get_state()
            torch.manual_seed(self.seed)
            np.random.seed(self.seed)

    def __exit__(self, *exc: Any) -> None:
        if self.on:
            np.random.set_state(self._numpy)
            self._fork.__exit__(*exc)
            _RNG.release()
