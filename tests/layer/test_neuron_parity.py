"""Every neuron method against captum.attr, with each form of `neuron_selector`, both ways of
``attribute_to_neuron_input``; and the seeds' README numbers."""

import numpy as np
import pytest
import torch

import attr_engine
import captum.attr
from tests.gradient.test_readme_example import ToyModel
from tests.layer.models import layer_case
from tests.layer.test_layer_parity import distribution
from tests.parity import assert_close

SELECTORS = {  # per case: selectors in every supported form
    "mlp": [2, (5,), (slice(1, 4),), lambda values: values[:, 1] * 2],
    "cnn_pool": [(1, 2, 3), (slice(0, 2), 1, slice(None))],
    "with_args": [1],
    "two_input": [(4,)],
    "tuple": [lambda values: values[0][:, 1] + values[1][:, 2]],
}
METHODS = {
    "NeuronGradient": {},
    "NeuronIntegratedGradients": {"n_steps": 8},
    "NeuronConductance": {"target": 1, "n_steps": 8},
    "NeuronDeepLift": {},
    "NeuronDeepLiftShap": {"baselines": "distribution"},
    "NeuronGradientShap": {"baselines": "distribution", "n_samples": 3, "stdevs": 0.1},
    "NeuronFeatureAblation": {"perturbations_per_eval": 48},
    "NeuronGuidedBackprop": {},
    "NeuronDeconvolution": {},
}
CASES = [(case, i) for case, selectors in SELECTORS.items() for i in range(len(selectors))]


def run(lib, name, model, layer, inputs, selector, args, ali, kwargs):
    torch.manual_seed(0)
    np.random.seed(0)
    method = getattr(lib, name)(model, layer)
    return method.attribute(inputs, selector, additional_forward_args=args, attribute_to_neuron_input=ali,
                            **kwargs)


@pytest.mark.filterwarnings("ignore:The neuron_selector")
@pytest.mark.parametrize("ali", [False, True], ids=["output", "input"])
@pytest.mark.parametrize("case,index", CASES)
@pytest.mark.parametrize("name", sorted(METHODS))
def test_neuron_parity(name, case, index, ali):
    model, inputs, args, layer = layer_case(case)
    if case == "tuple" and ali:
        pytest.skip("the split layer's input is a single tensor; its selector reads a pair")
    selector = SELECTORS[case][index]
    kwargs = {k: distribution(inputs) if v == "distribution" else v for k, v in METHODS[name].items()}
    ours = run(attr_engine, name, model, layer, inputs, selector, args, ali, kwargs)
    theirs = run(captum.attr, name, model, layer, inputs, selector, args, ali, kwargs)
    assert_close(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("internal_batch_size", [4, 10])
@pytest.mark.parametrize("method", ["riemann_trapezoid", "gausslegendre"])
def test_neuron_path_methods_batching(method, internal_batch_size):
    model, inputs, args, layer = layer_case("with_args")
    kwargs = {"n_steps": 9, "method": method, "internal_batch_size": internal_batch_size}
    for name, extra in (("NeuronConductance", {"target": [2, 0, 1, 1]}), ("NeuronIntegratedGradients", {})):
        assert_close(run(attr_engine, name, model, layer, inputs, 3, args, False, {**kwargs, **extra}),
                     run(captum.attr, name, model, layer, inputs, 3, args, False, {**kwargs, **extra}), atol=1e-5)


def test_neuron_feature_ablation_mask():
    model, inputs, _, layer = layer_case("cnn_pool")
    mask = (torch.arange(64).view(1, 1, 8, 8) // 16).expand(1, 3, 8, 8)
    kw = {"feature_mask": mask, "baselines": 0.2}
    assert_close(attr_engine.NeuronFeatureAblation(model, layer).attribute(inputs, (3, 1, 1), **kw),
                 captum.attr.NeuronFeatureAblation(model, layer).attribute(inputs, (3, 1, 1), **kw))


def readme_inputs():
    model = ToyModel().eval()
    torch.manual_seed(123)
    np.random.seed(123)
    return model, torch.rand(2, 3), torch.zeros(2, 3)


def test_readme_neuron_conductance_with_deprecated_neuron_index():
    model, inputs, _ = readme_inputs()
    with pytest.warns(DeprecationWarning, match="neuron_index"):
        attributions = attr_engine.NeuronConductance(model, model.lin1).attribute(inputs, neuron_index=1, target=0)
    torch.testing.assert_close(attributions, torch.tensor([[0.0, 0.0, 0.0], [1.3358, 0.0, -1.6811]]),
                               atol=5e-5, rtol=0)
    theirs = captum.attr.NeuronConductance(model, model.lin1).attribute(inputs, neuron_selector=1, target=0)
    assert_close(attributions, theirs)


def test_readme_layer_conductance():
    model, inputs, baseline = readme_inputs()
    lc = attr_engine.LayerConductance(model, model.lin1)
    # the README predates Gauss-Legendre as LayerConductance's default
    attributions, delta = lc.attribute(inputs, baselines=baseline, target=0, return_convergence_delta=True,
                                       method="riemann_trapezoid")
    torch.testing.assert_close(attributions, torch.tensor([[0.0, 0.0, -3.0856], [0.0, -0.3488, -4.9638]]),
                               atol=5e-5, rtol=0)
    torch.testing.assert_close(delta, torch.tensor([0.0630, 0.1084]), atol=5e-5, rtol=0)
    default, default_delta = lc.attribute(inputs, baselines=baseline, target=0, return_convergence_delta=True)
    theirs, their_delta = captum.attr.LayerConductance(model, model.lin1).attribute(
        inputs, baselines=baseline, target=0, return_convergence_delta=True)
    assert_close((default, default_delta), (theirs, their_delta))
    assert default_delta.abs().max() < delta.abs().max()  # Gauss-Legendre converges faster


def test_neuron_selector_and_neuron_index_together_is_an_error():
    model, inputs, _ = readme_inputs()
    with pytest.raises(TypeError, match="neuron_selector"):
        attr_engine.NeuronGradient(model, model.lin1).attribute(inputs, 1, neuron_index=1)
    with pytest.raises(TypeError, match="neuron_selector"):
        attr_engine.NeuronGradient(model, model.lin1).attribute(inputs)
