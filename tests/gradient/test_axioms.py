"""Axioms and slow references: completeness, linear-model identities, DeepLift's rules by hand."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import attr_engine
from tests.models import make_case


@pytest.mark.parametrize("case", ["mlp", "cnn", "two_input"])
def test_integrated_gradients_completeness_improves_with_steps(case):
    model, inputs, _ = make_case(case)
    ig = attr_engine.IntegratedGradients(model)
    errors = [ig.attribute(inputs, target=1, n_steps=n, return_convergence_delta=True)[1].abs().max().item()
              for n in (4, 16, 64, 256)]
    assert errors == sorted(errors, reverse=True)
    assert errors[-1] < errors[0] / 20


# (the Softmax rule and functional nonlinearities such as x * x are not complete by design)
@pytest.mark.parametrize("case", ["mlp", "cnn", "two_input"])
def test_deeplift_completeness(case):
    model, inputs, args = make_case(case)
    baselines = 0.1 if isinstance(inputs, torch.Tensor) else (0.1, -0.2)
    _, delta = attr_engine.DeepLift(model).attribute(
        inputs, baselines, target=2, additional_forward_args=args, return_convergence_delta=True)
    assert delta.abs().max() < 1e-4


def test_gradient_shap_on_linear_model_is_input_minus_expected_baseline_times_weight():
    torch.manual_seed(0)
    model = nn.Linear(5, 2)
    x = torch.randn(3, 5)
    baselines = torch.randn(40, 5)
    attributions = attr_engine.GradientShap(model).attribute(x, baselines, n_samples=4000, target=1)
    expected = (x - baselines.mean(0)) * model.weight[1].detach()
    torch.testing.assert_close(attributions, expected, atol=0.05, rtol=0)
    # with one baseline the identity is exact, whatever the random points on the path
    exact = attr_engine.GradientShap(model).attribute(x, baselines[:1].expand(2, 5), n_samples=3, target=1)
    torch.testing.assert_close(exact, (x - baselines[0]) * model.weight[1].detach(), rtol=1e-5, atol=1e-6)


def deeplift_reference(layers, x, b, target):
    """DeepLift Rescale by hand for a chain of modules: multipliers propagated layer by layer."""
    xs, bs = [x], [b]
    with torch.no_grad():
        for layer in layers:
            xs.append(layer(xs[-1]))
            bs.append(layer(bs[-1]))
        grad = torch.zeros_like(xs[-1])
        grad[:, target] = 1
        for i in reversed(range(len(layers))):
            layer, xin, bin_, xout, bout = layers[i], xs[i], bs[i], xs[i + 1], bs[i + 1]
            d_in = xin - bin_
            if isinstance(layer, nn.ReLU):
                true = grad * (xin > 0)
                grad = torch.where(d_in.abs() < 1e-10, true, grad * (xout - bout) / d_in)
            elif isinstance(layer, nn.MaxPool2d):
                _, ix = F.max_pool2d(xin, 2, return_indices=True)
                _, ib = F.max_pool2d(bin_, 2, return_indices=True)
                top = torch.max(xout, bout)
                size = xin.shape[-2:]
                spread = (F.max_unpool2d(grad * (top - bout), ix, 2, output_size=size)
                          + F.max_unpool2d(grad * (xout - top), ib, 2, output_size=size))
                true = F.max_unpool2d(grad, ix, 2, output_size=size)
                grad = torch.where(d_in.abs() < 1e-10, true, spread / d_in)
            else:  # linear in its input: the multiplier is the Jacobian's transpose
                with torch.enable_grad():
                    probe = xin.clone().requires_grad_()
                    (grad,) = torch.autograd.grad(layer(probe), probe, grad)
    return (x - b) * grad


@pytest.mark.parametrize("baseline", ["zeros", "random"])
def test_deeplift_matches_hand_computed_rules_on_cnn(baseline):
    model, x, _ = make_case("cnn")
    b = torch.zeros_like(x) if baseline == "zeros" else torch.rand_like(x)
    ours, delta = attr_engine.DeepLift(model).attribute(x, b, target=3, return_convergence_delta=True)
    torch.testing.assert_close(ours, deeplift_reference(model.layers(), x, b, 3), rtol=1e-4, atol=1e-6)
    assert delta.abs().max() < 1e-4


def test_deeplift_shap_averages_deeplift_over_baselines():
    model, x, _ = make_case("cnn")
    baselines = torch.rand(3, 3, 8, 8)
    ours = attr_engine.DeepLiftShap(model).attribute(x, baselines, target=0)
    by_hand = torch.stack([deeplift_reference(model.layers(), x, b.expand_as(x), 0) for b in baselines]).mean(0)
    torch.testing.assert_close(ours, by_hand, rtol=1e-4, atol=1e-6)


def test_smoothgrad_sq_and_vargrad_relation():
    model, x, _ = make_case("mlp")
    nt = attr_engine.NoiseTunnel(attr_engine.Saliency(model))
    results = {}
    for kind in ("smoothgrad", "smoothgrad_sq", "vargrad"):
        torch.manual_seed(1)
        results[kind] = nt.attribute(x, nt_type=kind, nt_samples=8, stdevs=0.2, target=0)
    torch.testing.assert_close(results["vargrad"], results["smoothgrad_sq"] - results["smoothgrad"] ** 2)


def test_reused_activation_module_is_handled_per_call():
    class Reuse(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.act = nn.Linear(4, 4), nn.Linear(4, 2), nn.ReLU()

        def forward(self, x):
            return self.b(self.act(self.a(self.act(x))))

    torch.manual_seed(0)
    model = Reuse().eval()
    x = torch.randn(5, 4)
    _, delta = attr_engine.DeepLift(model).attribute(x, 0.3, target=1, return_convergence_delta=True)
    assert delta.abs().max() < 1e-5


def test_inplace_relu_is_restored_and_handled():
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(inplace=True), nn.Linear(6, 2)).eval()
    x = torch.randn(3, 4)
    _, delta = attr_engine.DeepLift(model).attribute(x, target=0, return_convergence_delta=True)
    assert delta.abs().max() < 1e-5
    assert model[1].inplace is True
