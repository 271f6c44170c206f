"""Data-set jobs in the dashboard: one workspace's jobs on its worker pool, stores under a root.

The server's routes and socket handlers call :class:`DatasetJobs`; a job runs on the
workspace's :class:`~.pool.JobRunner` (the backend's worker pool) inside the job's engine
monitor, so progress and cancel are the same as for any dashboard job. Data-set jobs have a lane
of their own (one thread per workspace): a queue of them never delays another client's
interactive job. Each session may have ``Limits.max_jobs_per_session`` of them queued or
running, and each must cost at most ``Limits.max_dataset_passes`` example-evaluations. Its events are the
pool's, renamed ``dataset_progress``, ``dataset_result``, ``dataset_cancelled`` and
``dataset_error``; the ETA in progress events is the job's own (examples per second of this
run), right also for a resumed job.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

from attr_engine import REGISTRY

from ..attribution import perturbed_units
from ..errors import InsightsError, not_found
from ..estimate import passes_per_example
from .pool import DATASET, Emit
from .runner import run_job
from .spec import make_spec
from .store import Store
from .summaries import summarize
from .work import count_examples

MAX_SANITY_SAMPLE = 16


def _field(exc: Exception, args: Dict[str, Any]) -> str:
    """The request field a validation message names (``args.n_steps`` for a method argument)."""
    match = re.search(r"`(\w+)`", str(exc))
    name = match.group(1) if match else None
    if name is None:
        return "args"
    return f"args.{name}" if name in args else name


class DatasetJobs:
    def __init__(self, service: Any, root: Path) -> None:
        self.service = service
        self.root = Path(root)
        self._jobs: Dict[str, str] = {}  # store name -> its latest dashboard job
        self._lock = threading.Lock()

    def _target(self, req: Any) -> Any:
        if req.target is None:
            return "label" if self.service.use_label_for_attr else "predicted"
        if req.target.kind == "class":
            if req.target.class_name is None:
                raise InsightsError("a class target needs class_name", field="target.class_name")
            return req.target.class_name
        return req.target.kind

    def store(self, name: str, field: str = "name") -> Store:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name) or not Store(self.root / name).exists():
            raise not_found(f"no data-set job {name[:64]!r}", field)
        return Store(self.root / name)

    def start(self, session: str, req: Any, emit: Emit) -> Dict[str, Any]:
        """Validate the request as the dashboard's own jobs are (method, arguments, model, layer,
        neuron, cost against ``Limits``, the session's cap) and queue the job in the data-set lane."""
        service = self.service
        limits = service.limits
        service.check_models([req.model], "model")
        spec = REGISTRY.get(req.method)
        if spec is None:
            raise InsightsError(f"there is no method {req.method[:64]!r}; the methods are "
                                f"{', '.join(sorted(REGISTRY))}", field="method")
        init, call = service.check_args(spec, req.args)
        service.check_choices(req)
        first = service.store.template()
        service.check_layer(spec, req.layer, req.neuron, [req.model], {**init, **call}, first)
        module = service.models[req.model].module
        options = dict(method=req.method, args=dict(req.args), target=self._target(req), baselines=dict(req.baselines),
                       layer=req.layer, neuron=req.neuron, faithfulness=req.faithfulness, shard_size=req.shard_size,
                       limit=req.limit, dtype=req.dtype)
        try:
            make_spec(features=service.features, classes=service.classes, model=module, **options)
        except (ValueError, TypeError) as exc:
            raise InsightsError(str(exc).replace("`", ""), field=_field(exc, req.args)) from None
        if req.executor == "local" and req.workers > limits.max_dataset_workers:
            raise InsightsError(f"a data-set job may use at most {limits.max_dataset_workers} workers",
                                field="workers")
        self._check_cost(spec, req, first)
        if len(service.jobs.active(session, DATASET)) >= limits.max_jobs_per_session:
            raise InsightsError(f"at most {limits.max_jobs_per_session} data-set jobs may be queued or running at "
                                "once; wait for one to finish or cancel one first", code=429, kind="too_many_jobs")
        with self._lock:
            if self._running(req.name):
                raise InsightsError(f"data-set job {req.name!r} is already running", code=409, kind="conflict",
                                    field="name")
            path = self.root / req.name

            def work(job: Any) -> Dict[str, Any]:
                report = run_job(module, service.features, service.dataset, path, classes=service.classes,
                                 score_func=service.score_func, executor=req.executor, workers=req.workers,
                                 meta={"model": req.model}, **options)
                out = report.to_json()
                out.pop("store")
                return {"name": req.name, **out}

            def send(event: str, payload: Dict[str, Any]) -> None:
                if event == "progress":
                    status = Store(path).status() if path.is_dir() else None
                    if status and status.get("state") == "running":
                        payload = {**payload, "eta_s": status.get("eta_s")}
                emit(f"dataset_{event}", payload)

            job = service.jobs.submit(session, work, send, lane=DATASET)
            self._jobs[req.name] = job.id
        return {"job_id": job.id, "name": req.name}

    def _check_cost(self, spec: Any, req: Any, first: Any) -> None:
        """The job's estimated example-evaluations (per example, as the dashboard's estimate counts
        them, times the examples it attributes) within ``Limits.max_dataset_passes``."""
        service, budget = self.service, self.service.limits.max_dataset_passes
        sizes = [perturbed_units(x, f, spec, dict(req.args)) for f, x in zip(service.features, first.inputs)]
        per_example = passes_per_example(spec, dict(req.args), sizes) * (2 if req.faithfulness else 1)
        affordable = budget // per_example + 1  # counting stops there: a huge data set is not read whole
        try:
            examples = count_examples(service.dataset, min(req.limit or affordable, affordable))
        except (TypeError, ValueError) as exc:
            raise InsightsError(str(exc), code=500, kind="dataset_error") from None
        if per_example * examples > budget:
            raise InsightsError(f"This job needs about {per_example * examples:,} model evaluations or more, more "
                                f"than the {budget:,} allowed: attribute fewer examples (limit), or choose fewer "
                                "steps or samples.", field="limit")

    def _running(self, name: str) -> bool:
        job_id = self._jobs.get(name)
        if job_id is None:
            return False
        try:
            return self.service.jobs.get(job_id).status in ("queued", "running")
        except InsightsError:  # the pool forgot it: long finished
            return False

    def status(self, name: str) -> Dict[str, Any]:
        store = self.store(name)
        manifest = store.manifest()
        table = store.table()
        state = store.status() or {}
        current = store.state()  # "stopped" at once when the process running it went away
        return {"name": name, "method": manifest["spec"]["method"], "model": manifest["meta"].get("model", 0),
                "done": table.num_rows,
                "total": manifest["total"], "errors": int(table.num_rows - table.column("error").null_count),
                "state": current, "examples_per_s": state.get("examples_per_s"), "eta_s": state.get("eta_s"),
                "job_id": self._jobs.get(name)}

    def list(self) -> Dict[str, List[Dict[str, Any]]]:
        names = sorted(p.name for p in self.root.iterdir() if (p / "manifest.json").is_file()) \
            if self.root.is_dir() else []
        return {"datasets": [self.status(n) for n in names]}

    def summary(self, name: str, compare: Optional[str] = None, top: int = 10, worst: int = 10,
                sanity: int = 0) -> Dict[str, Any]:
        store = self.store(name)
        other = self.store(compare, "compare") if compare else None
        if not 0 <= sanity <= MAX_SANITY_SAMPLE:
            raise InsightsError(f"sanity must be between 0 and {MAX_SANITY_SAMPLE}", field="sanity")
        service = self.service
        entry = service.models[store.manifest()["meta"].get("model", 0)]
        try:
            with entry.lock:  # the check re-initialises a copy, but attributes the shared model too
                return summarize(store, other=other, classes=service.classes, top=top, worst=worst,
                                 model=entry.module, features=service.features, dataset=service.dataset,
                                 sample=sanity)
        except ValueError as exc:
            raise InsightsError(str(exc), field="compare") from None
