"""The Python pieces the dashboard's front end relies on, tested without a browser: the module
"Copy as Python" scripts import (insights.snippets), the 0-1 deletion AUC and the layer shapes
the neuron picker offers. (The browser test runs a copied script against the dashboard too.)"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from attr_engine import IntegratedGradients, Occlusion
from insights.snippets import load_example

sys.path.insert(0, str(Path(__file__).parent))
import failing_server  # noqa: E402  (this directory's test server: a public-API visualizer)


@pytest.fixture(scope="module")
def visualizer():
    return failing_server.visualizer()


def test_load_example_gives_the_dashboards_numbers(visualizer):
    shown = visualizer.attribute("IntegratedGradients", 3, args={"n_steps": 20}, baselines={"pixels": "blur"},
                                 target="label", use_cache=False)
    for k, result in enumerate(shown):
        example = load_example(visualizer, index=k, baselines={"pixels": "blur"})
        assert example.inputs.shape == (1, 1, 8, 8) and example.extra(IntegratedGradients(example.model)) == {}
        mine = IntegratedGradients(example.model).attribute(example.inputs, baselines=example.baselines,
                                                            target=example.label, n_steps=20)
        torch.testing.assert_close(mine[0, 0], result.attributions["pixels"], rtol=1e-4, atol=1e-6)


def test_load_example_of_a_text_workspace_brings_the_embedding_forward_and_its_arguments():
    example = load_example("sentiment", index=0)
    ig, occlusion = IntegratedGradients(example.model), Occlusion(example.model)
    assert example.inputs.dim() == 3  # the embeddings of a batch of one
    assert set(example.extra(ig)) == {"additional_forward_args"}
    attributions = ig.attribute(example.inputs, baselines=example.baselines, target=1, **example.extra(ig))
    assert attributions.shape == example.inputs.shape and torch.isfinite(attributions).all()
    assert "feature_mask" not in example.extra(occlusion)


def test_load_example_says_what_it_takes():
    with pytest.raises(ValueError, match="not an example workspace"):
        load_example("main", index=0)
    with pytest.raises(TypeError, match="AttributionVisualizer"):
        load_example(42, index=0)


def test_deletion_auc_is_a_share_of_the_models_score_between_0_and_1(visualizer):
    result = visualizer.attribute("Saliency", 4, faithfulness=True, use_cache=False)
    aucs = [r.deletion_auc for r in result]
    assert all(0.0 <= a <= 1.0 for a in aucs), aucs


def test_the_description_gives_each_layers_output_shape(visualizer):
    (model, *_) = visualizer.service.info()["models"]
    assert model["layer_shapes"] == {"conv": [4, 8, 8], "fc": [2]}
