"""Models stay on their own device: the service moves inputs there and results back.

Skipped where no CUDA device is present (CI); run on a GPU machine with
``pytest tests/insights/test_device.py``."""

import pytest
import torch

from insights.example import services
from insights.schema import contract as c

from .conftest import wait_status

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.fixture(scope="module")
def on_cuda():
    workspaces = services()
    for service in workspaces.values():
        for entry in service.models:
            entry.module.to("cuda")
    yield workspaces
    for service in workspaces.values():
        service.shutdown()


@pytest.mark.parametrize("workspace,method,extra", [
    ("digits", "IntegratedGradients", {"faithfulness": True}),
    ("digits", "LayerGradCam", {"layer": "conv2"}),
    ("digits", "Occlusion", {}),
    ("sentiment", "IntegratedGradients", {}),
    ("sentiment", "LayerIntegratedGradients", {"layer": "embedding"}),
    ("signals", "GradientShap", {}),
    ("signals", "FeatureAblation", {}),
])
def test_attribution_on_cuda_matches_cpu(on_cuda, workspace, method, extra):
    service = on_cuda[workspace]
    assert str(service.models[0].device).startswith("cuda")
    page = service.page(c.PageRequest(page_size=4))
    ids = [e["id"] for e in page["examples"]]
    request = c.AttributionRequest(examples=ids, method=method, use_cache=False, **extra)
    torch.manual_seed(0)
    state = wait_status(service, service.start_job("gpu", request, lambda *a: None)["job_id"])
    assert state["status"] == "done", state["error"]
    service.models[0].module.to("cpu")
    try:
        torch.manual_seed(0)
        cpu = wait_status(service, service.start_job("cpu", request, lambda *a: None)["job_id"])
    finally:
        service.models[0].module.to("cuda")
    if method == "GradientShap":  # random draws differ between devices; compare shapes only
        assert len(state["result"]["results"]) == len(cpu["result"]["results"])
        return
    for gpu_row, cpu_row in zip(state["result"]["results"], cpu["result"]["results"]):
        for g, h in zip(gpu_row["features"], cpu_row["features"]):
            assert g["total"] == pytest.approx(h["total"], rel=1e-3, abs=1e-3)
