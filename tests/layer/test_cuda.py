"""Layer and neuron methods on a CUDA device: Captum's numbers there, the CPU's numbers, and
DataParallel with explicit `device_ids`. Skipped where no GPU is present (CI)."""

import numpy as np
import pytest
import torch
from torch import nn

import attr_engine
import captum.attr
from tests.conformance_helpers import hook_count
from tests.layer.models import layer_case
from tests.parity import assert_close

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

CALLS = {
    "LayerActivation": {},
    "LayerGradientXActivation": {"target": 1},
    "LayerConductance": {"target": [0, 1, 2, 1], "n_steps": 12, "return_convergence_delta": True},
    "InternalInfluence": {"target": 1, "n_steps": 12},
    "LayerGradCam": {"target": 1},
    "LayerIntegratedGradients": {"target": 1, "n_steps": 12, "return_convergence_delta": True},
    "LayerDeepLift": {"target": 1, "return_convergence_delta": True},
    "LayerFeatureAblation": {"target": 1, "perturbations_per_eval": 16},
    "NeuronGradient": {"neuron_selector": (2, 1, 1)},
    "NeuronConductance": {"neuron_selector": (2, 1, 1), "target": 1, "n_steps": 12},
    "NeuronIntegratedGradients": {"neuron_selector": (2, 1, 1), "n_steps": 12},
    "NeuronDeepLift": {"neuron_selector": (2, 1, 1)},
    "NeuronFeatureAblation": {"neuron_selector": (2, 1, 1), "perturbations_per_eval": 16},
}


def on_cpu(result):
    if isinstance(result, torch.Tensor):
        return result.detach().cpu()
    return type(result)(on_cpu(r) for r in result)


def run(lib, name, model, layer, x, **init):
    torch.manual_seed(0)
    np.random.seed(0)
    return getattr(lib, name)(model, layer, **init).attribute(x, **CALLS[name])


@pytest.mark.parametrize("name", list(CALLS))
def test_cuda_matches_captum_and_cpu(name):
    model, x, _, layer = layer_case("cnn_pool")
    cpu = run(attr_engine, name, model, layer, x)
    model, x = model.cuda(), x.cuda()
    ours = run(attr_engine, name, model, layer, x)
    assert_close(ours, run(captum.attr, name, model, layer, x), atol=1e-5)
    assert_close(on_cpu(ours), cpu, rtol=1e-3, atol=1e-5)
    assert hook_count(model) == 0


@pytest.mark.parametrize("name", ["LayerIntegratedGradients", "LayerConductance", "NeuronConductance",
                                  "LayerGradientXActivation"])
def test_cuda_data_parallel_with_device_ids(name):
    model, x, _, layer = layer_case("cnn_pool")
    model, x = model.cuda(), x.cuda()
    plain = run(attr_engine, name, model, layer, x)
    init = {} if name == "LayerDeepLift" else {"device_ids": [0]}
    parallel = run(attr_engine, name, nn.DataParallel(model, device_ids=[0]), layer, x, **init)
    assert_close(parallel, plain, atol=1e-5)


def test_cuda_embedding_layer_integrated_gradients():
    model, tokens, _, layer = layer_case("text")
    model, tokens = model.cuda(), tokens.cuda()
    kw = {"baselines": 0, "target": 1, "n_steps": 16}
    assert_close(attr_engine.LayerIntegratedGradients(model, layer).attribute(tokens, **kw),
                 captum.attr.LayerIntegratedGradients(model, layer).attribute(tokens, **kw), atol=1e-5)
