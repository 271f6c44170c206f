"""Layer and neuron ablation as Captum users call it (issue 19): layer baselines shaped like
one example or a column per example, 0-d and float masks; compared with Captum 0.9."""

import pytest
import torch
from torch import nn

import attr_engine
import captum.attr
from tests.parity import assert_close


def net():
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def both(name, model, layer, *args, **kwargs):
    return [getattr(lib, name)(model, layer).attribute(*args, **kwargs)
            for lib in (attr_engine, captum.attr)]


def linear3():
    m = nn.Linear(3, 2, bias=False)
    with torch.no_grad():
        m.weight.copy_(torch.tensor([[1.0, 2, 3], [-1, -2, -3]]))
    return m


@pytest.mark.parametrize("inputs,baseline", [
    (torch.tensor([[20.0, 50.0, 30.0]]), torch.tensor([1.0, 2.0])),
    (torch.tensor([[20.0, 50.0, 30.0], [1.0, 2.0, 3.0]]), torch.tensor([[1.0], [2.0]])),
    (torch.tensor([[20.0, 50.0, 30.0], [1.0, 2.0, 3.0]]), torch.tensor(3.0)),
], ids=["example", "column", "0d"])
def test_layer_feature_ablation_broadcast_layer_baselines(inputs, baseline):
    m = linear3()
    ours, theirs = both("LayerFeatureAblation", m, m, inputs, layer_baselines=baseline, target=0)
    assert_close(ours, theirs)


def test_layer_feature_ablation_issue_numbers():
    m = linear3()
    ours = attr_engine.LayerFeatureAblation(m, m).attribute(
        torch.tensor([[20.0, 50.0, 30.0]]), layer_baselines=torch.tensor([1.0, 2.0]), target=0)
    torch.testing.assert_close(ours, torch.tensor([[209.0, 0.0]]))


@pytest.mark.parametrize("baseline", [torch.tensor([10.0, -1.0, 3.0]), torch.tensor([[1.0], [2.0]])],
                         ids=["example", "column"])
def test_neuron_feature_ablation_broadcast_baselines(baseline):
    model = net()
    x = torch.randn(2, 3)
    ours, theirs = both("NeuronFeatureAblation", model, model[1], x, 1, baselines=baseline)
    assert_close(ours, theirs)


@pytest.mark.parametrize("mask", [torch.tensor(0), (torch.tensor(0), torch.tensor(1)),
                                  torch.tensor([0.0, 0.0, 1.0]), torch.tensor([[0, 1, 1]])],
                         ids=["0d", "0d_tuple", "float", "row"])
def test_neuron_feature_ablation_masks(mask):
    model = net()
    x = torch.randn(2, 3)
    if isinstance(mask, tuple):
        forward = lambda a, b: model(a + b)  # noqa: E731
        inputs = (x, x)
    else:
        forward, inputs = model, x
    ours, theirs = both("NeuronFeatureAblation", forward, model[1], inputs, 1, feature_mask=mask)
    assert_close(ours, theirs)
