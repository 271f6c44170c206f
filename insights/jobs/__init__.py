"""Jobs: the backend's worker pool (:mod:`.pool`) and data-set-wide attribution jobs.

``from insights.jobs import Job, JobRunner`` keeps working: the pool is re-exported here. A
data-set job (:func:`run_job`) attributes every example of a data set with one registered
method, writing shard by shard to a resumable on-disk :class:`Store`, on a local thread pool or
on Ray; :mod:`.summaries` reads the store back; ``python -m insights.jobs`` is its command line.
"""

from .executors import LocalExecutor, RayExecutor
from .pool import PROGRESS_INTERVAL_S, Emit, Job, JobRunner
from .runner import JobReport, run_job
from .spec import JobSpec, make_spec
from .store import Store
from .summaries import summarize

__all__ = ["PROGRESS_INTERVAL_S", "Emit", "Job", "JobReport", "JobRunner", "JobSpec", "LocalExecutor",
           "RayExecutor", "Store", "make_spec", "run_job", "summarize"]
