"""Run a data-set job: every example of a data set attributed by one method, into a store.

    report = run_job(model, features, batches, "runs/ig", method="IntegratedGradients",
                     args={"n_steps": 25}, executor="ray")       # or "local", workers=2
    pandas.read_parquet("runs/ig/rows")

Progress and cancel go through the engine's protocol: the job opens a ``task`` over its
examples in the active :class:`~attr_engine.ProgressMonitor` (the dashboard's job monitor, or
the command line's), and a cancel of that monitor stops the job at the next poll and cancels
its shards in flight. Started again on the same store, a job skips the committed shards.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Union

from torch import Tensor, nn

from attr_engine import Cancelled
from attr_engine.core.progress import task

from ..attribution import perturbed_units
from ..cache import weights_hash
from ..errors import InsightsError
from .executors import make_executor
from .spec import JobSpec, make_spec
from .store import Store
from .work import Workload, count_examples, dataset_means, iter_shards

STATUS_INTERVAL_S = 0.5


@dataclass
class JobReport:
    store: Path
    state: str  # done | cancelled
    done: int
    total: int
    errors: int
    seconds: float
    examples_per_s: float  # over the examples attributed by this run

    def to_json(self) -> Dict[str, Any]:
        return {**self.__dict__, "store": str(self.store)}


class Tracker:
    """The job's progress: committed examples plus fractions of the shards in flight. Workers
    call :meth:`update` from any thread; :meth:`tick` runs on the driver, reports to the engine
    task (which raises Cancelled on a cancel) and writes ``status.json``."""

    def __init__(self, store: Store, frame: Any, total: int, already: int, shard_size: int) -> None:
        self.store, self.frame, self.total, self.shard_size = store, frame, total, shard_size
        self.committed = already
        self.already = already
        self.errors = 0
        self.started = time.monotonic()
        self._fractions: Dict[int, float] = {}
        self._reported = 0.0
        self._written = 0.0
        self._lock = threading.Lock()
        frame.advance(already)

    def update(self, shard: int, fraction: float) -> None:
        with self._lock:
            self._fractions[shard] = min(max(fraction, 0.0), 1.0)

    def finished(self, shard: int, size: int, errors: int) -> None:
        with self._lock:
            self._fractions.pop(shard, None)
            self.committed += size
            self.errors += errors
        self.tick(force=True)

    @property
    def done(self) -> float:
        with self._lock:
            inflight = sum(f * self.shard_size for f in self._fractions.values())
        return min(self.committed + inflight, self.total)

    @property
    def rate(self) -> float:
        """Examples per second attributed by this run."""
        elapsed = time.monotonic() - self.started
        return (self.done - self.already) / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> Optional[float]:
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None

    def tick(self, force: bool = False) -> None:
        done = self.done
        if done > self._reported:
            self.frame.advance(done - self._reported)  # reports, and raises Cancelled if cancelled
            self._reported = done
        else:
            self.frame.monitor.check()
        if force or time.monotonic() - self._written >= STATUS_INTERVAL_S:
            self.write("running")

    def write(self, state: str, error: Optional[str] = None) -> None:
        self._written = time.monotonic()
        eta = self.eta
        self.store.write_status({
            "state": state, "done": self.committed, "total": self.total, "errors": self.errors,
            "examples_per_s": round(self.rate, 3), "eta_s": None if eta is None else round(eta, 1),
            "elapsed_s": round(time.monotonic() - self.started, 3), "pid": os.getpid(),
            "updated": time.time(), "error": error})


def manifest(spec: JobSpec, model: nn.Module, features: Sequence[Any], classes: Optional[Sequence[str]],
             total: int, meta: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    return {"version": 1, "spec": spec.to_json(), "weights": weights_hash(model),
            "model": type(model).__name__, "features": [{"name": f.name, "kind": f.kind} for f in features],
            "classes": list(classes) if classes is not None else None, "total": total, "meta": dict(meta or {})}


def _check_shapes(dataset: Any, features: Sequence[Any], spec: JobSpec) -> None:
    """Arguments that depend on the inputs' shapes (Occlusion's window) checked on the first
    example, as the dashboard's estimate does: a bad one fails the job now, not every example."""
    first = next(iter_shards(dataset, features, 1, 1), None)
    if first is None:
        return
    try:
        for f, x in zip(features, first.inputs):
            perturbed_units(x[0], f, spec.registered, spec.args)
    except InsightsError as exc:
        raise ValueError(exc.message) from None


def run_job(model: nn.Module, features: Sequence[Any], dataset: Any, store: Union[str, Path], *, method: str,
            args: Optional[Dict[str, Any]] = None, target: Union[str, int] = "label",
            baselines: Optional[Dict[str, str]] = None, layer: Optional[str] = None,
            neuron: Optional[Sequence[int]] = None, faithfulness: bool = False,
            classes: Optional[Sequence[str]] = None, score_func: Optional[Callable[[Tensor], Tensor]] = None,
            shard_size: int = 64, limit: Optional[int] = None, dtype: str = "float32", seed: int = 0,
            executor: Any = "local", workers: int = 1, address: Optional[str] = None,
            num_cpus: Optional[int] = None, meta: Optional[Dict[str, Any]] = None) -> JobReport:
    """Attribute every example of ``dataset`` (an iterable of Batch, or a callable returning
    one) and write the results to ``store``; resumes the job already there. Returns when done,
    or raises :class:`~attr_engine.Cancelled` after writing what was finished. ``meta`` (JSON)
    is kept in the manifest: where the job came from (an example's name, a workspace)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"`model` must be a torch.nn.Module, got {type(model).__name__}")
    features = list(features)
    if not features:
        raise ValueError("`features` must name at least one feature")
    spec = make_spec(method, features, args=args, target=target, baselines=baselines, layer=layer, neuron=neuron,
                     faithfulness=faithfulness, shard_size=shard_size, limit=limit, dtype=dtype, seed=seed,
                     classes=classes, model=model)
    runner = make_executor(executor, workers=workers, address=address, num_cpus=num_cpus)
    model = model.eval()
    total = count_examples(dataset, spec.limit)
    _check_shapes(dataset, features, spec)
    out = Store(store)
    out.open(manifest(spec, model, features, classes, total, meta))
    with out.hold():
        return _run(out, model, features, dataset, spec, score_func, runner, total)


def _run(out: Store, model: nn.Module, features: Sequence[Any], dataset: Any, spec: JobSpec,
         score_func: Optional[Callable[[Tensor], Tensor]], runner: Any, total: int) -> JobReport:
    done_shards = out.done_shards()
    already = sum(min(spec.shard_size, total - s * spec.shard_size) for s in done_shards)
    mean_features = [i for i, f in enumerate(features)
                     if (spec.baselines.get(f.name) or f.baseline_options()[0]) == "dataset_mean"]
    workload = Workload(model, features, spec, score_func,
                        dataset_means(dataset, features, mean_features) if mean_features else {})
    with task(total, "data-set job") as frame:
        tracker = Tracker(out, frame, total, already, spec.shard_size)
        tracker.write("running")
        try:
            shards = iter_shards(dataset, features, spec.shard_size, spec.limit, skip=done_shards)
            for result in runner.map(workload, shards, tracker):
                out.write_shard(result)
                tracker.finished(result.index, len(result), sum(e is not None for e in result.rows["error"]))
        except Cancelled:
            tracker.write("cancelled")
            raise
        except BaseException as exc:
            tracker.write("error", f"{type(exc).__name__}: {exc}")
            raise
        finally:
            close = getattr(runner, "close", None)
            if close is not None:
                close()
        tracker.write("done")
    seconds = time.monotonic() - tracker.started
    return JobReport(out.path, "done", tracker.committed, total, _errors(out), round(seconds, 3),
                     round(tracker.rate, 3))


def _errors(store: Store) -> int:
    table = store.table()
    return int(table.num_rows - table.column("error").null_count)
