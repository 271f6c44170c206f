"""Progress, cancellation and partial results through the engine's progress protocol."""

import pytest
import torch

import attr_engine
from attr_engine import Cancelled, ProgressMonitor
from tests.perturbation.cases import case, grouped_mask

METHODS = {
    "FeatureAblation": {"feature_mask": grouped_mask("cnn16")},
    "Occlusion": {"sliding_window_shapes": (3, 4, 4), "strides": (3, 2, 2)},
    "FeaturePermutation": {"feature_mask": grouped_mask("cnn16")},
    "ShapleyValueSampling": {"n_samples": 4, "feature_mask": grouped_mask("cnn16")},
    "ShapleyValues": {"feature_mask": grouped_mask("cnn16", small=True)},
    "Lime": {"n_samples": 30, "feature_mask": grouped_mask("cnn16")},
    "KernelShap": {"n_samples": 30, "feature_mask": grouped_mask("cnn16")},
}


@pytest.mark.parametrize("method", list(METHODS))
def test_progress_is_monotone_and_reaches_total(method):
    model, inputs, _ = case("cnn16", batch=2)
    seen = []
    with ProgressMonitor(on_progress=lambda done, total: seen.append((done, total))):
        getattr(attr_engine, method)(model).attribute(inputs, target=1, perturbations_per_eval=3,
                                                      **METHODS[method])
    assert len(seen) >= 2
    dones = [d for d, _ in seen]
    assert dones == sorted(dones)
    assert seen[-1][0] == seen[-1][1]
    assert len({t for _, t in seen}) == 1


@pytest.mark.parametrize("method", list(METHODS))
def test_cancel_mid_run_raises_and_leaves_model_unchanged(method):
    model, inputs, _ = case("cnn16", batch=2)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    monitor = ProgressMonitor()
    calls = []

    def counting(x):
        calls.append(x.shape[0])
        if len(calls) == 3:
            monitor.cancel()
        return model(x)

    with pytest.raises(Cancelled), monitor:
        getattr(attr_engine, method)(counting).attribute(inputs, target=1, perturbations_per_eval=1,
                                                         **METHODS[method])
    assert len(calls) <= 4  # stopped at the chunk boundary after the cancel
    assert not model.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, state[key])
    assert not model._forward_hooks and not model._forward_pre_hooks


def test_occlusion_streams_growing_partial_maps():
    model, inputs, _ = case("cnn16", batch=1)
    partials = []
    with ProgressMonitor(on_partial=lambda name, attributions: partials.append(attributions[0].clone())):
        final = attr_engine.Occlusion(model).attribute(
            inputs, sliding_window_shapes=(3, 4, 4), strides=(3, 4, 4), target=0,
            perturbations_per_eval=2)
    assert len(partials) == 8  # 16 windows, two per forward pass
    nonzero = [int((p != 0).sum()) for p in partials]
    assert nonzero == sorted(nonzero) and nonzero[0] < nonzero[-1]
    torch.testing.assert_close(partials[-1], final)


def test_feature_ablation_streams_partial_results():
    model, inputs, _ = case("mlp", batch=2)
    partials = []
    with ProgressMonitor(on_partial=lambda name, attributions: partials.append(name)):
        attr_engine.FeatureAblation(model).attribute(inputs, target=0, perturbations_per_eval=3)
    assert partials == ["FeatureAblation"] * 2


@pytest.mark.parametrize("method", list(METHODS))
def test_progress_under_automatic_batching(method):
    model, inputs, _ = case("cnn16", batch=1)
    seen = []
    with ProgressMonitor(on_progress=lambda done, total: seen.append((done, total))):
        getattr(attr_engine, method)(model).attribute(inputs.expand(2, -1, -1, -1), target=1,
                                                      **METHODS[method])
    assert seen and seen[-1][0] == seen[-1][1]


def test_show_progress_draws_a_bar(capsys):
    model, inputs, _ = case("mlp", batch=2)
    attr_engine.FeatureAblation(model).attribute(inputs, target=0, show_progress=True)
    assert "Feature Ablation attribution" in capsys.readouterr().err


def test_current_monitor_is_the_innermost_active_one():
    assert attr_engine.current_monitor() is None
    outer, inner = ProgressMonitor(), ProgressMonitor()
    with outer:
        assert attr_engine.current_monitor() is outer
        with inner:
            assert attr_engine.current_monitor() is inner
        assert attr_engine.current_monitor() is outer
    assert attr_engine.current_monitor() is None
