"""Data-set jobs from the dashboard are bounded: a lane of their own (a queue of them never delays
another client's interactive job), the per-session cap, their cost against Limits, and the same
layer/neuron/argument checks as interactive jobs, before a job exists."""

import threading

import pytest
import torch

from insights import GeneralFeature, Limits
from insights.schema import contract as c
from insights.server import create_app, socketio
from insights.service import Service

from .conftest import AUTH, CLASSES, TOKEN, Tabular, collect, tabular_batches

GATE = {"open": threading.Event(), "entered": threading.Event()}  # module-level: data-set jobs copy the model


class WaitsUnderAttribution(Tabular):
    """Predicts at once, but an attribution (a forward with gradients) waits for the gate."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.requires_grad:
            GATE["entered"].set()
            assert GATE["open"].wait(60), "the test never opened the gate"
        return super().forward(x)


@pytest.fixture
def service():
    GATE.update(open=threading.Event(), entered=threading.Event())
    service = Service([Tabular(), WaitsUnderAttribution()], CLASSES, [GeneralFeature("x", list("abcd"))],
                      tabular_batches(), model_names=["fast", "waits"],
                      limits=Limits(max_jobs_per_session=2, max_dataset_passes=500))
    yield service
    GATE["open"].set()
    service.shutdown()


@pytest.fixture
def client(service, tmp_path):
    app = create_app({"tab": service}, token=TOKEN, config={"INSIGHTS_DATASET_ROOT": str(tmp_path)})
    return app.test_client(), app


def dataset_job(client, **request):
    return client.post("/api/w/tab/datasets", headers=AUTH, json={"method": "Saliency", **request})


def test_queued_data_set_jobs_never_delay_another_clients_interactive_job(service, client):
    http, app = client
    for name in ("a", "b"):  # the first waits in the gate, the second queues behind it
        r = dataset_job(http, name=name, model=1, limit=8)
        assert r.status_code == 202, r.json
    assert GATE["entered"].wait(30)  # the first is attributing: the data-set lane is busy
    other = socketio.test_client(app, query_string=f"token={TOKEN}")
    page = http.post("/api/w/tab/examples/page", headers=AUTH, json={"page_size": 1}).json
    ack = other.emit("run", {"workspace": "tab", "request": {"examples": [page["examples"][0]["id"]],
                                                            "method": "Saliency", "use_cache": False}}, callback=True)
    assert "job_id" in ack, ack
    assert collect(other, ack["job_id"])[-1][0] == "result"  # done while the data-set jobs wait
    states = [j.status for j in service.jobs.active("http")]
    assert sorted(states) == ["queued", "running"] and not GATE["open"].is_set()
    GATE["open"].set()
    other.disconnect()


def test_a_session_may_queue_only_so_many_data_set_jobs(service, client):
    http, _ = client
    for name in ("a", "b"):
        assert dataset_job(http, name=name, model=1, limit=8).status_code == 202
    r = dataset_job(http, name="c", model=1, limit=8)
    assert r.status_code == 429 and r.json["error"]["code"] == "too_many_jobs"
    assert "data-set jobs" in r.json["error"]["message"]
    page = http.post("/api/w/tab/examples/page", headers=AUTH, json={"page_size": 1}).json
    r = http.post("/api/w/tab/jobs", headers=AUTH, json={"examples": [page["examples"][0]["id"]],
                                                         "method": "Saliency"})
    assert r.status_code == 202  # interactive jobs have a cap of their own


def test_a_data_set_jobs_cost_is_counted_against_the_limits(client):
    http, _ = client
    r = dataset_job(http, name="ig", method="IntegratedGradients", args={"n_steps": 50})  # 50 x 40 > 500
    error = c.ErrorResponse.model_validate(r.json).error
    assert r.status_code == 400 and error.field == "limit" and "500 allowed" in error.message
    assert dataset_job(http, name="ig", method="IntegratedGradients", args={"n_steps": 50},
                       limit=10).status_code == 202  # 50 x 10


@pytest.mark.parametrize("request_,field", [
    ({"method": "LayerGradCam", "layer": "nope"}, "layer"),
    ({"method": "LayerGradCam", "layer": ""}, "layer"),
    ({"method": "NeuronGradient", "layer": "linear"}, "neuron"),
    ({"method": "NeuronGradient", "layer": "linear", "neuron": [3]}, "neuron"),
    ({"method": "IntegratedGradients", "args": {"n_steps": float("inf")}}, "args.n_steps"),
    ({"method": "NoiseTunnel", "args": {"stdevs": float("nan")}}, "args.stdevs"),
    ({"method": "Saliency", "workers": 64}, "workers"),
    ({"method": "Saliency", "model": 2}, "model"),
])
def test_bad_data_set_jobs_are_refused_before_they_exist(service, client, request_, field):
    http, _ = client
    r = dataset_job(http, name="x", **request_)
    assert r.status_code == 400 and r.json["error"]["field"] == field, r.json
    assert service.jobs.active("http") == []
