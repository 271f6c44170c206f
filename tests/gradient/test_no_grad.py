"""Gradient methods enable gradients themselves, as Captum's do (issue 19, item 6): called
under ``torch.no_grad()`` (as metrics such as ``sensitivity_max`` call them) they give the
same numbers as outside it, and as Captum 0.9."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum import metrics as captum_metrics
from torch import nn

import attr_engine
import captum.attr
from attr_engine.metrics import sensitivity_max
from tests.parity import assert_close

X = torch.tensor([[1.5, 2.0, 3.3]])


class ShiftedRelu(nn.Module):
    """A model without submodules: ``relu(x - 1)`` summed (functional ReLU, no hooks)."""

    def forward(self, x):
        return F.relu(x - 1).sum(1)


def net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def test_deep_lift_under_no_grad_issue_numbers():
    with torch.no_grad():
        ours = attr_engine.DeepLift(ShiftedRelu()).attribute(X)
        theirs = captum.attr.DeepLift(ShiftedRelu()).attribute(X)
    torch.testing.assert_close(ours, torch.tensor([[1.5, 2.0, 3.3]]))
    assert_close(ours, theirs)


CALLS = {
    "DeepLift": {},
    "DeepLiftShap": {"baselines": torch.zeros(2, 3)},
    "IntegratedGradients": {"n_steps": 8},
    "Saliency": {},
    "InputXGradient": {},
    "GuidedBackprop": {},
    "Deconvolution": {},
    "GradientShap": {"baselines": torch.zeros(2, 3), "n_samples": 3},
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_gradient_methods_under_no_grad_match_captum(name):
    x = torch.randn(2, 3)
    results = []
    for lib, grad in ((attr_engine, False), (attr_engine, True), (captum.attr, False)):
        torch.manual_seed(0)
        np.random.seed(0)
        with torch.set_grad_enabled(grad):
            results.append(getattr(lib, name)(net()).attribute(x, target=1, **CALLS[name]))
    assert_close(results[0], results[1])
    assert_close(results[0], results[2])


def test_noise_tunnel_around_deep_lift_under_no_grad():
    with torch.no_grad():
        torch.manual_seed(0)
        ours = attr_engine.NoiseTunnel(attr_engine.DeepLift(net())).attribute(
            torch.randn(2, 3), target=0, nt_samples=3)
    assert ours.shape == (2, 3) and not ours.requires_grad


def test_sensitivity_max_of_deep_lift_matches_captum():
    x = torch.randn(2, 3)
    results = []
    for lib, metric in ((attr_engine, sensitivity_max), (captum.attr, captum_metrics.sensitivity_max)):
        torch.manual_seed(3)
        results.append(metric(lib.DeepLift(net()).attribute, x, target=0,
                              n_perturb_samples=4))
    assert_close(results[0], results[1])
