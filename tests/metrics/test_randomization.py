"""Model-randomisation sanity check: Spearman against scipy, and IG on a trained model."""

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr
from torch import nn

from attr_engine import IntegratedGradients, ProgressMonitor, Saliency
from attr_engine.metrics import model_randomization, spearman


def test_spearman_equals_scipy_with_ties():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 5, size=(6, 30)).astype(float)  # many ties
    b = a + rng.integers(0, 3, size=(6, 30))
    got = spearman(torch.tensor(a), torch.tensor(b))
    expected = [spearmanr(x, y).statistic for x, y in zip(a, b)]
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    assert torch.isnan(spearman(torch.ones(1, 4), torch.arange(4.0)[None]))[0]


@pytest.fixture(scope="module")
def trained():
    """An MLP trained until it depends on features 0–2 of 12."""
    torch.manual_seed(0)
    x = torch.randn(512, 12)
    y = (x[:, 0] + 2 * x[:, 1] - x[:, 2] > 0).long()
    model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    assert (model(x).argmax(1) == y).float().mean() > 0.95
    return model.eval(), x[:16]


def integrated_gradients(model, inputs, **kwargs):
    return IntegratedGradients(model).attribute(inputs, **kwargs)


def test_ig_decorrelates_once_the_trained_model_is_randomised(trained):
    model, inputs = trained
    result = model_randomization(model, integrated_gradients, inputs, seed=1, target=1, n_steps=16)
    assert result.layers == ["4", "2", "0"] and result.correlations.shape == (3, 16)
    assert result.correlations[-1].mean() < 0.5 < result.correlations[0].mean()  # falls as layers go


def test_reproducible_and_leaves_the_model_and_generator_alone(trained):
    model, inputs = trained
    weights = [p.detach().clone() for p in model.parameters()]
    state = torch.random.get_rng_state()
    explain = lambda m, x, **kw: Saliency(m).attribute(x, **kw)  # noqa: E731
    first = model_randomization(model, explain, inputs, layers=["4"], seed=3, absolute=False, target=0)
    second = model_randomization(model, explain, inputs, layers=["4"], seed=3, absolute=False, target=0)
    torch.testing.assert_close(first.correlations, second.correlations)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, w) for p, w in zip(model.parameters(), weights))


def test_progress_counts_every_attribution(trained):
    model, inputs = trained
    seen = []
    with ProgressMonitor(on_progress=lambda done, total: seen.append((done, total))):
        model_randomization(model, integrated_gradients, inputs, target=1, n_steps=4)
    assert seen[-1] == (4, 4)


@pytest.mark.parametrize("layers,match", [(["9"], "not a submodule"), ([], "empty"), (["1"], "not a submodule")])
def test_bad_layers(trained, layers, match):
    model, inputs = trained
    with pytest.raises(ValueError, match=match):
        model_randomization(model, integrated_gradients, inputs, layers=layers, target=1)
    with pytest.raises(TypeError, match="nn.Module"):
        model_randomization(lambda x: x, integrated_gradients, inputs)
