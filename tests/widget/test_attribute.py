"""AttributionVisualizer.attribute: the dashboard's results without a UI, as tensors and figures."""

from __future__ import annotations

import pytest
import torch

from .conftest import image_visualizer, tabular_visualizer


@pytest.fixture(scope="module")
def vis():
    v = image_visualizer()
    yield v
    v.service.shutdown()


def test_tensors_figures_and_targets(vis):
    out = vis.attribute("IntegratedGradients", 3, args={"n_steps": 16}, target="two", baselines={"pixels": "blur"})
    assert [r.target_name for r in out] == ["two"] * 3 and all(r.method == "IntegratedGradients" for r in out)
    heat = out.tensor("pixels")
    assert heat.shape == (3, 8, 8) and heat.dtype == torch.float32
    assert out[0].totals["pixels"] == pytest.approx(float(heat[0].sum()), abs=1e-4)
    assert out[0].delta is not None
    figures = out.figures()
    assert len(figures) == 3 and {t.type for t in figures[0].data} == {"image", "heatmap"}
    again = vis.attribute("IntegratedGradients", [r.example_id for r in out], args={"n_steps": 16},
                          target="two", baselines={"pixels": "blur"})
    torch.testing.assert_close(again.tensor(), heat)


def test_bad_arguments_raise_value_errors_naming_them(vis):
    with pytest.raises(ValueError, match="method"):
        vis.attribute("NoSuchMethod", 1)
    with pytest.raises(ValueError, match="n_steps"):
        vis.attribute("IntegratedGradients", 1, args={"n_steps": 0})
    with pytest.raises(ValueError, match="target"):
        vis.attribute("Saliency", 1, target="not a class")
    with pytest.raises(ValueError, match="examples"):
        vis.attribute("Saliency", 0)
    with pytest.raises(ValueError, match="baselines"):
        vis.attribute("IntegratedGradients", 1, baselines={"pixels": "nothing"})


def test_a_run_past_its_timeout_is_cancelled_and_a_failing_model_raises():
    vis = tabular_visualizer()  # a model taking 20 ms per call, and one that fails under attribution
    try:
        with pytest.raises(TimeoutError, match="cancelled"):
            vis.attribute("ShapleyValueSampling", 4, args={"perturbations_per_eval": 1}, timeout=0.3)
        with pytest.raises(RuntimeError, match="boom"):
            vis.attribute("Saliency", 2, models=[1])
    finally:
        vis.service.shutdown()


def test_text_and_layer_results_become_tensors_and_figures():
    from insights.serialization import encode_array
    from insights.widget.results import results_from_json

    row = {"example_id": "e", "model": 0, "method": "LayerIntegratedGradients", "target": 1, "target_name": "pos",
           "delta": 0.01, "cached": False,
           "features": [{"name": "review", "kind": "text", "total": 0.5,
                         "payload": {"kind": "text", "tokens": ["a", "good", "a"], "scores": [0.1, 0.5, -0.1]}},
                        {"name": "conv", "kind": "layer", "total": 6.0,
                         "payload": {"kind": "layer", "attribution": encode_array(torch.ones(2, 3, 1))}}]}
    result = results_from_json([row])[0]
    assert result.attributions["review"].tolist() == pytest.approx([0.1, 0.5, -0.1])
    assert result.attributions["conv"].shape == (2, 3, 1)
    bars = result.figure("review")
    assert sorted(bars.data[0].y) == ["0: a", "1: good", "2: a"]  # repeated tokens stay apart
    assert result.figure("conv").data[0].type == "heatmap"


def test_a_malformed_request_names_its_field():
    vis = tabular_visualizer()
    try:
        with pytest.raises(ValueError, match="^models"):
            vis.attribute("Saliency", 2, models=[])
    finally:
        vis.service.shutdown()
