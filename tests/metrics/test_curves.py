"""Deletion and insertion curves: a slow reference, a model with a known answer, and axioms."""

import pytest
import torch
from torch import nn

from attr_engine import InputXGradient, ProgressMonitor
from attr_engine.core.progress import Cancelled
from attr_engine.metrics import deletion_curve, insertion_curve
from tests.models import make_case


@pytest.fixture
def linear():
    torch.manual_seed(0)
    model = nn.Linear(40, 3).double()
    return model, torch.randn(5, 40, dtype=torch.float64)


def slow_curve(mode, model, x, attributions, baseline, target, n_steps):
    """One example, one point at a time, features sorted in Python."""
    flat_x, flat_a, flat_b = x.flatten(), attributions.flatten(), baseline.flatten()
    order = sorted(range(flat_x.numel()), key=lambda i: -float(flat_a[i]))
    n = flat_x.numel()
    scores = []
    for k in range(n_steps + 1):
        count = round(k * n / n_steps)
        point = (flat_x if mode == "deletion" else flat_b).clone()
        for i in order[:count]:
            point[i] = flat_b[i] if mode == "deletion" else flat_x[i]
        with torch.no_grad():
            scores.append(float(model(point.view(1, *x.shape))[0, target]))
    return torch.tensor(scores, dtype=torch.float64)


@pytest.mark.parametrize("mode,curve", [("deletion", deletion_curve), ("insertion", insertion_curve)])
@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_matches_a_slow_reference(mode, curve, name):
    model, inputs, _ = make_case(name)
    attributions = torch.randn_like(inputs)
    baselines = torch.rand_like(inputs[:1])
    steps = min(8, inputs[0].numel())  # at most one point per feature
    got = curve(model, inputs, attributions, baselines=baselines, target=[0, 1, 2, 1], n_steps=8,
                max_examples_per_batch=8)
    assert got.fractions.shape == (steps + 1,) and got.scores.shape == (4, steps + 1)
    for i, target in enumerate([0, 1, 2, 1]):
        expected = slow_curve(mode, model, inputs[i], attributions[i], baselines[0], target, steps)
        torch.testing.assert_close(got.scores[i], expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(got.auc, torch.trapezoid(got.scores, got.fractions, dim=1))


def test_true_attribution_beats_a_random_one_on_a_linear_model(linear):
    model, inputs = linear
    truth = InputXGradient(model).attribute(inputs, target=0)  # exact contributions w·x
    noise = torch.randn_like(inputs)
    deletion = [deletion_curve(model, inputs, a, target=0, n_steps=40).auc for a in (truth, noise)]
    insertion = [insertion_curve(model, inputs, a, target=0, n_steps=40).auc for a in (truth, noise)]
    assert (deletion[1] > deletion[0]).all() and (insertion[1] < insertion[0]).all()


def test_deletion_and_insertion_add_up_for_a_linear_model(linear):
    model, inputs = linear
    attributions = torch.randn_like(inputs)
    baselines = torch.randn(1, 40, dtype=torch.float64)
    deletion = deletion_curve(model, inputs, attributions, baselines, target=2, n_steps=13)
    insertion = insertion_curve(model, inputs, attributions, baselines, target=2, n_steps=13)
    with torch.no_grad():
        ends = model(inputs)[:, 2] + model(baselines)[:, 2]
    torch.testing.assert_close(deletion.scores + insertion.scores, ends[:, None].expand(5, 14))
    torch.testing.assert_close(deletion.scores[:, 0], insertion.scores[:, -1])


def test_feature_groups_move_together_across_a_tuple():
    model, (x1, x2), _ = make_case("two_input")
    masks = (torch.tensor([[0, 0, 1, 1]]), torch.tensor([[[1, 2], [2, 2], [0, 3]]]))
    attributions = (torch.randn_like(x1), torch.randn_like(x2))
    got = deletion_curve(model, (x1, x2), attributions, target=0, feature_mask=masks, n_steps=10)
    assert got.fractions.tolist() == [0, 0.25, 0.5, 0.75, 1]  # 4 groups: at most one point each
    group_scores = torch.zeros(4, 4)
    for a, m in zip(attributions, masks):
        group_scores.index_add_(1, m.flatten(), a.reshape(4, -1))
    first = group_scores.argmax(1)
    for i in range(4):
        d1, d2 = x1[i:i + 1].clone(), x2[i:i + 1].clone()
        d1[masks[0] == first[i]] = 0
        d2[masks[1] == first[i]] = 0
        with torch.no_grad():
            torch.testing.assert_close(got.scores[i, 1], model(d1, d2)[0, 0].double())


def test_per_example_masks_count_each_examples_own_features():
    model = nn.Linear(4, 1)
    inputs = torch.randn(2, 4)
    masks = torch.tensor([[0, 0, 1, 1], [0, 1, 2, 3]])  # two groups for the first example, four for the second
    attributions = torch.tensor([[2.0, 2.0, 1.0, 1.0], [4.0, 3.0, 2.0, 1.0]])
    got = deletion_curve(model, inputs, attributions, target=0, feature_mask=masks, n_steps=4)
    assert got.fractions.tolist() == [0, 0.25, 0.5, 0.75, 1]
    half = inputs.clone()
    half[0, :2] = 0  # the first example's top group of two
    half[1, :2] = 0  # the second example's top two groups of four
    with torch.no_grad():
        torch.testing.assert_close(got.scores[:, 2], model(half)[:, 0].double())
        torch.testing.assert_close(got.scores[:, -1], model(torch.zeros(2, 4))[:, 0].double())


def test_additional_args_and_full_curve_ends():
    model, inputs, args = make_case("with_args")
    got = insertion_curve(model, inputs, torch.randn_like(inputs), target=1, additional_forward_args=args)
    with torch.no_grad():
        torch.testing.assert_close(got.scores[:, -1], model(inputs, *args)[:, 1].double())
        torch.testing.assert_close(got.scores[:, 0], model(torch.zeros_like(inputs), *args)[:, 1].double())
    assert got.fractions.shape == (6,)  # 5 features: n_steps is capped at one point per feature


def test_progress_and_cancel(linear):
    model, inputs = linear
    seen = []
    with ProgressMonitor(on_progress=lambda done, total: seen.append(total)):
        deletion_curve(model, inputs, inputs, target=0, n_steps=20)
    assert seen and seen[-1] == 21
    monitor = ProgressMonitor(on_progress=lambda done, total: monitor.cancel())
    with monitor, pytest.raises(Cancelled):
        deletion_curve(model, inputs, inputs, target=0, n_steps=20, max_examples_per_batch=5)


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(attributions=torch.ones(5, 4)), ValueError, "must match"),
    (dict(target=None), ValueError, "one value per example"),
    (dict(n_steps=0), ValueError, "n_steps"),
    (dict(baselines=torch.ones(2, 40)), ValueError, "baselines"),
    (dict(feature_mask=torch.zeros(1, 3, dtype=torch.long)), ValueError, "broadcast"),
    (dict(feature_mask=torch.zeros(1, 40)), TypeError, "integer"),
])
def test_bad_arguments(linear, kwargs, error, match):
    model, inputs = linear
    call = dict(attributions=torch.ones_like(inputs), target=0)
    call.update(kwargs)
    with pytest.raises(error, match=match):
        deletion_curve(model, inputs, **call)
