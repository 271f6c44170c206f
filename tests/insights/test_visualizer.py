"""The Python API: AttributionVisualizer in Captum's argument order, serve() and stop(), several models."""

import json
import urllib.request

import pytest
import torch

from insights import AttributionVisualizer, Batch, GeneralFeature, ImageFeature
from insights.schema import contract as c

from .conftest import CLASSES, Tabular, tabular_batches, wait_status


def test_serve_prints_a_tokenised_loopback_url_and_stops(tmp_path, capsys):
    vis = AttributionVisualizer([Tabular()], CLASSES, [GeneralFeature("x", list("abcd"))], tabular_batches(),
                                None, True, cache_path=tmp_path / "c.sqlite")
    port = vis.serve(port=None)
    try:
        assert vis.url in capsys.readouterr().out and vis.url.startswith(f"http://127.0.0.1:{port}/?token=")
        with urllib.request.urlopen(vis.url.replace("/?", "/api/w/main/info?"), timeout=10) as r:
            assert json.loads(r.read())["models"][0]["name"] == "Tabular"
        with pytest.raises(RuntimeError, match="already running"):
            vis.serve()
    finally:
        vis.stop()
    assert vis.serve() > 0  # after stop(), serving again is fine
    vis.stop()


def test_models_are_compared_on_the_same_examples():
    first, second = Tabular(), Tabular()
    with torch.no_grad():
        second.linear.weight.mul_(-1)
    vis = AttributionVisualizer([first, second], CLASSES, GeneralFeature("x", list("abcd")),
                                lambda: iter(tabular_batches()), score_func=lambda o: o.softmax(-1),
                                use_label_for_attr=False, model_names=["a", "b"], cache=False)
    service = vis.service
    page = service.page(c.PageRequest(page_size=2))
    assert [len(e["predictions"]) for e in page["examples"]] == [2, 2]
    assert all(0 <= s["score"] <= 1 for e in page["examples"] for p in e["predictions"] for s in p["top"])
    request = c.AttributionRequest(examples=[e["id"] for e in page["examples"]], models=[0, 1],
                                   method="InputXGradient")
    job = service.start_job("s", request, lambda *a: None)["job_id"]
    result = c.JobResult.model_validate(wait_status(service, job)["result"])
    assert [r.model for r in result.results] == [0, 0, 1, 1]
    by_model = {r.model: r for r in result.results if r.example_id == result.results[0].example_id}
    # predicted-class targets (use_label_for_attr=False) come from each model's own prediction
    assert by_model[0].features[0].total != by_model[1].features[0].total
    service.shutdown()


def test_api_refuses_empty_models_and_features():
    with pytest.raises(ValueError, match="models"):
        AttributionVisualizer([], CLASSES, [GeneralFeature("x", list("abcd"))], [], cache=False)
    with pytest.raises(ValueError, match="features"):
        AttributionVisualizer(Tabular(), CLASSES, [], [], cache=False)
    with pytest.raises(TypeError, match="name"):
        ImageFeature("", None, None)


def test_dataset_of_the_wrong_type_is_a_clear_error():
    vis = AttributionVisualizer(Tabular(), CLASSES, GeneralFeature("x", list("abcd")), [torch.zeros(2, 4)],
                                cache=False)
    with pytest.raises(Exception, match="must yield Batch"):
        vis.service.page(c.PageRequest())


def test_additional_args_are_split_per_example_and_passed_back():
    class Scaled(torch.nn.Module):
        def forward(self, x, scale):
            return x[:, :3] * scale.unsqueeze(1)

    x = torch.rand(6, 4)
    batches = [Batch(x, torch.zeros(6, dtype=torch.long), additional_args=(torch.arange(1.0, 7.0),))]
    vis = AttributionVisualizer(Scaled(), CLASSES, GeneralFeature("x", list("abcd")), batches, cache=False)
    page = vis.service.page(c.PageRequest(page_size=6))
    ids = [e["id"] for e in page["examples"]]
    job = vis.service.start_job("s", c.AttributionRequest(examples=ids, method="Saliency",
                                                          args={"abs": False}), lambda *a: None)["job_id"]
    result = wait_status(vis.service, job)["result"]
    scores = [r["features"][0]["payload"]["scores"][0] for r in result["results"]]
    assert scores == pytest.approx([1, 2, 3, 4, 5, 6])
    vis.service.shutdown()
