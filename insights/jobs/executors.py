"""Where shards run: a local thread pool, or Ray. Neither schedules anything itself.

An executor's :meth:`map` takes the job's :class:`~.work.Workload` and an iterator of shards
and yields each :class:`~.work.ShardResult` as it completes (in any order); the runner, on the
driver, writes it. Progress inside a shard goes through the engine's ProgressMonitor to
``progress.update(shard, fraction)``; ``progress.tick()`` (on the driver, a few times a second) reports
upward and raises ``Cancelled`` when the job is cancelled, which closes the generator: its
``finally`` cancels the shards in flight through the engine (threads) or through Ray.
"""

from __future__ import annotations

import copy
import functools
import queue
import uuid
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Dict, Iterator, Optional, Tuple

from attr_engine import ProgressMonitor

from .work import Shard, ShardResult, Workload, attribute_shard

POLL_S = 0.2


class LocalExecutor:
    """Shards on ``workers`` threads, each with its own copy of the model (methods hook modules)."""

    def __init__(self, workers: int = 1) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"`workers` must be a positive integer, got {workers!r}")
        self.workers = workers

    def map(self, workload: Workload, shards: Iterator[Shard], progress: Any) -> Iterator[ShardResult]:
        models: "queue.Queue[Any]" = queue.Queue()
        for _ in range(self.workers):
            models.put(copy.deepcopy(workload.model))
        monitors: Dict[int, ProgressMonitor] = {}

        def run(shard: Shard) -> ShardResult:
            model = models.get()
            monitor = monitors[shard.index]
            try:
                with monitor:
                    return attribute_shard(workload, shard, model)
            finally:
                models.put(model)

        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="insights-shard")
        running: Dict[Future, Shard] = {}
        source, exhausted = iter(shards), False
        try:
            while running or not exhausted:
                while not exhausted and len(running) <= self.workers:  # one queued behind the busy ones
                    shard = next(source, None)
                    if shard is None:
                        exhausted = True
                        break
                    monitors[shard.index] = ProgressMonitor(
                        on_progress=lambda done, total, i=shard.index: progress.update(i, done / max(total, 1)))
                    running[pool.submit(run, shard)] = shard
                if not running:
                    break
                finished, _ = wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
                progress.tick()
                for future in finished:
                    monitors.pop(running.pop(future).index, None)
                    yield future.result()
        finally:
            for monitor in monitors.values():
                monitor.cancel()
            pool.shutdown(wait=True, cancel_futures=True)


def _board_class() -> type:
    """The progress board, a Ray actor with no CPU of its own that the tasks report to. Defined
    in a function so that Ray ships the class by value: its process starts without importing
    torch. One board per driver and Ray session, shared by its jobs (keyed by job token)."""

    class ProgressBoard:
        def __init__(self) -> None:
            self.fractions: Dict[str, Dict[int, float]] = {}

        def update(self, job: str, shard: int, fraction: float) -> None:
            self.fractions.setdefault(job, {})[shard] = fraction

        def snapshot(self, job: str) -> Dict[int, float]:
            return dict(self.fractions.get(job, {}))

        def forget(self, job: str) -> None:
            self.fractions.pop(job, None)

    return ProgressBoard


def _ray_shard(workload: Workload, shard: Shard, board: Any, job: str) -> ShardResult:
    """A Ray task: one shard, its progress sent to the board actor at most every POLL_S."""
    import time

    last = [0.0]

    def report(done: float, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= POLL_S:
            last[0] = now
            board.update.remote(job, shard.index, done / max(total, 1))

    with ProgressMonitor(on_progress=report):
        return attribute_shard(workload, shard)


@functools.lru_cache(maxsize=1)
def _remote(session: str) -> Tuple[Any, Any]:
    """The Ray task and the progress board, made once per Ray session of this driver: new ones
    per job would be exported and started again, which costs seconds per job. Holding the
    board's handle here keeps the actor alive between jobs."""
    import ray

    return ray.remote(num_cpus=1)(_ray_shard), ray.remote(num_cpus=0)(_board_class()).remote()


class RayExecutor:
    """Shards as Ray tasks. ``address=None`` starts a local Ray (``num_cpus`` of this machine,
    default all), an address joins that cluster; a Ray already initialised in this process is
    used as it is. The workload (the model's weights) is put in the object store once; a task
    whose worker dies is retried by Ray (``max_retries``), and since only the driver writes a
    task's returned result, a retry neither loses nor duplicates examples."""

    def __init__(self, address: Optional[str] = None, num_cpus: Optional[int] = None, max_retries: int = 3) -> None:
        try:
            import ray  # noqa: F401
        except ImportError:
            raise ImportError("executor='ray' needs Ray: pip install 'attr-insights[ray]'") from None
        if num_cpus is not None and (isinstance(num_cpus, bool) or not isinstance(num_cpus, int) or num_cpus < 1):
            raise ValueError(f"`num_cpus` must be a positive integer or None, got {num_cpus!r}")
        self.address, self.num_cpus, self.max_retries = address, num_cpus, max_retries
        self._started = False

    def _init(self) -> Any:
        import ray

        if not ray.is_initialized():
            ray.init(address=self.address or "local", num_cpus=self.num_cpus if not self.address else None,
                     include_dashboard=False, log_to_driver=False, configure_logging=False)
            self._started = True
        return ray

    def map(self, workload: Workload, shards: Iterator[Shard], progress: Any) -> Iterator[ShardResult]:
        ray = self._init()
        slots = max(int(ray.cluster_resources().get("CPU", 1)), 1) + 1
        workload_ref = ray.put(workload)  # weights go to the object store once
        context = ray.get_runtime_context()
        shard_task, board = _remote(f"{context.get_node_id()}/{context.get_job_id()}")
        job = uuid.uuid4().hex
        task = shard_task.options(max_retries=self.max_retries)
        running: Dict[Any, int] = {}
        try:
            source = iter(shards)
            exhausted = False
            while running or not exhausted:
                while not exhausted and len(running) < slots:
                    shard = next(source, None)
                    if shard is None:
                        exhausted = True
                    else:
                        running[task.remote(workload_ref, shard, board, job)] = shard.index
                if not running:
                    break
                finished, _ = ray.wait(list(running), num_returns=1, timeout=POLL_S)
                for index, fraction in ray.get(board.snapshot.remote(job)).items():
                    if index in running.values():
                        progress.update(index, fraction)
                progress.tick()
                for ref in finished:
                    running.pop(ref)
                    yield ray.get(ref)
        finally:
            for ref in running:
                ray.cancel(ref)
            board.forget.remote(job)

    def close(self) -> None:
        if self._started:
            import ray

            ray.shutdown()
            self._started = False


def make_executor(executor: Any = "local", *, workers: int = 1, address: Optional[str] = None,
                  num_cpus: Optional[int] = None) -> Any:
    if not isinstance(executor, str):
        if hasattr(executor, "map"):
            return executor
        raise TypeError(f"`executor` must be 'local', 'ray' or an executor object, got {executor!r}")
    if executor == "local":
        return LocalExecutor(workers)
    if executor == "ray":
        return RayExecutor(address, num_cpus if num_cpus is not None else (workers if workers > 1 else None))
    raise ValueError(f"`executor` must be 'local' or 'ray', got {executor!r}")
