"""Every perturbation method against captum.attr on four architectures and the argument forms.

Captum runs at its defaults (one perturbation per forward pass); ours at automatic batching
unless a case says otherwise, so each case also checks that batching changes nothing."""

import pytest
import torch

from tests.parity import check_parity
from tests.perturbation.cases import CASES, baseline_forms, case, grouped_mask, n_examples

TARGETS = {
    "int": lambda n: 1,
    "tensor": lambda n: torch.arange(n) % 3,
    "list_tuple": lambda n: [((i + 1) % 3,) for i in range(n)],
}


def batching(ppe):
    """Our argument for a batching setting ("auto" is our default and not Captum's)."""
    return {} if ppe == "auto" else {"perturbations_per_eval": ppe}


def common(name, target="int"):
    model, inputs, args = case(name)
    return model, inputs, {"target": TARGETS[target](n_examples(inputs)), "additional_forward_args": args}


# --- deterministic methods --------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("baseline", ["none", "scalar", "same_shape", "batch_one", "mixed"])
def test_feature_ablation_baselines(name, baseline):
    model, inputs, kw = common(name)
    forms = baseline_forms(inputs)
    if baseline not in forms:
        pytest.skip("mixed baselines need tuple inputs")
    check_parity("FeatureAblation", model, inputs, baselines=forms[baseline],
                 feature_mask=grouped_mask(name), **kw)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("mask", ["default", "grouped", "per_example"])
@pytest.mark.parametrize("target,ppe", [("int", "auto"), ("tensor", 1), ("list_tuple", 4)])
def test_feature_ablation_masks_targets(name, mask, target, ppe):
    if name == "cnn16" and mask == "default":
        pytest.skip("768 features: too slow for Captum; default masks are covered on the others")
    model, inputs, kw = common(name, target)
    masks = {"default": None, "grouped": grouped_mask(name),
             "per_example": grouped_mask(name, per_example=n_examples(inputs))}
    ours = check_parity("FeatureAblation", model, inputs, feature_mask=masks[mask], **batching(ppe), **kw)
    assert (ours if isinstance(ours, torch.Tensor) else ours[0]).dtype == torch.float32


def test_feature_ablation_multi_output_and_scalar_models():
    model, inputs, _ = case("mlp")
    check_parity("FeatureAblation", model, inputs)  # no target: one attribution per output
    check_parity("FeatureAblation", lambda x: model(x)[:, 0].sum(), inputs,
                 feature_mask=grouped_mask("mlp"))


OCCLUSION = {
    "cnn16": [((3, 4, 4), (3, 2, 2)), ((1, 5, 5), (1, 3, 3)), ((3, 16, 16), 1), ((2, 3, 3), 2)],
    "mlp": [((2,), 1), ((3,), (2,)), ((6,), None)],
    "two_input": [(((2,), (2, 1)), ((1,), (1, 1))), (((4,), (3, 2)), None)],
    "with_args": [((2,), 2), ((1,), None)],
}


@pytest.mark.parametrize("name,window,strides",
                         [(name, w, s) for name, forms in OCCLUSION.items() for w, s in forms])
@pytest.mark.parametrize("baseline", ["none", "scalar", "batch_one"])
def test_occlusion(name, window, strides, baseline):
    model, inputs, kw = common(name)
    check_parity("Occlusion", model, inputs, sliding_window_shapes=window, strides=strides,
                 baselines=baseline_forms(inputs)[baseline], **kw)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("target", ["int", "tensor"])
@pytest.mark.parametrize("ppe", ["auto", 1])
def test_occlusion_targets_and_batching(name, target, ppe):
    model, inputs, kw = common(name, target)
    window, strides = OCCLUSION[name][0]
    ours = check_parity("Occlusion", model, inputs, sliding_window_shapes=window, strides=strides,
                        **batching(ppe), **kw)
    assert (ours if isinstance(ours, torch.Tensor) else ours[0]).dtype == torch.float32


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("baseline", ["none", "scalar", "same_shape"])
@pytest.mark.parametrize("mask", ["grouped", "per_example"])
def test_shapley_values(name, baseline, mask):
    model, inputs, kw = common(name, "tensor")
    masks = {"grouped": grouped_mask(name, small=True),
             "per_example": grouped_mask(name, n_examples(inputs), small=True)}
    check_parity("ShapleyValues", model, inputs, baselines=baseline_forms(inputs)[baseline],
                 feature_mask=masks[mask], rtol=1e-4, atol=1e-5, **kw)


def test_shapley_values_multi_output_and_scalar_models():
    model, inputs, _ = case("mlp")
    check_parity("ShapleyValues", model, inputs, feature_mask=grouped_mask("mlp"), atol=1e-5)
    check_parity("ShapleyValues", lambda x: model(x)[:, 0].sum(), inputs,
                 feature_mask=grouped_mask("mlp"), atol=1e-5)


# --- stochastic methods: same seeds, same numbers ----------------------------------------


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("mask", ["grouped", "per_example"])
@pytest.mark.parametrize("ppe", ["auto", 1])
def test_shapley_value_sampling_seeded(name, mask, ppe):
    model, inputs, kw = common(name, "list_tuple")
    masks = {"grouped": grouped_mask(name), "per_example": grouped_mask(name, n_examples(inputs))}
    check_parity("ShapleyValueSampling", model, inputs, feature_mask=masks[mask], n_samples=6,
                 baselines=baseline_forms(inputs)["scalar"], seed=5, atol=1e-5, **batching(ppe), **kw)


@pytest.mark.parametrize("name,mask", [(name, "grouped") for name in CASES] + [("mlp", "default"),
                                                                             ("two_input", "default")])
def test_feature_permutation_seeded(name, mask):
    model, inputs, kw = common(name, "tensor")
    check_parity("FeaturePermutation", model, inputs, seed=11,
                 feature_mask=None if mask == "default" else grouped_mask(name), **kw)


def _reverse_rows(x, feature_mask):
    """A deterministic perm_func: reverse the batch order of the masked elements."""
    return torch.where(feature_mask, x.flip(0), x)


@pytest.mark.parametrize("name", CASES)
def test_feature_permutation_custom_perm_func(name):
    model, inputs, kw = common(name)
    check_parity("FeaturePermutation", model, inputs, init={"perm_func": _reverse_rows},
                 feature_mask=grouped_mask(name), **kw)


@pytest.mark.parametrize("method", ["Lime", "KernelShap"])
@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("return_input_shape", [True, False])
def test_lime_kernel_shap_seeded(method, name, return_input_shape):
    model, inputs, kw = common(name, "tensor")
    check_parity(method, model, inputs, feature_mask=grouped_mask(name), n_samples=40, seed=2,
                 baselines=baseline_forms(inputs)["batch_one"],
                 return_input_shape=return_input_shape, rtol=1e-3, atol=1e-4, **kw)


@pytest.mark.parametrize("method", ["Lime", "KernelShap"])
def test_lime_kernel_shap_default_mask_and_scalar_model(method):
    model, inputs, _ = case("mlp")
    check_parity(method, model, inputs[:1], target=2, n_samples=60, seed=4, rtol=1e-3, atol=1e-4)
    check_parity(method, lambda x: model(x)[:, 0].sum(), inputs, feature_mask=grouped_mask("mlp"),
                 n_samples=30, seed=4, rtol=1e-3, atol=1e-4)


def _fixed_coalitions(original_inp, **kwargs):
    """A deterministic perturbation generator: all coalitions in binary order, repeated."""
    n_feat = kwargs["num_interp_features"]
    while True:
        for code in range(1 << n_feat):
            yield torch.tensor([[(code >> i) & 1 for i in range(n_feat)]])


@pytest.mark.parametrize("method", ["Lime", "KernelShap"])
@pytest.mark.parametrize("name", CASES)
def test_lime_kernel_shap_deterministic_perturbations(method, name):
    import attr_engine
    import captum.attr
    model, inputs, kw = common(name, "tensor")
    results = []
    for lib in (attr_engine, captum.attr):
        explainer = getattr(lib, method)(model)
        explainer.perturb_func = _fixed_coalitions
        results.append(explainer.attribute(inputs, feature_mask=grouped_mask(name), n_samples=40,
                                           **kw))
    from tests.parity import assert_close
    assert_close(*results, rtol=1e-3, atol=1e-4)


def test_lime_base_custom_functions():
    """LimeBase with sampling in the input space and per-sample (unbatched) functions."""
    import attr_engine
    import captum.attr
    from captum._utils.models.linear_model import SkLearnRidge as CaptumRidge

    model, inputs, _ = case("mlp", batch=1)
    mask = grouped_mask("mlp")[0]

    def perturb(original, **kwargs):
        keep = torch.bernoulli(torch.full((1, 4), 0.5))
        return torch.where(keep[:, mask].bool(), original, torch.zeros_like(original))

    def to_interp(sample, original, **kwargs):
        return torch.stack([(sample[0][mask == f] != 0).any() for f in range(4)]).float().unsqueeze(0)

    def similarity(original, perturbed, interp, **kwargs):
        return float(torch.exp(-((original - perturbed) ** 2).sum() * kwargs["scale"]))

    results = []
    for lib, ridge in ((attr_engine, attr_engine.SkLearnRidge), (captum.attr, CaptumRidge)):
        explainer = lib.LimeBase(model, ridge(alpha=0.1), similarity, perturb, False, None, to_interp)
        torch.manual_seed(9)
        results.append(explainer.attribute(inputs, target=1, n_samples=30, scale=0.5))
    from tests.parity import assert_close
    assert_close(*results, rtol=1e-4, atol=1e-5)
