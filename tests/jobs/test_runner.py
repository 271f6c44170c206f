"""Data-set jobs on the local executor: the store, resume after a kill or a crash, cancel,
progress, failing examples, determinism, and clear errors for bad arguments."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from attr_engine import Cancelled, ProgressMonitor
from insights.jobs import Store, run_job
from insights.jobs.store import Store as StoreClass

from .conftest import assert_same_store
from .models import CLASSES, FEATURES, Picky, Slow, Tabular, data

ROOT = Path(__file__).resolve().parents[2]
IG = dict(method="IntegratedGradients", args={"n_steps": 8, "internal_batch_size": 4})


def job(store, model=None, dataset=None, **kwargs):
    options = dict(IG, classes=CLASSES, shard_size=4)
    options.update(kwargs)
    return run_job(model or Tabular(), FEATURES, dataset if dataset is not None else data(), store, **options)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted run of the job that the resume tests interrupt."""
    path = tmp_path_factory.mktemp("reference") / "store"
    job(path)
    return Store(path)


def test_store_is_read_by_pandas_and_matches_a_direct_attribution(reference):
    from attr_engine import IntegratedGradients

    rows = pd.read_parquet(reference.path / "rows").sort_values("index")
    assert len(rows) == 40 and rows["error"].isna().all() and rows["delta"].notna().all()
    maps = reference.maps("x")
    assert maps.shape == (40, 6)
    x = torch.cat([b.inputs for b in data()])
    labels = torch.cat([b.labels for b in data()])
    expected = IntegratedGradients(Tabular()).attribute(x[:4], target=labels[:4], n_steps=8)
    np.testing.assert_allclose(maps[:4], expected.numpy(), rtol=1e-5, atol=1e-7)
    assert list(rows["target"]) == labels.tolist()  # target="label"
    np.testing.assert_allclose(rows["total"], maps.sum(1), rtol=1e-5, atol=1e-6)
    manifest = reference.manifest()
    assert manifest["total"] == 40 and manifest["spec"]["method"] == "IntegratedGradients"
    assert reference.status()["state"] == "done"


def test_resume_after_the_job_process_is_killed(tmp_path, reference):
    store = Store(tmp_path / "store")
    process = subprocess.Popen([sys.executable, "-m", "tests.jobs.models", str(store.path)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if store.exists() and len(store.done_shards()) >= 2:
                break
            time.sleep(0.02)
        assert process.poll() is None, process.stderr.read().decode()
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(10)
    killed_at = store.done_shards()
    assert 2 <= len(killed_at) < 10
    assert store.status()["state"] == "running"  # it never got to say anything else,
    assert store.state() == "stopped"  # but its lock died with it: readers know at once
    job(store.path)
    assert_same_store(store, reference)


def test_resume_after_a_crash_between_maps_and_rows(tmp_path, reference, monkeypatch):
    path = tmp_path / "store"
    original = StoreClass.write_shard

    def crash_on_shard_3(self, result):
        if result.index == 3:
            np.save(self.path / "maps" / "x" / "00003.npy", np.full((4, 6), 7.0, np.float32))
            (self.path / "rows" / ".00003.parquet.tmp").write_bytes(b"half a file")
            raise OSError("disk went away")
        original(self, result)

    monkeypatch.setattr(StoreClass, "write_shard", crash_on_shard_3)
    with pytest.raises(OSError):
        job(path)
    store = Store(path)
    assert 3 not in store.done_shards() and store.status()["state"] == "error"
    assert len(store.rows()) == len(store.maps("x"))  # readers see committed shards only
    monkeypatch.setattr(StoreClass, "write_shard", original)
    job(path)
    assert_same_store(store, reference)


def test_cancel_through_the_engine_monitor_then_resume(tmp_path, reference):
    path = tmp_path / "store"
    seen = []
    monitor = ProgressMonitor(on_progress=lambda done, total: seen.append((done, total)))
    outcome = {}

    def work():
        try:
            with monitor:
                job(path, model=Slow(0.05))
        except Cancelled as exc:
            outcome["cancelled"] = exc

    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 30
    while not any(done > 0 for done, _ in seen) and time.monotonic() < deadline:
        time.sleep(0.01)
    monitor.cancel()
    thread.join(60)
    assert "cancelled" in outcome  # the slow model's job had most of its shards still to run:
    store = Store(path)
    assert store.status()["state"] == "cancelled" and len(store.done_shards()) < 10
    job(path)
    assert_same_store(store, reference)


def test_progress_reports_done_and_total_to_the_end(tmp_path):
    seen = []
    with ProgressMonitor(on_progress=lambda done, total: seen.append((done, total))):
        report = job(tmp_path / "store", workers=2)
    assert report.done == report.total == 40 and report.state == "done"
    assert {total for _, total in seen} == {40}
    dones = [done for done, _ in seen]
    assert dones == sorted(dones) and dones[-1] == 40
    status = Store(tmp_path / "store").status()
    assert status["done"] == 40 and status["examples_per_s"] > 0


def test_a_failing_example_is_recorded_and_the_job_goes_on(tmp_path):
    poisoned = data(poison=(5, 17))
    report = job(tmp_path / "bad", model=Picky(), dataset=poisoned)
    assert report.state == "done" and report.errors == 2
    store = Store(tmp_path / "bad")
    rows = store.rows()
    failed = rows[rows["error"].notna()]
    assert list(failed["index"]) == [5, 17] and failed["error"].str.contains("poisoned example").all()
    maps = store.maps("x")
    assert np.isnan(maps[[5, 17]]).all() and not np.isnan(np.delete(maps, [5, 17], 0)).any()
    job(tmp_path / "good", dataset=poisoned)  # same weights, a model that never fails
    good = Store(tmp_path / "good").maps("x")
    np.testing.assert_allclose(np.delete(maps, [5, 17], 0), np.delete(good, [5, 17], 0), rtol=1e-5, atol=1e-7)


def test_stochastic_methods_give_the_same_numbers_on_any_number_of_workers(tmp_path):
    options = dict(method="GradientShap", args={"n_samples": 4}, baselines={"x": "zeros"})
    job(tmp_path / "one", **options)
    job(tmp_path / "two", workers=2, **options)
    assert_same_store(Store(tmp_path / "one"), Store(tmp_path / "two"))


def test_float16_maps_and_faithfulness(tmp_path):
    job(tmp_path / "store", method="Saliency", args={}, dtype="float16", faithfulness=True, target="predicted",
        limit=10)
    store = Store(tmp_path / "store")
    rows = store.rows()
    assert len(rows) == 10 and rows["deletion_auc"].notna().all() and rows["delta"].isna().all()
    assert (rows["target"] == rows["predicted"]).all()
    assert store.maps("x").dtype == np.float16


def test_a_text_model_stores_one_score_per_token(tmp_path):
    from insights.example.workspaces import sentiment

    spec = sentiment()
    run_job(spec["models"][0], spec["features"], spec["dataset"], tmp_path / "store", method="Saliency",
            classes=spec["classes"], limit=20, shard_size=10)
    store = Store(tmp_path / "store")
    scores, tokens = store.maps("review"), store.maps("review.tokens")
    assert scores.shape == tokens.shape and tokens.dtype == np.int64


def test_text_token_scores_are_the_ones_the_dashboard_shows(tmp_path):
    from insights.example.workspaces import service, sentiment
    from insights.schema import contract as c
    from tests.insights.conftest import wait_status

    spec = sentiment()
    run_job(spec["models"][0], spec["features"], spec["dataset"], tmp_path / "store", method="FeatureAblation",
            classes=spec["classes"], limit=2, shard_size=2, target="label")
    stored = Store(tmp_path / "store").maps("review")
    dashboard = service("sentiment")
    try:
        first = dashboard.page(c.PageRequest(page_size=1))["examples"][0]["id"]
        job = dashboard.start_job("s", c.AttributionRequest(examples=[first], method="FeatureAblation",
                                                            use_cache=False), lambda *_: None)
        shown = wait_status(dashboard, job["job_id"])["result"]["results"][0]["features"][0]["payload"]["scores"]
    finally:
        dashboard.shutdown()
    np.testing.assert_allclose(stored[0][:len(shown)], shown, rtol=1e-4, atol=1e-6)



def test_deletion_auc_is_the_one_the_dashboard_shows(tmp_path):
    """On the workspace's score (softmax here), as a share of the intact score: in [0, 1]."""
    from insights.example.workspaces import digits, service
    from insights.schema import contract as c
    from tests.insights.conftest import wait_status

    spec = digits()
    softmax = service("digits").score_func
    run_job(spec["models"][0], spec["features"], spec["dataset"], tmp_path / "store", method="Saliency",
            classes=spec["classes"], limit=2, shard_size=2, target="label", faithfulness=True, score_func=softmax)
    stored = Store(tmp_path / "store").rows()["deletion_auc"]
    dashboard = service("digits")
    try:
        first = dashboard.page(c.PageRequest(page_size=1))["examples"][0]["id"]
        job = dashboard.start_job("s", c.AttributionRequest(examples=[first], method="Saliency", faithfulness=True,
                                                            use_cache=False), lambda *_: None)
        shown = wait_status(dashboard, job["job_id"])["result"]["results"][0]["deletion_auc"]
    finally:
        dashboard.shutdown()
    assert 0.0 <= shown <= 1.0
    assert stored[0] == pytest.approx(shown, rel=1e-5)

BAD = [
    (dict(method="Nope"), ValueError, "`method`"),
    (dict(args={"n_steps": 0}), ValueError, "n_steps"),
    (dict(args={"bogus": 1}), ValueError, "bogus"),
    (dict(target="nope"), ValueError, "`target`"),
    (dict(target=7), ValueError, "`target`"),
    (dict(baselines={"y": "zeros"}), ValueError, "`baselines`"),
    (dict(baselines={"x": "blurred"}), ValueError, "`baselines`"),
    (dict(method="LayerConductance", args={}), ValueError, "`layer`"),
    (dict(method="LayerConductance", args={}, layer="nope"), ValueError, "`layer`"),
    (dict(shard_size=0), ValueError, "`shard_size`"),
    (dict(limit=0), ValueError, "`limit`"),
    (dict(method="Occlusion", args={"sliding_window_shapes": [2, 2]}), ValueError, "sliding_window_shapes"),
    (dict(dtype="int8"), ValueError, "`dtype`"),
    (dict(executor="spark"), ValueError, "`executor`"),
    (dict(workers=0), ValueError, "`workers`"),
    (dict(dataset=iter(data())), TypeError, "`dataset`"),
    (dict(dataset=[1, 2]), TypeError, "`dataset`"),
    (dict(model="a model"), TypeError, "`model`"),
]


@pytest.mark.parametrize("kwargs, error, name", BAD, ids=[b[2] + str(i) for i, b in enumerate(BAD)])
def test_bad_arguments_raise_clear_errors(tmp_path, kwargs, error, name):
    model = kwargs.pop("model", None)
    with pytest.raises(error, match=name):
        if model is not None:
            run_job(model, FEATURES, data(), tmp_path / "s", **IG)
        else:
            job(tmp_path / "s", **kwargs)


def test_a_store_holding_another_job_is_refused(tmp_path):
    job(tmp_path / "store", limit=4)
    with pytest.raises(ValueError, match="different job"):
        job(tmp_path / "store", limit=4, args={"n_steps": 9})
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a job store"):
        job(tmp_path / "other")
    assert json.loads((tmp_path / "store" / "manifest.json").read_text())["spec"]["args"]["n_steps"] == 8
    assert os.listdir(tmp_path / "other") == ["notes.txt"]


def test_a_running_job_reads_as_running_and_a_second_run_of_its_store_is_refused(tmp_path):
    path = tmp_path / "store"
    started, release = threading.Event(), threading.Event()

    class Gated(Slow):
        """Waits, mid-job, until the test has looked at the store."""

        def forward(self, x):
            if x.requires_grad:
                started.set()
                release.wait(60)
            return super().forward(x)

    outcome = {}
    thread = threading.Thread(target=lambda: outcome.setdefault("report", job(path, model=Gated(0.0))))
    thread.start()
    try:
        assert started.wait(60)
        store = Store(path)
        assert store.state() == "running" and store.held()
        with pytest.raises(ValueError, match="another process is running the job"):
            job(path)
    finally:
        release.set()
        thread.join(60)
    assert outcome["report"].state == "done" and Store(path).state() == "done" and not Store(path).held()
