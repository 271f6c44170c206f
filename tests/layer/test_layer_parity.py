"""Every layer method against captum.attr on an MLP, CNNs, a two-input model, additional
arguments, an embedding text classifier and a layer returning a tuple; both ways of
``attribute_to_layer_input``."""

import numpy as np
import pytest
import torch

import attr_engine
import captum.attr
from attr_engine.gradient.deep_lift import SUPPORTED_NON_LINEAR
from attr_engine.interpretable import TokenReferenceBase
from tests.layer.models import layer_case, text_case
from tests.parity import assert_close

CASES = ["mlp", "mlp_relu", "cnn", "cnn_pool", "two_input", "with_args", "text", "tuple"]


def distribution(inputs, k=5):
    tensors = inputs if isinstance(inputs, tuple) else (inputs,)
    g = torch.Generator().manual_seed(11)
    out = tuple(torch.randn((k,) + t.shape[1:], generator=g) * 0.1 for t in tensors)
    return out if isinstance(inputs, tuple) else out[0]


def method_kwargs(name, inputs, case):
    """Arguments exercising each method's options (targets in several forms)."""
    n = (inputs if isinstance(inputs, torch.Tensor) else inputs[0]).shape[0]
    text = case == "text"
    table = {
        "LayerActivation": {},
        "LayerGradientXActivation": {"target": 1},
        "LayerConductance": {"target": [i % 3 for i in range(n)], "n_steps": 8, "return_convergence_delta": True},
        "InternalInfluence": {"target": 2, "n_steps": 8, "method": "riemann_middle"},
        "LayerGradCam": {"target": 1, "relu_attributions": True},
        "LayerIntegratedGradients": {"target": 1, "n_steps": 8, "return_convergence_delta": True,
                                     "baselines": 0 if text else None},
        "LayerDeepLift": {"target": 0, "return_convergence_delta": True},
        "LayerDeepLiftShap": {"target": 1, "baselines": distribution(inputs), "return_convergence_delta": True},
        "LayerGradientShap": {"target": 1, "baselines": distribution(inputs), "n_samples": 3, "stdevs": 0.1,
                              "return_convergence_delta": True},
        "LayerFeatureAblation": {"target": 1, "perturbations_per_eval": 64 if "cnn" in case else 3},
    }
    return table[name]


FLOAT_ONLY = {"LayerConductance", "InternalInfluence", "LayerDeepLiftShap", "LayerGradientShap"}
# Captum 0.9's DeepLift breaks completeness where an activation feeds a MaxPool and when
# attributing to a nonlinearity's input; those cases are checked by completeness instead.
def deeplift_diverges(case, layer, ali):
    return case == "cnn" or (ali and type(layer) in SUPPORTED_NON_LINEAR)


def run(lib, name, model, layer, inputs, args, ali, kwargs):
    torch.manual_seed(0)
    np.random.seed(0)
    method = getattr(lib, name)(model, layer)
    return method.attribute(inputs, additional_forward_args=args, attribute_to_layer_input=ali, **kwargs)


@pytest.mark.parametrize("ali", [False, True], ids=["output", "input"])
@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", sorted(FLOAT_ONLY | {"LayerActivation", "LayerGradientXActivation", "LayerGradCam",
                                                      "LayerIntegratedGradients", "LayerDeepLift",
                                                      "LayerFeatureAblation"}))
def test_layer_parity(name, case, ali):
    model, inputs, args, layer = layer_case(case)
    if case == "text" and (name in FLOAT_ONLY or ali and name != "LayerActivation"):
        pytest.skip("token-index inputs: no path through the input space, no gradient at the indices")
    if case == "tuple" and name == "LayerGradCam" and ali:
        pytest.skip("the split layer's input is a single tensor: covered by the output case")
    kwargs = method_kwargs(name, inputs, case)
    ours = run(attr_engine, name, model, layer, inputs, args, ali, kwargs)
    if name.startswith("LayerDeepLift") and deeplift_diverges(case, layer, ali):
        _, delta = ours
        assert delta.abs().max() < 1e-4  # DeepLift's summation-to-delta holds for ours
        return
    theirs = run(captum.attr, name, model, layer, inputs, args, ali, kwargs)
    assert_close(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("internal_batch_size", [4, 9, 1000])
@pytest.mark.parametrize("name,method", [("LayerConductance", "gausslegendre"),
                                         ("InternalInfluence", "riemann_trapezoid"),
                                         ("LayerIntegratedGradients", "riemann_left")])
def test_path_methods_batching(name, method, internal_batch_size):
    model, inputs, args, layer = layer_case("with_args")
    kwargs = {"target": [0, 2, 1, 0], "n_steps": 11, "method": method, "internal_batch_size": internal_batch_size}
    assert_close(run(attr_engine, name, model, layer, inputs, args, False, kwargs),
                 run(captum.attr, name, model, layer, inputs, args, False, kwargs), atol=1e-5)


@pytest.mark.parametrize("multiply_by_inputs", [True, False])
@pytest.mark.parametrize("name", ["LayerGradientXActivation", "LayerIntegratedGradients", "LayerDeepLift",
                                  "LayerGradientShap"])
def test_multiply_by_inputs(name, multiply_by_inputs):
    model, inputs, args, layer = layer_case("mlp")
    kwargs = method_kwargs(name, inputs, "mlp")
    results = []
    for lib in (attr_engine, captum.attr):
        torch.manual_seed(0)
        np.random.seed(0)
        method = getattr(lib, name)(model, layer, multiply_by_inputs=multiply_by_inputs)
        results.append(method.attribute(inputs, **kwargs))
    assert_close(*results, atol=1e-5)


@pytest.mark.parametrize("mode", ["nearest", "area", "bilinear", "bicubic"])
def test_grad_cam_options_and_interpolate(mode):
    model, inputs, _, layer = layer_case("cnn")
    for summation in (True, False):
        kw = {"target": 3, "attr_dim_summation": summation}
        ours = attr_engine.LayerGradCam(model, layer).attribute(inputs, **kw)
        theirs = captum.attr.LayerGradCam(model, layer).attribute(inputs, **kw)
        assert_close(ours, theirs)
    assert_close(attr_engine.LayerAttribution.interpolate(ours, (8, 8), mode),
                 captum.attr.LayerAttribution.interpolate(theirs, (8, 8), mode))
    line = ours[:, :, 0]
    assert_close(attr_engine.LayerAttribution.interpolate(line, 6, "linear"),
                 captum.attr.LayerAttribution.interpolate(line, 6, "linear"))
    cube = ours.unsqueeze(2)
    assert_close(attr_engine.LayerAttribution.interpolate(cube, (2, 8, 8), "trilinear"),
                 captum.attr.LayerAttribution.interpolate(cube, (2, 8, 8), "trilinear"))


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_guided_grad_cam(mode):
    model, inputs, _, _ = layer_case("cnn")
    for layer in (model.conv2, model.relu1):
        ours = attr_engine.GuidedGradCam(model, layer).attribute(inputs, target=2, interpolate_mode=mode)
        theirs = captum.attr.GuidedGradCam(model, layer).attribute(inputs, target=2, interpolate_mode=mode)
        assert_close(ours, theirs)


def test_feature_ablation_masks_and_baselines():
    model, inputs, _, layer = layer_case("cnn")
    mask = torch.arange(8).view(1, 8, 1, 1).expand(1, 8, 4, 4) // 3  # groups of channels
    per_example = torch.randint(0, 5, (4, 8, 4, 4), generator=torch.Generator().manual_seed(2))
    for kw in ({"layer_mask": mask, "layer_baselines": 0.5},
               {"layer_mask": per_example, "layer_baselines": torch.rand(1, 8, 4, 4), "perturbations_per_eval": 4},
               {"layer_baselines": torch.rand(4, 8, 4, 4), "perturbations_per_eval": 50}):
        ours = attr_engine.LayerFeatureAblation(model, layer).attribute(inputs, target=1, **kw)
        theirs = captum.attr.LayerFeatureAblation(model, layer).attribute(inputs, target=1, **kw)
        assert_close(ours, theirs, atol=1e-5)


@pytest.mark.filterwarnings("ignore:Several layers", "ignore:Multiple layers")
def test_several_layers_at_once():
    model, tokens = text_case()
    two, inputs, _, _ = layer_case("two_input")
    for name, kw in [("LayerActivation", {}), ("LayerGradientXActivation", {"target": 2})]:
        ours = getattr(attr_engine, name)(model, [model.embedding, model.fc]).attribute(tokens, **kw)
        theirs = getattr(captum.attr, name)(model, [model.embedding, model.fc]).attribute(tokens, **kw)
        assert isinstance(ours, list) and len(ours) == 2
        assert_close(ours, theirs, atol=1e-5)
    kw = {"target": 1, "n_steps": 8, "return_convergence_delta": True}
    ours = attr_engine.LayerIntegratedGradients(two, [two.a, two.b]).attribute(inputs, **kw)
    theirs = captum.attr.LayerIntegratedGradients(two, [two.a, two.b]).attribute(inputs, **kw)
    assert_close(ours, theirs, atol=1e-5)
    # a layer fed only by another integrated layer gets zero (Captum raises there)
    zero = attr_engine.LayerIntegratedGradients(model, [model.embedding, model.fc]).attribute(tokens, target=1)
    assert torch.count_nonzero(zero[0]) == 0 and torch.count_nonzero(zero[1]) > 0


def test_embedding_layer_with_token_baselines_and_additional_args():
    model, tokens = text_case()
    reference = TokenReferenceBase(0).generate_reference(tokens.shape[1], None)
    offset = torch.rand(4, 1, 6)
    kw = {"baselines": reference.unsqueeze(0), "target": [0, 1, 2, 1], "additional_forward_args": (offset,),
          "n_steps": 12, "return_convergence_delta": True}
    ours = attr_engine.LayerIntegratedGradients(model, model.embedding).attribute(tokens, **kw)
    theirs = captum.attr.LayerIntegratedGradients(model, model.embedding).attribute(tokens, **kw)
    assert_close(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("name", ["LayerGradientXActivation", "LayerGradCam", "LayerConductance", "InternalInfluence",
                                  "LayerIntegratedGradients", "LayerDeepLift"])
def test_grad_kwargs_reach_autograd(name):
    model, inputs, args, layer = layer_case("mlp")
    kwargs = {**method_kwargs(name, inputs, "mlp"), "grad_kwargs": {"create_graph": True}}
    kwargs.pop("return_convergence_delta", None)
    ours = run(attr_engine, name, model, layer, inputs, args, False, kwargs)
    if name in ("LayerGradientXActivation", "LayerGradCam", "LayerDeepLift"):
        assert ours.requires_grad  # a graph through the gradients was kept (path sums are detached)
    assert_close(ours, run(captum.attr, name, model, layer, inputs, args, False, kwargs), atol=1e-5)


def test_memory_efficient_gradient_x_activation():
    model, inputs, _, layer = layer_case("cnn")
    ours = attr_engine.LayerGradientXActivation(model, layer, memory_efficient=True).attribute(inputs, target=1)
    theirs = captum.attr.LayerGradientXActivation(model, layer, memory_efficient=True).attribute(inputs, target=1)
    assert ours.device.type == "cpu"
    assert_close(ours, theirs)


@pytest.mark.parametrize("case,per_eval", [("mlp", 1), ("mlp", 3), ("cnn", 4), ("with_args", 2), ("tuple", 1)])
def test_layer_feature_permutation(case, per_eval):
    model, inputs, args, layer = layer_case(case)

    def forward(*a):  # Captum 0.9 selects `target` twice here, so it is compared without one
        return model(*a)[:, 1]

    results = []
    for lib in (attr_engine, captum.attr):
        torch.manual_seed(0)
        results.append(lib.LayerFeaturePermutation(forward, layer).attribute(
            inputs, additional_forward_args=args, perturbations_per_eval=per_eval))
    assert_close(*results, atol=1e-5)
    torch.manual_seed(0)
    with_target = attr_engine.LayerFeaturePermutation(model, layer).attribute(
        inputs, target=1, additional_forward_args=args, perturbations_per_eval=per_eval)
    assert_close(with_target, results[0], atol=1e-5)
