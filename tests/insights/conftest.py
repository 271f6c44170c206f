"""Fixtures: the example workspaces plus a small tabular one (with a model that fails under
attribution), a Flask test client and python-socketio test clients, all with the access token."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Tuple

import pytest
import torch
from torch import nn

from insights import Batch, GeneralFeature, Limits
from insights.cache import ResultCache
from insights.example import services as example_services
from insights.server import create_app, socketio
from insights.service import Service

TOKEN = "test-token-0123456789"
AUTH = {"X-Insights-Token": TOKEN}
CLASSES = ["low", "mid", "high"]


class Tabular(nn.Module):
    """A linear model that counts its forward calls (to prove cache hits skip it)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.linear = nn.Linear(4, 3)
        self.calls = 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return self.linear(x)


class FailsUnderAttribution(Tabular):
    """Predicts fine, but raises when asked for gradients: a user's model that breaks."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.requires_grad:
            raise RuntimeError("boom: this model cannot be attributed")
        return super().forward(x)


def tabular_batches():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(40, 4, generator=g)
    y = torch.randint(0, 3, (40,), generator=g)
    return [Batch(x[i:i + 8], y[i:i + 8]) for i in range(0, 40, 8)]


def tabular_service(cache=None, limits=None, dataset=None) -> Service:
    return Service([Tabular(), FailsUnderAttribution()], CLASSES, [GeneralFeature("x", list("abcd"))],
                   dataset if dataset is not None else tabular_batches(), model_names=["good", "failing"],
                   cache=cache, limits=limits or Limits(max_scan=50))


@pytest.fixture(scope="session")
def workspaces(tmp_path_factory):
    cache = ResultCache(tmp_path_factory.mktemp("cache") / "results.sqlite")
    services = example_services(cache=cache)
    services["tabular"] = tabular_service(cache)
    yield services
    for service in services.values():
        service.jobs.shutdown()


@pytest.fixture
def app(workspaces):
    return create_app(workspaces, token=TOKEN)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sio(app):
    clients = []

    def connect(**kwargs):
        kwargs.setdefault("query_string", f"token={TOKEN}")
        c = socketio.test_client(app, **kwargs)
        clients.append(c)
        return c

    yield connect
    for c in clients:
        if c.is_connected():
            c.disconnect()


def page_ids(client, workspace: str, n: int = 2, **body: Any) -> List[str]:
    r = client.post(f"/api/w/{workspace}/examples/page", json={"page_size": n, **body}, headers=AUTH)
    assert r.status_code == 200, r.json
    return [e["id"] for e in r.json["examples"]]


def run_request(workspace: str, **request: Any) -> Dict[str, Any]:
    return {"workspace": workspace, "request": request}


def collect(client, job_id: str, until=("result", "error", "cancelled"), timeout: float = 30.0
            ) -> List[Tuple[str, Dict[str, Any]]]:
    """This client's events for ``job_id`` until one of ``until`` arrives."""
    events: List[Tuple[str, Dict[str, Any]]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for packet in client.get_received():
            payload = packet["args"][0] if packet["args"] else {}
            if payload.get("job_id") == job_id:
                events.append((packet["name"], payload))
        if events and events[-1][0] in until:
            return events
        time.sleep(0.01)
    raise AssertionError(f"no {until} event for job {job_id} within {timeout}s: {events}")


def wait_status(service: Service, job_id: str, timeout: float = 30.0) -> Dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = service.job_state(job_id)
        if state["status"] not in ("queued", "running"):
            return state
        time.sleep(0.01)
    raise AssertionError(f"job {job_id} still {state['status']}")
