"""Bad input gets a clear ValueError/TypeError naming the argument."""

import pytest
import torch

import attr_engine
from tests.models import make_case


@pytest.fixture
def mlp():
    model, x, _ = make_case("mlp")
    return model, x


def test_wrong_baseline_shape(mlp):
    model, x = mlp
    with pytest.raises(ValueError, match="baselines"):
        attr_engine.IntegratedGradients(model).attribute(x, torch.zeros(2, 6), target=0)
    with pytest.raises(ValueError, match="baselines"):
        attr_engine.DeepLift(model).attribute(x, torch.zeros(4, 5), target=0)
    with pytest.raises(ValueError, match="baselines"):
        attr_engine.GradientShap(model).attribute(x, torch.zeros(3, 5), target=0)
    with pytest.raises(TypeError, match="baselines"):
        attr_engine.IntegratedGradients(model).attribute(x, "zeros", target=0)


@pytest.mark.parametrize("target", [3, -4, (5,), [0, 1, 2, 9], torch.tensor([0, 1, 7, 0]), (0, 1)])
def test_target_out_of_range(mlp, target):
    model, x = mlp
    with pytest.raises(ValueError, match="target"):
        attr_engine.Saliency(model).attribute(x, target=target)


def test_target_list_of_wrong_length_and_missing_target(mlp):
    model, x = mlp
    with pytest.raises(ValueError, match="target"):
        attr_engine.IntegratedGradients(model).attribute(x, target=[0, 1])
    with pytest.raises(ValueError, match="target"):
        attr_engine.IntegratedGradients(model).attribute(x)
    with pytest.raises(TypeError, match="target"):
        attr_engine.Saliency(model).attribute(x, target="cat")


@pytest.mark.parametrize("n_steps", [0, -3])
def test_n_steps_below_one(mlp, n_steps):
    model, x = mlp
    with pytest.raises(ValueError, match="n_steps"):
        attr_engine.IntegratedGradients(model).attribute(x, target=0, n_steps=n_steps)


def test_unknown_approximation_method(mlp):
    model, x = mlp
    with pytest.raises(ValueError, match="method.*riemann_left"):
        attr_engine.IntegratedGradients(model).attribute(x, target=0, method="simpson")


def test_model_returning_a_non_tensor(mlp):
    _, x = mlp
    with pytest.raises(TypeError, match="forward_func"):
        attr_engine.Saliency(lambda t: {"logits": t}).attribute(x, target=0)
    with pytest.raises(TypeError, match="forward_func"):
        attr_engine.IntegratedGradients(lambda t: [t]).attribute(x, target=0)


def test_inputs_and_constructor_arguments(mlp):
    model, x = mlp
    with pytest.raises(TypeError, match="inputs"):
        attr_engine.Saliency(model).attribute(x.tolist(), target=0)
    with pytest.raises(TypeError, match="inputs"):
        attr_engine.Saliency(model).attribute(torch.ones(4, 6, dtype=torch.long), target=0)
    with pytest.raises(TypeError, match="model"):
        attr_engine.DeepLift(lambda t: t)
    with pytest.raises(TypeError, match="forward_func"):
        attr_engine.IntegratedGradients("model")
    with pytest.raises(TypeError, match="attribution_method"):
        attr_engine.NoiseTunnel(model)


def test_noise_tunnel_arguments(mlp):
    model, x = mlp
    nt = attr_engine.NoiseTunnel(attr_engine.Saliency(model))
    with pytest.raises(ValueError, match="nt_type"):
        nt.attribute(x, nt_type="smooth", target=0)
    with pytest.raises(ValueError, match="nt_samples"):
        nt.attribute(x, nt_samples=0, target=0)
    with pytest.raises(ValueError, match="stdevs"):
        nt.attribute(x, stdevs=(0.1, 0.2), target=0)
    with pytest.raises(ValueError, match="stdevs"):
        nt.attribute(x, stdevs=-1.0, target=0)


def test_deprecated_n_samples_alias_only_when_the_method_has_none():
    model, x, _ = make_case("mlp")
    nt = attr_engine.NoiseTunnel(attr_engine.Saliency(model))
    with pytest.warns(DeprecationWarning, match="nt_samples"):
        torch.manual_seed(0)
        old = nt.attribute(x, n_samples=3, stdevs=0.1, target=0)
    torch.manual_seed(0)
    torch.testing.assert_close(old, nt.attribute(x, nt_samples=3, stdevs=0.1, target=0))
    # GradientShap has its own n_samples: it stays GradientShap's and is not taken as nt_samples
    inner = attr_engine.gradient.gradient_shap.InputBaselineXGradient(model)
    inner_with_n = type("WithN", (type(inner),), {
        "attribute": lambda self, inputs, baselines=None, target=None, n_samples=1: inputs * n_samples})
    result = attr_engine.NoiseTunnel(inner_with_n(model)).attribute(
        x, nt_samples=2, stdevs=0.0, n_samples=3, target=0)
    torch.testing.assert_close(result, x * 3)


def test_registry_rejects_out_of_bounds_arguments():
    spec = attr_engine.get_method("IntegratedGradients")
    with pytest.raises(ValueError, match="n_steps"):
        spec.split_args({"n_steps": 0})
    with pytest.raises(ValueError, match="method"):
        spec.split_args({"method": "simpson"})
    with pytest.raises(ValueError, match="no argument"):
        spec.split_args({"steps": 3})
    with pytest.raises(ValueError, match="unknown attribution method"):
        attr_engine.get_method("Magic")
    init, call = spec.split_args({"n_steps": 10, "multiply_by_inputs": False})
    assert init == {"multiply_by_inputs": False} and call == {"n_steps": 10}
