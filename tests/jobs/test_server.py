"""Data-set jobs through the server: Socket.IO events, HTTP endpoints, cancel and resume, errors;
every answer checked against the wire contract."""

from __future__ import annotations

import time

import pytest

from insights.schema import contract as c
from insights.server import create_app, socketio
from insights.service import Service

from .models import CLASSES, FEATURES, Slow, Tabular, data

TOKEN = "dataset-token-0123456789"
AUTH = {"X-Insights-Token": TOKEN}


@pytest.fixture
def app(tmp_path):
    services = {"tab": Service([Tabular(), Slow(0.05)], CLASSES, FEATURES, data(), model_names=["fast", "slow"])}
    yield create_app(services, token=TOKEN, config={"INSIGHTS_DATASET_ROOT": str(tmp_path)})
    services["tab"].shutdown()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sio(app):
    client = socketio.test_client(app, query_string=f"token={TOKEN}")
    yield client
    if client.is_connected():
        client.disconnect()


def events(client, job_id, until, timeout=30.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for packet in client.get_received():
            payload = packet["args"][0] if packet["args"] else {}
            if payload.get("job_id") == job_id:
                seen.append((packet["name"], payload))
        if seen and seen[-1][0] in until:
            return seen
        time.sleep(0.01)
    raise AssertionError(f"no {until} for {job_id}: {seen}")


def run(sio, **request):
    request.setdefault("name", "ig")
    ack = sio.emit("run_dataset", {"workspace": "tab", "request": request}, callback=True)
    assert "job_id" in ack, ack
    return c.DatasetJobAccepted.model_validate(ack).job_id


def test_a_job_streams_progress_then_its_result_and_is_summarised(client, sio):
    job = run(sio, method="IntegratedGradients", args={"n_steps": 8}, faithfulness=True, shard_size=8)
    seen = events(sio, job, ("dataset_result", "dataset_error"))
    assert seen[-1][0] == "dataset_result", seen
    result = c.DatasetResultEvent.model_validate(seen[-1][1])
    assert result.done == result.total == 40 and result.name == "ig"
    progress = [c.ProgressEvent.model_validate(p) for name, p in seen if name == "dataset_progress"]
    assert progress and progress[-1].fraction == 1.0
    assert [p.fraction for p in progress] == sorted(p.fraction for p in progress)

    other = run(sio, name="saliency", method="Saliency")
    assert events(sio, other, ("dataset_result", "dataset_error"))[-1][0] == "dataset_result"
    listing = c.DatasetList.model_validate(client.get("/api/w/tab/datasets", headers=AUTH).json)
    assert [(d.name, d.done, d.state) for d in listing.datasets] == [("ig", 40, "done"), ("saliency", 40, "done")]
    r = client.get("/api/w/tab/datasets/ig/summary?compare=saliency&sanity=4&worst=3", headers=AUTH)
    assert r.status_code == 200, r.json
    summary = c.DatasetSummary.model_validate(r.json)
    assert summary.done == 40 and summary.agreement.count == 40 and summary.sanity.layers == ["fc2", "fc1"]
    assert len(summary.faithfulness.worst) == 3 and summary.class_maps["x"][0].mean.shape == [6]


def test_cancel_then_start_again_resumes(client, sio):
    job = run(sio, model=1, method="IntegratedGradients", args={"n_steps": 8, "internal_batch_size": 8},
              shard_size=4)
    deadline = time.monotonic() + 30
    while client.get("/api/w/tab/datasets", headers=AUTH).json["datasets"] == [] or \
            client.get("/api/w/tab/datasets/ig", headers=AUTH).json["done"] == 0:  # a shard is committed
        assert time.monotonic() < deadline
        time.sleep(0.02)
    ack = sio.emit("cancel", {"workspace": "tab", "job_id": job}, callback=True)
    assert ack["job_id"] == job
    assert events(sio, job, ("dataset_cancelled", "dataset_result"))[-1][0] == "dataset_cancelled"
    status = c.DatasetStatus.model_validate(client.get("/api/w/tab/datasets/ig", headers=AUTH).json)
    assert status.state == "cancelled" and 0 < status.done < 40
    again = run(sio, model=1, method="IntegratedGradients", args={"n_steps": 8, "internal_batch_size": 8},
                shard_size=4)
    seen = events(sio, again, ("dataset_result", "dataset_error"), timeout=60)
    first = next(p for name, p in seen if name == "dataset_progress")
    assert first["done"] >= status.done  # it went on from where it stopped
    assert seen[-1][0] == "dataset_result" and seen[-1][1]["done"] == 40


@pytest.mark.parametrize("request_, field", [
    ({"name": "x", "method": "Nope"}, "method"),
    ({"name": "x", "method": "IntegratedGradients", "args": {"n_steps": 0}}, "args.n_steps"),
    ({"name": "../up", "method": "Saliency"}, "request.name"),
    ({"name": "x", "method": "Saliency", "baselines": {"x": "nope"}}, "baselines.x"),
    ({"name": "x", "method": "Saliency", "model": 5}, "model"),
    ({"name": "x", "method": "Saliency", "executor": "spark"}, "request.executor"),
])
def test_bad_requests_are_refused_naming_the_field(sio, request_, field):
    ack = sio.emit("run_dataset", {"workspace": "tab", "request": request_}, callback=True)
    body = c.ErrorResponse.model_validate(ack)
    assert body.error.field == field, body


def test_http_endpoints_need_the_token_and_name_unknown_stores(client):
    assert client.get("/api/w/tab/datasets").status_code == 401
    r = client.get("/api/w/tab/datasets/missing/summary", headers=AUTH)
    assert r.status_code == 404 and r.json["error"]["field"] == "name"
    assert client.get("/api/w/tab/datasets/x/summary?top=0", headers=AUTH).status_code in (400, 404)
    r = client.post("/api/w/tab/datasets", json={"name": "http", "method": "Saliency", "limit": 8}, headers=AUTH)
    assert r.status_code == 202, r.json
    job = r.json["job_id"]
    deadline = time.monotonic() + 30
    while client.get(f"/api/w/tab/jobs/{job}", headers=AUTH).json["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    status = c.DatasetStatus.model_validate(client.get("/api/w/tab/datasets/http", headers=AUTH).json)
    assert status.done == status.total == 8 and status.state == "done"
    assert client.get("/api/w/tab/datasets/http/summary?top=x", headers=AUTH).json["error"]["field"] == "top"
