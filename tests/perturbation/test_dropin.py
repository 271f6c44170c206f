"""Behaviours Captum users rely on (issue 19), each compared with Captum 0.9 where it gives
numbers: baseline broadcasting, integer inputs, float feature masks, inputs that require
grad, ``attribute_future``, odd additional arguments and empty inputs, output dtypes, the SGD
surrogates' stopping rule and the progress-bar labels."""

import re

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import attr_engine
import captum._utils.models.linear_model as captum_linear
import captum.attr
from tests.parity import assert_close


def linear3():
    """The issue's model: y = [x·(1,2,3), -x·(1,2,3)]."""
    m = nn.Linear(3, 2, bias=False)
    with torch.no_grad():
        m.weight.copy_(torch.tensor([[1.0, 2, 3], [-1, -2, -3]]))
    return m


X = torch.tensor([[20.0, 50.0, 30.0]])


def one(lib, name, forward, *args, init=None, seed=0, **kwargs):
    torch.manual_seed(seed)
    return getattr(lib, name)(forward, **(init or {})).attribute(*args, **kwargs)


def both(name, forward, *args, **kwargs):
    return [one(lib, name, forward, *args, **kwargs) for lib in (attr_engine, captum.attr)]


# --- item 9: SGD surrogates stop on the running average of the loss ----------------------

SGD_X = torch.tensor([[0.5, 0.5], [-0.5, -0.5], [0.5, -0.5], [-0.5, 0.5]])
SGD_Y = torch.tensor([1.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("name", ["SGDLasso", "SGDRidge", "SGDLinearRegression"])
@pytest.mark.parametrize("batch_size", [1, 2, 4])
def test_sgd_surrogates_match_captum(name, batch_size):
    fits = []
    for lib in (attr_engine, captum_linear):
        model = getattr(lib, name)()
        stats = model.fit(DataLoader(TensorDataset(SGD_X, SGD_Y), batch_size=batch_size),
                          init_scheme="zeros", max_epoch=150, initial_lr=0.1, patience=5)
        fits.append((model.representation(), model.bias(), stats))
    (w, b, ours), (cw, cb, theirs) = fits
    torch.testing.assert_close(w, cw, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(b, cb, rtol=1e-4, atol=1e-6)
    assert (ours["train_iter"], ours["train_epoch"]) == (theirs["train_iter"], theirs["train_epoch"])
    assert ours["train_loss"] == pytest.approx(theirs["train_loss"], rel=1e-4)


def test_sgd_lasso_issue_numbers():
    model = attr_engine.SGDLasso()
    model.fit(DataLoader(TensorDataset(SGD_X, SGD_Y), batch_size=4), init_scheme="zeros",
              max_epoch=150, initial_lr=0.1, patience=5)
    torch.testing.assert_close(model.representation(), torch.tensor([[0.0457, 0.0049]]), atol=1e-4, rtol=0)
    torch.testing.assert_close(model.bias(), torch.tensor([0.2343]), atol=1e-4, rtol=0)


# --- item 1: baselines broadcast to the inputs -------------------------------------------

def test_occlusion_baseline_of_one_example_issue_numbers():
    ours, theirs = both("Occlusion", linear3(), X, sliding_window_shapes=(2,),
                        baselines=torch.tensor([10.0, 10.0, 10.0]), target=0)
    torch.testing.assert_close(ours, torch.tensor([[90.0, 115.0, 140.0]]))
    assert_close(ours, theirs)


def test_feature_ablation_baseline_column_per_example_issue_numbers():
    inputs = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
    ours, theirs = both("FeatureAblation", linear3(), inputs, baselines=torch.tensor([[1.0], [2.0]]),
                        target=0)
    torch.testing.assert_close(ours, torch.tensor([[0.0, 2, 6], [2, 6, 12]]))
    assert_close(ours, theirs)


BROADCAST = [torch.tensor([10.0, -1.0, 3.0]), torch.tensor([[1.0], [2.0]]), torch.tensor(4.0),
             torch.tensor([[1.0, 2.0, 3.0]])]


@pytest.mark.parametrize("baseline", BROADCAST, ids=["example", "column", "0d", "batch_one"])
@pytest.mark.parametrize("name,kwargs", [
    ("FeatureAblation", {}),
    ("Occlusion", {"sliding_window_shapes": (2,)}),
    ("Lime", {"n_samples": 40}),
    ("KernelShap", {"n_samples": 40}),
])
def test_broadcast_baselines_match_captum(name, kwargs, baseline):
    inputs = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
    ours = one(attr_engine, name, linear3(), inputs, baselines=baseline, target=0, **kwargs)
    if baseline.dim() == 0 and name in ("Lime", "KernelShap"):  # Captum's LIME fails on a 0-d one
        baseline = float(baseline)
    theirs = one(captum.attr, name, linear3(), inputs, baselines=baseline, target=0, **kwargs)
    assert_close(ours, theirs, rtol=1e-3 if name in ("Lime", "KernelShap") else 1e-4, atol=1e-4)


@pytest.mark.parametrize("name", ["ShapleyValues", "ShapleyValueSampling"])
@pytest.mark.parametrize("baseline", BROADCAST, ids=["example", "column", "0d", "batch_one"])
def test_shapley_broadcast_baselines_equal_full_ones(name, baseline):
    """Captum's Shapley methods reject most of these forms; a full baseline is the reference."""
    inputs = torch.tensor([[1.0, 2, 3], [4, 5, 6]])
    method = getattr(attr_engine, name)(linear3())
    torch.manual_seed(0)
    ours = method.attribute(inputs, baselines=baseline, target=0)
    torch.manual_seed(0)
    full = method.attribute(inputs, baselines=baseline.expand_as(inputs).clone(), target=0)
    torch.testing.assert_close(ours, full)


def test_baseline_that_does_not_broadcast_is_a_value_error():
    with pytest.raises(ValueError, match="baselines"):
        attr_engine.FeatureAblation(linear3()).attribute(X, baselines=torch.zeros(2), target=0)


# --- item 2: integer inputs with float baselines ------------------------------------------

def flat_sum(*xs):
    return torch.cat([t.flatten(1) for t in xs], 1).sum(1)


def int_inputs():
    return (torch.tensor([[0, 1], [3, 4]]), torch.tensor([[0.5, 0.25], [0.75, 1.0]]),
            torch.tensor([[0], [1]]))


@pytest.mark.parametrize("name,kwargs", [
    ("FeatureAblation", {}),
    ("Occlusion", {"sliding_window_shapes": ((1,), (1,), (1,))}),
    ("Lime", {"n_samples": 30}),
    ("KernelShap", {"n_samples": 30}),
])
def test_integer_inputs_with_float_baselines_match_captum(name, kwargs):
    ours, theirs = both(name, flat_sum, int_inputs(), baselines=(0.2, 3.1, 0.4), **kwargs)
    assert_close(ours, theirs, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("name", ["FeatureAblation", "Occlusion", "ShapleyValues",
                                  "ShapleyValueSampling", "KernelShap"])
def test_integer_input_float_baseline_is_not_truncated(name):
    """Linear in each element: input minus baseline, never the truncated baseline (Captum
    raises for a single integer input and truncates in its Shapley methods)."""
    kwargs = {"sliding_window_shapes": (1,)} if name == "Occlusion" else {}
    kwargs.update({"n_samples": 30} if name == "KernelShap" else {})
    torch.manual_seed(0)
    ours = getattr(attr_engine, name)(flat_sum).attribute(torch.tensor([[0, 1], [3, 4]]),
                                                          baselines=0.2, **kwargs)
    torch.testing.assert_close(ours, torch.tensor([[-0.2, 0.8], [2.8, 3.8]]), rtol=1e-4, atol=1e-4)


# --- item 3: LIME on inputs that require grad ---------------------------------------------

@pytest.mark.parametrize("surrogate", ["SkLearnLasso", "SGDLasso"])
@pytest.mark.parametrize("name", ["Lime", "KernelShap"])
def test_lime_on_inputs_that_require_grad(name, surrogate):
    init = {} if name == "KernelShap" else {"interpretable_model": getattr(attr_engine, surrogate)()}
    theirs_init = {} if name == "KernelShap" else {
        "interpretable_model": getattr(captum_linear, surrogate)()}
    out = []
    for lib, kw in ((attr_engine, init), (captum.attr, theirs_init)):
        torch.manual_seed(0)
        out.append(getattr(lib, name)(linear3(), **kw).attribute(
            X.clone().requires_grad_(), target=0, n_samples=50))
    assert not out[0].requires_grad
    assert_close(out[0], out[1], rtol=1e-3, atol=1e-3)


# --- item 4: integral float feature masks ------------------------------------------------

@pytest.mark.parametrize("name,inputs", [("FeatureAblation", X),
                                         ("FeaturePermutation", torch.cat([X, 2 * X]))])
def test_float_feature_masks_with_whole_numbers(name, inputs):
    mask = torch.tensor([[0.0, 0.0, 1.0]])
    ours, theirs = both(name, linear3(), inputs, feature_mask=mask, target=0)
    assert_close(ours, theirs)
    torch.testing.assert_close(ours, getattr(attr_engine, name)(linear3()).attribute(
        inputs, feature_mask=mask.long(), target=0) if name == "FeatureAblation" else ours)


def test_fractional_float_mask_is_a_type_error():
    with pytest.raises(TypeError, match="feature_mask"):
        attr_engine.FeatureAblation(linear3()).attribute(X, feature_mask=torch.tensor([[0.0, 0.5, 1.0]]))


# --- item 8: a forward function returning a Python number -----------------------------------

@pytest.mark.parametrize("name,inputs,kwargs", [
    ("FeatureAblation", X, {}),
    ("FeaturePermutation", torch.cat([X, 2 * X]), {}),
    ("Occlusion", X, {"sliding_window_shapes": (1,)}),
    ("ShapleyValueSampling", X, {"n_samples": 2}),
    ("ShapleyValues", X, {}),
    ("Lime", X, {"n_samples": 10}),
    ("KernelShap", X, {"n_samples": 10}),
])
@pytest.mark.parametrize("kind", [float, int])
def test_python_number_outputs_give_captum_dtypes(name, inputs, kwargs, kind):
    ours, theirs = both(name, lambda t: kind(t.sum()), inputs, **kwargs)
    assert ours.dtype == theirs.dtype
    assert_close(ours, theirs, rtol=1e-3, atol=1e-3)


# --- item 10: edge cases -------------------------------------------------------------------

def small_net():
    torch.manual_seed(1)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


SPARSE = torch.sparse_coo_tensor(torch.tensor([[0, 1]]), torch.tensor([1.0, 2.0]), (5,))


@pytest.mark.parametrize("name", ["FeatureAblation", "FeaturePermutation"])
@pytest.mark.parametrize("extra,forward", [
    ([1, 2, 3], lambda net: lambda t, ids: net(t) * len(ids)),
    (torch.tensor([]), lambda net: lambda t, e: net(t) + e.sum()),
    (SPARSE, lambda net: lambda t, s: net(t) + torch.sparse.sum(s)),
    (torch.ones(1, 2), lambda net: lambda t, w: net(t) * w),
], ids=["list", "empty", "sparse", "shared_row"])
@pytest.mark.parametrize("ppe", ["auto", 1])
def test_additional_args_that_are_not_batched(name, extra, forward, ppe):
    net, x = small_net(), torch.randn(2, 3)
    ours = one(attr_engine, name, forward(net), x, target=0, additional_forward_args=(extra,),
               perturbations_per_eval=ppe)
    theirs = one(captum.attr, name, forward(net), x, target=0, additional_forward_args=(extra,))
    assert_close(ours, theirs)


@pytest.mark.parametrize("name", ["Lime", "KernelShap"])
def test_empty_input_tensor_among_the_inputs(name):
    x, empty = torch.randn(2, 3), torch.empty(2, 0)
    ours, theirs = both(name, lambda a, b: a.sum(1) + b.sum(1), (x, empty), n_samples=20)
    assert ours[1].shape == (2, 0)
    assert_close(ours, theirs, rtol=1e-3, atol=1e-4)


def test_only_empty_inputs_is_a_value_error():
    with pytest.raises(ValueError, match="no features"):
        attr_engine.Lime(lambda a: a.sum(1)).attribute(torch.empty(2, 0), n_samples=5)


def test_occlusion_on_one_scalar_per_example():
    xs = (torch.randn(3), torch.randn(3))
    ours, theirs = both("Occlusion", lambda a, b: a * 2 + b, xs, sliding_window_shapes=((), ()))
    assert_close(ours, theirs)
    torch.testing.assert_close(
        attr_engine.Occlusion(lambda a: a * 2).attribute(xs[0], sliding_window_shapes=()), xs[0] * 2)


# --- item 11: progress bars read as Captum's ------------------------------------------------

def _bar_label(lib, name, capsys, forward, inputs, layer=None, **kwargs):
    method = getattr(lib, name)(forward) if layer is None else getattr(lib, name)(forward, layer)
    torch.manual_seed(0)
    method.attribute(inputs, show_progress=True, **kwargs)
    return set(re.findall(r"([A-Za-z ]+): +\d+%", capsys.readouterr().err))


@pytest.mark.parametrize("name,kwargs", [
    ("FeatureAblation", {"target": 0}),
    ("FeaturePermutation", {"target": 0}),
    ("Occlusion", {"target": 0, "sliding_window_shapes": (1,)}),
    ("ShapleyValueSampling", {"target": 0, "n_samples": 2}),
    ("ShapleyValues", {"target": 0}),
    ("Lime", {"target": 0, "n_samples": 5}),
    ("KernelShap", {"target": 0, "n_samples": 5}),
])
def test_progress_bar_labels_are_captums(name, kwargs, capsys):
    model, inputs = linear3(), torch.cat([X, 2 * X])
    labels = [_bar_label(lib, name, capsys, model, inputs, **kwargs)
              for lib in (attr_engine, captum.attr)]
    assert labels[0] == labels[1] and len(labels[0]) == 1
    assert labels[0].pop().endswith(" attribution")


@pytest.mark.parametrize("name,kwargs", [("LayerFeatureAblation", {"target": 0}),
                                         ("NeuronFeatureAblation", {"neuron_selector": 0})])
def test_layer_and_neuron_ablation_bars_read_the_same_way(name, kwargs, capsys):
    """Captum draws no bar for these; ours follow the same pattern."""
    model = linear3()
    label = _bar_label(attr_engine, name, capsys, model, X, layer=model, **kwargs)
    assert label == {f"{getattr(attr_engine, name).get_name()} attribution"}


# --- item 5: attribute_future ----------------------------------------------------------------

def as_future(model, chained=False):
    """The model behind futures (`chained`: made by ``then``, a plain ``torch.Future``)."""
    def forward(*args):
        done = torch.futures.Future()
        if chained:
            done.set_result(args)
            return done.then(lambda fut: model(*fut.value()))
        done.set_result(model(*args))
        return done
    return forward


@pytest.mark.parametrize("name,inputs,kwargs", [
    ("FeatureAblation", X, {}),
    ("FeatureAblation", torch.cat([X, 2 * X]), {"feature_mask": torch.tensor([[0, 0, 1]]),
                                                "baselines": 1.0}),
    ("FeaturePermutation", torch.cat([X, 2 * X, -X]), {}),
    ("ShapleyValueSampling", X, {"n_samples": 3}),
    ("ShapleyValues", X, {}),
])
def test_attribute_future_matches_captum(name, inputs, kwargs):
    results = []
    for lib in (attr_engine, captum.attr):
        torch.manual_seed(0)
        future = getattr(lib, name)(as_future(linear3())).attribute_future(inputs, target=0, **kwargs)
        assert isinstance(future, torch.Future) and future.done()
        results.append(future.wait())
    assert_close(results[0], results[1])


@pytest.mark.parametrize("chained", [False, True])
def test_attribute_future_issue_numbers(chained):
    out = attr_engine.FeatureAblation(as_future(linear3(), chained)).attribute_future(X, target=0).wait()
    torch.testing.assert_close(out, torch.tensor([[20.0, 100.0, 90.0]]))


def test_attribute_future_carries_a_model_failure():
    def failing(x):
        done = torch.futures.Future()
        done.set_exception(RuntimeError("remote model down"))
        return done

    future = attr_engine.FeatureAblation(failing).attribute_future(X)
    with pytest.raises(RuntimeError, match="remote model down"):
        future.wait()


def test_attribute_future_needs_a_future_returning_model():
    with pytest.raises(TypeError, match="Future"):
        attr_engine.FeatureAblation(linear3()).attribute_future(X, target=0)


@pytest.mark.parametrize("name", ["Occlusion", "Lime", "KernelShap", "Saliency", "IntegratedGradients",
                                  "DeepLift", "GradientShap", "NoiseTunnel", "LayerFeatureAblation"])
def test_attribute_future_not_implemented_where_captum_has_none(name):
    model = linear3()
    cls = getattr(attr_engine, name)
    method = cls(attr_engine.Saliency(model)) if name == "NoiseTunnel" else (
        cls(model, model) if name.startswith("Layer") else cls(model))
    with pytest.raises(NotImplementedError, match="attribute_future"):
        method.attribute_future(X)
