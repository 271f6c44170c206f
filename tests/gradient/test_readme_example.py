"""The seeds' README walk-through reproduces its printed numbers (Captum 0.9's where they differ)."""

import numpy as np
import pytest
import torch
from torch import nn

import attr_engine


class ToyModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin1 = nn.Linear(3, 3)
        self.relu = nn.ReLU()
        self.lin2 = nn.Linear(3, 2)
        self.lin1.weight = nn.Parameter(torch.arange(-4.0, 5.0).view(3, 3))
        self.lin1.bias = nn.Parameter(torch.zeros(1, 3))
        self.lin2.weight = nn.Parameter(torch.arange(-3.0, 3.0).view(2, 3))
        self.lin2.bias = nn.Parameter(torch.ones(1, 2))

    def forward(self, input):
        return self.lin2(self.relu(self.lin1(input)))


def readme_script(lib):
    """The README's statements in the README's order, for either library."""
    model = ToyModel().eval()
    torch.manual_seed(123)
    np.random.seed(123)
    input = torch.rand(2, 3)
    baseline = torch.zeros(2, 3)
    out = {}
    out["ig"] = lib.IntegratedGradients(model).attribute(input, baseline, target=0, return_convergence_delta=True)
    baseline_dist = torch.randn(10, 3) * 0.001
    out["gs"] = lib.GradientShap(model).attribute(
        input, stdevs=0.09, n_samples=4, baselines=baseline_dist, target=0, return_convergence_delta=True)
    out["dl"] = lib.DeepLift(model).attribute(input, baseline, target=0, return_convergence_delta=True)
    out["dls"] = lib.DeepLiftShap(model).attribute(input, baseline_dist, target=0, return_convergence_delta=True)
    out["nt"] = lib.NoiseTunnel(lib.IntegratedGradients(model)).attribute(
        input, nt_type="smoothgrad", stdevs=0.02, nt_samples=4, baselines=baseline, target=0,
        return_convergence_delta=True)
    return out


@pytest.fixture(scope="module")
def ours():
    return readme_script(attr_engine)


def close4(tensor, expected):
    torch.testing.assert_close(tensor.detach(), torch.tensor(expected), atol=5e-5, rtol=0)


def test_integrated_gradients(ours):
    attributions, delta = ours["ig"]
    close4(attributions, [[-0.5922, -1.5497, -1.0067], [0.0000, -0.2219, -5.1991]])
    assert delta.shape == (2,) and delta.abs().max() < 1e-5


def test_deeplift(ours):
    attributions, delta = ours["dl"]
    close4(attributions, [[-0.5922, -1.5497, -1.0067], [0.0000, -0.2219, -5.1991]])
    assert torch.equal(delta, torch.zeros(2))


def test_gradient_shap(ours):
    attributions, delta = ours["gs"]
    close4(attributions, [[-0.1542, -1.6229, -1.5835], [-0.3916, -0.2836, -4.6851]])
    close4(delta, [0.0000, -0.0005, -0.0029, -0.0084, -0.0087, -0.0405, 0.0000, -0.0084])


def test_noise_tunnel(ours):
    attributions, delta = ours["nt"]
    close4(attributions, [[-0.4574, -1.5493, -1.0893], [0.0000, -0.2647, -5.1619]])
    assert delta.shape == (8,) and delta.abs().max() < 1e-5


def test_deeplift_shap_matches_captum_09(ours):
    import captum.attr

    attributions, delta = ours["dls"]
    close4(attributions, [[-0.5845, -1.5447, -1.0094], [0.0006, -0.2226, -5.1892]])
    theirs, their_delta = readme_script(captum.attr)["dls"]
    torch.testing.assert_close(attributions, theirs.detach(), rtol=1e-4, atol=1e-6)
    assert delta.shape == their_delta.shape == (20,)
    torch.testing.assert_close(delta, their_delta, rtol=0, atol=1e-5)


def test_whole_script_matches_captum(ours):
    import captum.attr

    theirs = readme_script(captum.attr)
    for key in ours:
        for a, b in zip(ours[key], theirs[key]):
            torch.testing.assert_close(a.detach(), b.detach(), rtol=1e-4, atol=1e-5)
