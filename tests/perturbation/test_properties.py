"""Axioms and slow obvious references: what the methods must satisfy whatever their sampling."""

import itertools
import math

import pytest
import torch
from torch import nn

import attr_engine
from tests.perturbation.cases import case, grouped_mask


class Additive(nn.Module):
    """f(x) = sum_i g_i(x_i) with nonlinear g_i, one output per example: its Shapley
    values are g_i(x_i) - g_i(b_i) exactly. Feature 4 is ignored."""

    def forward(self, x):
        g = torch.stack([x[:, 0] ** 2, torch.sin(3 * x[:, 1]), 2 * x[:, 2], torch.relu(x[:, 3]),
                         0 * x[:, 4]], 1)
        return g.sum(1)

    def terms(self, x):
        return torch.stack([x[:, 0] ** 2, torch.sin(3 * x[:, 1]), 2 * x[:, 2], torch.relu(x[:, 3]),
                            0 * x[:, 4]], 1)


def _inputs(n=3):
    return torch.randn(n, 5, generator=torch.Generator().manual_seed(3))


def _exact_additive(x, baseline):
    model = Additive()
    return model.terms(x) - model.terms(torch.full_like(x, baseline))


@pytest.mark.parametrize("method,kwargs", [
    ("ShapleyValues", {}),
    ("ShapleyValueSampling", {"n_samples": 3}),
    ("KernelShap", {"n_samples": 200}),
])
def test_shapley_methods_exact_on_additive_model(method, kwargs):
    x = _inputs()
    attributions = getattr(attr_engine, method)(Additive()).attribute(x, baselines=0.5, **kwargs)
    torch.testing.assert_close(attributions, _exact_additive(x, 0.5), rtol=1e-4, atol=1e-4)


def _brute_force_shapley(f, x, baseline, mask, n_feat):
    """Shapley values by definition: average marginal gain over all orderings."""
    phi = torch.zeros(n_feat)
    for order in itertools.permutations(range(n_feat)):
        z = baseline.clone()
        previous = f(z)
        for i in order:
            z[mask == i] = x[mask == i]
            current = f(z)
            phi[i] += current - previous
            previous = current
    return phi / math.factorial(n_feat)


def test_shapley_values_match_definition_and_efficiency():
    model, inputs, _ = case("mlp", batch=1)
    x, baseline, mask = inputs[0], torch.full((6,), 0.1), torch.tensor([0, 1, 2, 3, 4, 4])
    f = lambda z: model(z.unsqueeze(0))[0, 1]  # noqa: E731
    exact = attr_engine.ShapleyValues(model).attribute(inputs, baselines=0.1, target=1,
                                                       feature_mask=mask.unsqueeze(0))
    with torch.no_grad():
        expected = _brute_force_shapley(f, x, baseline, mask, 5)[mask]
    torch.testing.assert_close(exact[0], expected, rtol=1e-4, atol=1e-5)
    sampled = attr_engine.ShapleyValueSampling(model).attribute(inputs, baselines=0.1, target=1,
                                                                n_samples=4)
    with torch.no_grad():  # efficiency holds for every sample of permutations
        gap = f(x) - f(baseline)
    torch.testing.assert_close(sampled.sum(), gap, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(exact[0, :5].sum(), gap, rtol=1e-4, atol=1e-5)  # one per feature


def test_kernel_shap_efficiency_with_grouped_features():
    model, inputs, _ = case("cnn16", batch=1)
    mask = grouped_mask("cnn16")
    attributions = attr_engine.KernelShap(model).attribute(inputs, target=0, feature_mask=mask,
                                                           n_samples=80)
    with torch.no_grad():
        gap = model(inputs)[0, 0] - model(torch.zeros_like(inputs))[0, 0]
    per_feature = torch.stack([attributions[0][mask[0] == f][0] for f in range(5)])
    torch.testing.assert_close(per_feature.sum(), gap, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("surrogate", ["TorchLinearRegression", "SkLearnLinearRegression"])
def test_lime_recovers_linear_model(surrogate):
    weights = torch.tensor([1.5, -2.0, 0.5, 3.0, 0.0])
    model = lambda x: x @ weights  # noqa: E731
    x = _inputs(1)
    lime = attr_engine.Lime(model, interpretable_model=getattr(attr_engine, surrogate)())
    coefs = lime.attribute(x, n_samples=60, return_input_shape=False)
    torch.testing.assert_close(coefs.reshape(-1), weights * x[0], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("method", ["FeatureAblation", "FeaturePermutation"])
def test_ignored_feature_gets_zero(method):
    x = _inputs(6)
    attributions = getattr(attr_engine, method)(Additive()).attribute(x)
    assert torch.all(attributions[:, 4] == 0)
    assert torch.all(attributions[:, :4].abs().sum(0) > 0)


def test_feature_ablation_is_output_drop():
    """The slow obvious reference: ablate each feature in turn and watch the output."""
    model, inputs, _ = case("two_input")
    mask = grouped_mask("two_input")
    result = attr_engine.FeatureAblation(model).attribute(inputs, baselines=(0.2, -0.1), target=2,
                                                          feature_mask=mask)
    with torch.no_grad():
        full = model(*inputs)[:, 2]
        for f in range(5):
            ablated = tuple(torch.where(m == f, torch.tensor(b), t)
                            for t, m, b in zip(inputs, mask, (0.2, -0.1)))
            drop = full - model(*ablated)[:, 2]
            for r, m in zip(result, mask):
                where = (m == f).expand_as(r)
                expected = drop.view(-1, *([1] * (r.dim() - 1))).expand_as(r)[where]
                torch.testing.assert_close(r[where], expected)


def test_occlusion_is_mean_over_covering_windows():
    model, inputs, _ = case("mlp", batch=2)
    result = attr_engine.Occlusion(model).attribute(inputs, sliding_window_shapes=(3,), strides=(2,),
                                                    target=0)
    with torch.no_grad():
        full = model(inputs)[:, 0]
        total, count = torch.zeros_like(inputs), torch.zeros(6)
        for start in (0, 2, 4):  # windows [0,3), [2,5), [4,6) (cut at the edge)
            ablated = inputs.clone()
            ablated[:, start:start + 3] = 0
            total[:, start:start + 3] += (full - model(ablated)[:, 0]).unsqueeze(1)
            count[start:start + 3] += 1
    torch.testing.assert_close(result, total / count)


@pytest.mark.parametrize("method,kwargs", [
    ("FeatureAblation", {}),
    ("Occlusion", {"sliding_window_shapes": (3, 4, 4), "strides": (3, 3, 3)}),
    ("FeaturePermutation", {}),
    ("ShapleyValueSampling", {"n_samples": 3}),
    ("ShapleyValues", {}),
    ("Lime", {"n_samples": 30}),
    ("KernelShap", {"n_samples": 30}),
])
def test_auto_batching_equals_one_at_a_time(method, kwargs):
    model, inputs, _ = case("cnn16", batch=2)
    if method not in ("Occlusion", "FeaturePermutation"):
        kwargs = dict(kwargs, feature_mask=grouped_mask("cnn16", small=method == "ShapleyValues"))
    elif method == "FeaturePermutation":
        kwargs = dict(kwargs, feature_mask=grouped_mask("cnn16"))
    results = []
    for ppe in (1, "auto", 7):
        torch.manual_seed(1)
        results.append(getattr(attr_engine, method)(model).attribute(
            inputs, target=1, perturbations_per_eval=ppe, **kwargs))
    for other in results[1:]:
        torch.testing.assert_close(other, results[0], rtol=1e-5, atol=1e-6)
