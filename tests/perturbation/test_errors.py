"""Bad arguments raise ValueError/TypeError naming the argument."""

import pytest
import torch

import attr_engine
from tests.perturbation.cases import case

MASKED = ["FeatureAblation", "FeaturePermutation", "ShapleyValueSampling", "ShapleyValues",
          "Lime", "KernelShap"]


@pytest.fixture
def mlp():
    model, inputs, _ = case("mlp")
    return model, inputs


@pytest.mark.parametrize("method", MASKED)
@pytest.mark.parametrize("mask,error", [
    (torch.zeros(1, 5, dtype=torch.long), ValueError),       # wrong shape
    (torch.zeros(2, 6, dtype=torch.long), ValueError),       # rows neither 1 nor batch
    (torch.full((1, 6), 0.5), TypeError),                    # fractional ids
    (torch.tensor([[0, 1, -1, 2, 2, 0]]), ValueError),       # negative
    ((torch.zeros(1, 6, dtype=torch.long),) * 2, ValueError),  # one mask per input
])
def test_bad_feature_mask(mlp, method, mask, error):
    if method in ("Lime", "KernelShap") and isinstance(mask, torch.Tensor) and int(mask.min()) < 0:
        pytest.skip("LIME shifts ids to start at 0, as Captum does")
    model, inputs = mlp
    with pytest.raises(error, match="feature_mask"):
        getattr(attr_engine, method)(model).attribute(inputs, target=0, feature_mask=mask)


@pytest.mark.parametrize("method", ["ShapleyValueSampling", "ShapleyValues", "Lime", "KernelShap"])
def test_feature_mask_with_gaps(mlp, method):
    model, inputs = mlp
    with pytest.raises(ValueError, match="consecutive"):
        getattr(attr_engine, method)(model).attribute(
            inputs, target=0, feature_mask=torch.tensor([[0, 1, 3, 3, 0, 1]]))


def test_feature_ablation_accepts_any_ids(mlp):
    """As in Captum, ablation only groups by id: gaps and large ids are fine."""
    model, inputs = mlp
    gaps = attr_engine.FeatureAblation(model).attribute(
        inputs, target=0, feature_mask=torch.tensor([[10, 3, 7, 7, 10, 3]]))
    dense = attr_engine.FeatureAblation(model).attribute(
        inputs, target=0, feature_mask=torch.tensor([[2, 0, 1, 1, 2, 0]]))
    torch.testing.assert_close(gaps, dense)


@pytest.mark.parametrize("window,strides,error,match", [
    ((3, 17, 4), None, ValueError, "exceeds"),
    ((3, 4), None, ValueError, "dimensions"),
    ((3, 4, 4), (3, 5, 2), ValueError, "strides"),
    ((3, 0, 4), None, ValueError, "positive"),
    ((3, 4, 4), (1, 2), ValueError, "dimensions"),
    ((3, 4.0, 4), None, TypeError, "sliding_window_shapes"),
    (((3, 4, 4), (3, 4, 4)), None, ValueError, "one entry per input"),
])
def test_bad_occlusion_windows(window, strides, error, match):
    model, inputs, _ = case("cnn16", batch=1)
    with pytest.raises(error, match=match):
        attr_engine.Occlusion(model).attribute(inputs, sliding_window_shapes=window, strides=strides)


@pytest.mark.parametrize("ppe", [0, -2, 1.5, "many", True])
def test_bad_perturbations_per_eval(mlp, ppe):
    model, inputs = mlp
    with pytest.raises(ValueError, match="perturbations_per_eval"):
        attr_engine.FeatureAblation(model).attribute(inputs, target=0, perturbations_per_eval=ppe)


@pytest.mark.parametrize("method", ["FeatureAblation", "ShapleyValueSampling", "Lime"])
def test_scalar_per_batch_model_rejects_explicit_batching(mlp, method):
    model, inputs = mlp
    with pytest.raises(ValueError, match="perturbations_per_eval"):
        getattr(attr_engine, method)(lambda x: model(x)[:, 0].sum()).attribute(
            inputs, feature_mask=torch.tensor([[0, 1, 2, 3, 0, 1]]), perturbations_per_eval=3)


def test_scalar_per_batch_found_out_while_running():
    """A model whose output cannot tell (one example, shape (1,)) falls back to one
    perturbation per pass under automatic batching."""
    model, inputs, _ = case("mlp", batch=1)
    summed = lambda x: model(x)[:, :1].sum(0)  # noqa: E731  one value per batch, shape (1,)
    ours = attr_engine.FeatureAblation(summed).attribute(inputs)
    reference = attr_engine.FeatureAblation(summed).attribute(inputs, perturbations_per_eval=1)
    torch.testing.assert_close(ours, reference)


def test_feature_permutation_needs_two_examples():
    model, inputs, _ = case("mlp", batch=1)
    with pytest.raises(ValueError, match="at least 2"):
        attr_engine.FeaturePermutation(model).attribute(inputs, target=0)


def test_similarity_distance_mode():
    with pytest.raises(ValueError, match="distance_mode"):
        attr_engine.get_exp_kernel_similarity_function("manhattan")


def test_lime_base_needs_its_transform():
    with pytest.raises(ValueError, match="from_interp_rep_transform"):
        attr_engine.LimeBase(lambda x: x, attr_engine.TorchLinearRegression(), lambda *a, **k: 1.0,
                             lambda *a, **k: None, True, None, None)


def test_n_perturb_samples_is_a_deprecated_alias():
    model, inputs, _ = case("mlp", batch=1)
    torch.manual_seed(0)
    with pytest.warns(DeprecationWarning, match="n_samples"):
        old = attr_engine.Lime(model).attribute(inputs, target=0, n_perturb_samples=20)
    torch.manual_seed(0)
    new = attr_engine.Lime(model).attribute(inputs, target=0, n_samples=20)
    torch.testing.assert_close(old, new)
