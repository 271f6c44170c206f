"""infidelity and sensitivity_max against Captum 0.9 with the same seeded perturbations,
against a slow reference, and on the axioms they rest on."""

import pytest
import torch
from captum import metrics as captum_metrics
from torch import nn

from attr_engine import IntegratedGradients, ProgressMonitor, Saliency
from attr_engine.core.progress import Cancelled
from attr_engine.metrics import infidelity, infidelity_perturb_func_decorator, sensitivity_max
from tests.models import make_case

CASES = ["mlp", "cnn", "two_input", "with_args"]


def noisy(inputs, baselines=None):
    """Random perturbations (and the perturbed inputs) for a tensor or a tuple."""
    single = isinstance(inputs, torch.Tensor)
    noise = tuple(0.1 * torch.randn_like(x) for x in ((inputs,) if single else inputs))
    perturbed = tuple(x - n for x, n in zip((inputs,) if single else inputs, noise))
    return (noise[0], perturbed[0]) if single else (noise, perturbed)


def both(call_ours, call_captum, seed=7):
    torch.manual_seed(seed)
    ours = call_ours()
    torch.manual_seed(seed)
    return ours, call_captum()


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("max_examples_per_batch", [None, 12])
def test_infidelity_matches_captum(name, normalize, max_examples_per_batch):
    model, inputs, args = make_case(name)
    attributions = Saliency(model).attribute(inputs, target=1, abs=False, additional_forward_args=args)
    kwargs = dict(additional_forward_args=args, target=[0, 1, 2, 1], n_perturb_samples=10,
                  max_examples_per_batch=max_examples_per_batch, normalize=normalize)
    ours, theirs = both(lambda: infidelity(model, noisy, inputs, attributions, **kwargs),
                        lambda: captum_metrics.infidelity(model, noisy, inputs, attributions, **kwargs))
    assert ours.shape == (4,)
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-7)


@pytest.mark.parametrize("multiply_by_inputs", [True, False])
@pytest.mark.parametrize("baselines", [None, 0.5, "tensor"])
def test_decorated_perturb_func_matches_captum(multiply_by_inputs, baselines):
    model, inputs, _ = make_case("mlp")
    if baselines == "tensor":
        baselines = torch.rand(4, 6)
    attributions = IntegratedGradients(model).attribute(inputs, target=0, n_steps=8)

    def shrink(x, b=None):
        return x * (0.9 + 0.2 * torch.rand_like(x)) if b is None else b + (x - b) * torch.rand_like(x)

    ours_fn = infidelity_perturb_func_decorator(multiply_by_inputs)(shrink)
    theirs_fn = captum_metrics.infidelity_perturb_func_decorator(multiply_by_inputs)(shrink)
    ours, theirs = both(
        lambda: infidelity(model, ours_fn, inputs, attributions, baselines=baselines, target=0,
                           max_examples_per_batch=8),
        lambda: captum_metrics.infidelity(model, theirs_fn, inputs, attributions, baselines=baselines, target=0,
                                          max_examples_per_batch=8))
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-7)


def test_decorated_perturb_func_with_tuple_inputs_and_baselines_matches_captum():
    model, inputs, _ = make_case("two_input")
    attributions = IntegratedGradients(model).attribute(inputs, target=2, n_steps=8)
    baselines = (torch.rand(4, 4), 0.25)

    def mix(xs, bs):
        return tuple(b + (x - b) * torch.rand_like(x) for x, b in zip(xs, bs))

    kwargs = dict(baselines=baselines, target=2, n_perturb_samples=5, max_examples_per_batch=8, normalize=True)
    ours, theirs = both(
        lambda: infidelity(model, infidelity_perturb_func_decorator()(mix), inputs, attributions, **kwargs),
        lambda: captum_metrics.infidelity(model, captum_metrics.infidelity_perturb_func_decorator()(mix), inputs,
                                          attributions, **kwargs))
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-7)


def test_infidelity_against_a_slow_reference():
    model, inputs, _ = make_case("mlp")
    attributions = torch.randn(4, 6)
    torch.manual_seed(3)
    got = infidelity(model, noisy, inputs, attributions, target=2, n_perturb_samples=5, max_examples_per_batch=8)
    torch.manual_seed(3)
    expected = torch.zeros(4)
    with torch.no_grad():
        for _ in range(0, 5, 2):  # chunks of 2 samples per example, as max_examples_per_batch=8 asks
            copies = min(2, 5 - _)
            noise, perturbed = noisy(inputs.repeat_interleave(copies, 0))
            for row in range(4 * copies):
                example = row // copies
                change = model(inputs[example:example + 1])[0, 2] - model(perturbed[row:row + 1])[0, 2]
                expected[example] += ((attributions[example] * noise[row]).sum() - change) ** 2
    torch.testing.assert_close(got, expected / 5, rtol=1e-4, atol=1e-7)


def test_exact_attribution_of_a_linear_model_has_zero_infidelity():
    model = nn.Linear(5, 1).double()
    inputs = torch.randn(3, 5, dtype=torch.float64)
    gradient = model.weight.detach().expand(3, 5)  # f(x) − f(x − I) = w·I exactly
    score = infidelity(model, noisy, inputs, gradient, n_perturb_samples=6)
    torch.testing.assert_close(score, torch.zeros(3, dtype=torch.float64), atol=1e-10, rtol=0)
    assert (infidelity(model, noisy, inputs, 3 * gradient) > 1e-4).all()
    scaled = infidelity(model, noisy, inputs, 3 * gradient, normalize=True)  # β undoes the scale
    torch.testing.assert_close(scaled, torch.zeros(3, dtype=torch.float64), atol=1e-10, rtol=0)


@pytest.mark.parametrize("name", CASES)
def test_sensitivity_matches_captum(name):
    model, inputs, args = make_case(name)
    explain = Saliency(model).attribute
    kwargs = dict(target=[0, 1, 2, 1], additional_forward_args=args, n_perturb_samples=7, max_examples_per_batch=12)
    ours, theirs = both(lambda: sensitivity_max(explain, inputs, **kwargs),
                        lambda: captum_metrics.sensitivity_max(explain, inputs, **kwargs))
    assert ours.shape == (4,)
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-7)


def test_sensitivity_with_baselines_radius_and_norm_matches_captum():
    model, inputs, _ = make_case("mlp")
    explain = IntegratedGradients(model).attribute
    kwargs = dict(target=1, baselines=torch.rand(4, 6), n_steps=6, perturb_radius=0.1, norm_ord=1,
                  n_perturb_samples=4)
    ours, theirs = both(lambda: sensitivity_max(explain, inputs, **kwargs),
                        lambda: captum_metrics.sensitivity_max(explain, inputs, **kwargs))
    torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-7)


def test_constant_explanation_has_zero_sensitivity():
    model = nn.Linear(5, 2)
    score = sensitivity_max(Saliency(model).attribute, torch.randn(3, 5), target=1)
    torch.testing.assert_close(score, torch.zeros(3), atol=0, rtol=0)


def test_progress_and_cancel():
    model, inputs, _ = make_case("mlp")
    seen = []
    with ProgressMonitor(on_progress=lambda done, total: seen.append((done, total))):
        infidelity(model, noisy, inputs, torch.ones(4, 6), target=0, n_perturb_samples=6, max_examples_per_batch=8)
    assert seen[-1] == (6, 6) and len(seen) == 3
    monitor = ProgressMonitor(on_progress=lambda done, total: monitor.cancel())
    with monitor, pytest.raises(Cancelled):
        sensitivity_max(Saliency(model).attribute, inputs, target=0, max_examples_per_batch=4)


@pytest.mark.parametrize("call,error,match", [
    (lambda m, x: infidelity(m, noisy, x, torch.ones(4, 5), target=0), ValueError, "must match"),
    (lambda m, x: infidelity(m, noisy, x, (torch.ones(4, 6),) * 2, target=0), ValueError, "tensors"),
    (lambda m, x: infidelity(m, noisy, x, torch.ones(4, 6)), ValueError, "one value per example"),
    (lambda m, x: infidelity(m, lambda i: i, x, torch.ones(4, 6), target=0), TypeError, "decorator"),
    (lambda m, x: infidelity(m, lambda i: (i[:, :2], i), x, torch.ones(4, 6), target=0), ValueError, "shapes"),
    (lambda m, x: infidelity(m, noisy, x, torch.ones(4, 6), target=0, n_perturb_samples=0), ValueError,
     "n_perturb_samples"),
    (lambda m, x: infidelity(m, noisy, x, torch.ones(4, 6), target=[0, 1]), ValueError, "target"),
    (lambda m, x: sensitivity_max("saliency", x), TypeError, "explanation_func"),
])
def test_bad_arguments(call, error, match):
    model, inputs, _ = make_case("mlp")
    with pytest.raises(error, match=match):
        call(model, inputs)


def test_sensitivity_passes_every_keyword_to_the_explanation():
    seen = []

    def explain(inputs, **kwargs):
        seen.append(kwargs)
        return inputs

    sensitivity_max(explain, torch.randn(2, 3), n_perturb_samples=2, show_progress=True)
    assert seen == [{"show_progress": True}] * 2
