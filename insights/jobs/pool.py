"""Jobs: attribution work off the request thread, with progress, cancel and one outcome.

:class:`JobRunner` is the seam where a distributed runner could replace local threads: it
takes a callable and an event sink and owns nothing else. A job's work receives the job and
runs its attributions inside ``with job.monitor:``; the engine's :class:`ProgressMonitor`
reports each finished chunk, and ``job.cancel()`` makes the next chunk boundary raise.
"""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Dict, List, Optional

from attr_engine import Cancelled, ProgressMonitor

from ..errors import InsightsError, not_found

Emit = Callable[[str, Dict[str, Any]], None]

PROGRESS_INTERVAL_S = 0.2  # a few events per second, whatever the chunk rate


INTERACTIVE = "interactive"  # the lane of the dashboard's own jobs
DATASET = "dataset"  # the lane of data-set jobs (insights.jobs.dashboard)


class Job:
    def __init__(self, session: str, emit: Emit, units: int = 1, lane: str = INTERACTIVE) -> None:
        self.id = uuid.uuid4().hex[:16]
        self.session = session
        self.lane = lane
        self.status = "queued"  # queued | running | done | error | cancelled
        self.units = max(units, 1)
        self.unit = 0
        self.done, self.total = 0.0, 0  # within the current unit, as the engine reports it
        self.fraction = 0.0
        self.result: Optional[Dict[str, Any]] = None
        self.error: Optional[Dict[str, Any]] = None
        self.partials: List[Dict[str, Any]] = []
        self.started = time.monotonic()
        self.monitor = ProgressMonitor(on_progress=self._on_progress)
        self._emit = emit
        self._last_emit = 0.0
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()
        self.monitor.cancel()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled("job cancelled")

    def start_unit(self, index: int) -> None:
        """Begin the ``index``-th of ``units`` equal parts of the job (one model's attribution)."""
        self.check()
        self.unit, self.done, self.total = index, 0.0, 0
        self._progress(index / self.units, force=True)

    def _on_progress(self, done: float, total: int) -> None:
        self.done, self.total = done, total
        self._progress((self.unit + min(done / max(total, 1), 1.0)) / self.units)

    def _progress(self, fraction: float, force: bool = False) -> None:
        self.fraction = max(fraction, self.fraction)  # never backwards, whatever a method's tasks do
        now = time.monotonic()
        if not force and now - self._last_emit < PROGRESS_INTERVAL_S:
            return
        self._last_emit = now
        self.emit("progress", self.progress())

    def progress(self) -> Dict[str, Any]:
        elapsed = time.monotonic() - self.started
        eta = elapsed * (1 - self.fraction) / self.fraction if self.fraction > 0 else None
        return {"job_id": self.id, "fraction": round(self.fraction, 4), "done": round(self.done, 2),
                "total": self.total, "unit": self.unit,
                "units": self.units, "elapsed_s": round(elapsed, 3),
                "eta_s": None if eta is None else round(eta, 3)}

    def partial(self, payload: Dict[str, Any]) -> None:
        self.partials.append(payload)
        self.emit("partial", {"job_id": self.id, **payload})

    def emit(self, event: str, payload: Dict[str, Any]) -> None:
        try:
            self._emit(event, payload)
        except Exception:  # a vanished client must not fail the job
            pass

    def state(self) -> Dict[str, Any]:
        return {"job_id": self.id, "status": self.status, "progress": self.progress(),
                "result": self.result, "error": self.error}


class JobRunner:
    """Small thread pools running jobs; jobs are grouped by session for cancel-on-disconnect.

    Each lane has threads of its own (``workers`` for interactive jobs, ``lanes`` names the others,
    e.g. ``{"dataset": 1}``), so a queue in one lane never delays a job of another; one registry
    of jobs serves them all (state, cancel, sessions)."""

    def __init__(self, workers: int = 2, keep: int = 64, lanes: Optional[Dict[str, int]] = None) -> None:
        self._pools = {name: ThreadPoolExecutor(max_workers=n, thread_name_prefix=f"insights-{name}")
                       for name, n in {INTERACTIVE: workers, **(lanes or {})}.items()}
        self._jobs: Dict[str, Job] = {}
        self._keep = keep
        self._lock = threading.Lock()

    def submit(self, session: str, work: Callable[[Job], Dict[str, Any]], emit: Emit,
               units: int = 1, lane: str = INTERACTIVE) -> Job:
        if lane not in self._pools:
            raise ValueError(f"`lane` must be one of {sorted(self._pools)}, got {lane!r}")
        job = Job(session, emit, units, lane)
        with self._lock:
            self._jobs[job.id] = job
            self._forget_old()
        self._pools[lane].submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Job], Dict[str, Any]]) -> None:
        job.status = "running"
        job.started = time.monotonic()
        try:
            job.check()
            with job.monitor:
                result = work(job)
        except Cancelled:
            job.status = "cancelled"
            job.emit("cancelled", {"job_id": job.id})
            return
        except InsightsError as exc:
            job.status, job.error = "error", exc.to_json()["error"]
        except Exception as exc:  # the user's model failed: report it, keep serving
            job.status = "error"
            job.error = {"code": "model_error", "message": f"{type(exc).__name__}: {exc}", "field": None}
        else:
            job.status, job.result = "done", result
            job.fraction = 1.0
            job.emit("progress", job.progress())
            job.emit("result", {"job_id": job.id, **result})
            return
        job.emit("error", {"job_id": job.id, "error": job.error})

    def get(self, job_id: str, session: Optional[str] = None) -> Job:
        job = self._jobs.get(job_id)
        if job is None or (session is not None and job.session != session):
            raise not_found(f"unknown job {job_id!r}", "job_id")
        return job

    def active(self, session: str, lane: Optional[str] = None) -> List[Job]:
        """The session's queued and running jobs (of one lane, when given)."""
        return [j for j in list(self._jobs.values())
                if j.session == session and j.status in ("queued", "running") and lane in (None, j.lane)]

    def cancel_all(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel()

    def cancel_session(self, session: str) -> None:
        for job in self.active(session):
            job.cancel()

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status in ("done", "error", "cancelled")]
        for key in finished[: max(len(self._jobs) - self._keep, 0)]:
            del self._jobs[key]

    def shutdown(self) -> None:
        self.cancel_all()
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
