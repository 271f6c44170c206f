"""The Ray executor on a real local Ray (2 CPUs, started once per test session): the same
store as the local executor, progress from the tasks, cancel through Ray, a dying worker."""

from __future__ import annotations

import threading
import time

import pytest

from attr_engine import Cancelled, ProgressMonitor
from insights.jobs import Store, run_job

from .conftest import assert_same_store
from .models import CLASSES, FEATURES, DiesOnce, Slow, Tabular, data

# one xdist worker runs them all (with --dist loadgroup), so one Ray starts per test session
pytestmark = [pytest.mark.ray, pytest.mark.xdist_group("ray")]

METHODS = {
    "IntegratedGradients": dict(method="IntegratedGradients", args={"n_steps": 8}, faithfulness=True),
    "FeatureAblation": dict(method="FeatureAblation", args={}),
    "GradientShap": dict(method="GradientShap", args={"n_samples": 4}, baselines={"x": "zeros"}),
}


def job(store, executor, model=None, **kwargs):
    options = dict(classes=CLASSES, shard_size=8, executor=executor)
    options.update(kwargs)
    return run_job(model or Tabular(), FEATURES, data(), store, **options)


@pytest.mark.parametrize("name", list(METHODS))
def test_ray_gives_the_local_executors_store(ray_local, tmp_path, name):
    job(tmp_path / "local", "local", **METHODS[name])
    report = job(tmp_path / "ray", "ray", **METHODS[name])
    assert report.done == 40 and ray_local.is_initialized()  # a Ray it did not start stays up
    assert_same_store(Store(tmp_path / "ray"), Store(tmp_path / "local"))


def test_a_task_whose_worker_dies_is_retried_without_loss_or_duplicates(ray_local, tmp_path):
    marker = tmp_path / "died"
    job(tmp_path / "ray", "ray", model=DiesOnce(str(marker)), **METHODS["IntegratedGradients"])
    assert marker.exists()  # a worker process did die
    job(tmp_path / "local", "local", **METHODS["IntegratedGradients"])
    assert_same_store(Store(tmp_path / "ray"), Store(tmp_path / "local"))


def test_progress_from_the_tasks_and_cancel_through_ray(ray_local, tmp_path):
    seen = []
    monitor = ProgressMonitor(on_progress=lambda done, total: seen.append(done))
    outcome = {}
    options = dict(method="IntegratedGradients", args={"n_steps": 64, "internal_batch_size": 4})

    def work():
        try:
            with monitor:
                job(tmp_path / "ray", "ray", model=Slow(0.03), **options)
        except Cancelled:
            outcome["cancelled"] = True

    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 60
    while not any(0 < d % 8 for d in seen) and time.monotonic() < deadline:  # a fraction of a shard
        time.sleep(0.02)
    assert any(0 < d % 8 for d in seen), seen
    monitor.cancel()
    thread.join(60)
    assert outcome.get("cancelled")  # before the slow model's job reached its end:
    store = Store(tmp_path / "ray")
    assert store.status()["state"] == "cancelled" and len(store.done_shards()) < 5
    job(tmp_path / "ray", "ray", **options)  # resumes
    job(tmp_path / "local", "local", **options)
    assert_same_store(store, Store(tmp_path / "local"))
