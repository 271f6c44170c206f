"""Hooks always come off (after success, error and cancellation) for every layer and neuron
method, the model computes exactly what it did before, and bad arguments raise clear errors."""

import inspect

import pytest
import torch
from torch import nn

import attr_engine
from attr_engine import REGISTRY, Cancelled, ProgressMonitor
from attr_engine.layer.layers import get_layer, list_layers
from tests.models import MLP, seeded
from tests.conformance_helpers import hook_count

SPECS = [s for _, s in sorted(REGISTRY.items()) if s.family in ("layer", "neuron") or s.needs_layer]


class Flaky(nn.Module):
    """An MLP that raises, or cancels the running attribution, when called."""

    def __init__(self):
        super().__init__()
        self.inner = seeded(MLP())
        self.action, self.monitor = None, None

    def forward(self, x):
        out = self.inner(x)
        if self.action == "raise":
            raise RuntimeError("model failure")
        if self.action == "cancel":
            self.monitor.cancel()
        return out


def call(spec, model, x):
    method = spec.create(model, layer=model.inner.lin2)
    params = inspect.signature(method.attribute).parameters
    kwargs = {"target": 1} if "target" in params else {}
    if spec.baselines == "distribution":
        kwargs["baselines"] = torch.zeros(3, 6)
    if spec.needs_neuron:
        kwargs["neuron_selector"] = 2
    return method.attribute(x, **kwargs)


@pytest.mark.parametrize("outcome", ["success", "raise", "cancel"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_hooks_removed_and_model_unchanged(spec, outcome):
    model = Flaky().eval()
    x = torch.randn(3, 6, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        before = model.inner(x).clone()
    hooks_before = hook_count(model)
    model.action = None if outcome == "success" else outcome
    monitor = model.monitor = ProgressMonitor()
    with monitor:
        if outcome == "raise":
            with pytest.raises(RuntimeError, match="model failure"):
                call(spec, model, x)
        elif outcome == "cancel":
            try:
                call(spec, model, x)
            except Cancelled:
                pass
        else:
            call(spec, model, x)
    assert hook_count(model) == hooks_before
    with torch.no_grad():
        assert torch.equal(model.inner(x), before)


def test_layer_not_in_model():
    model, other = seeded(MLP()), nn.Linear(8, 8)
    for spec in SPECS:
        with pytest.raises(ValueError, match="not a submodule"):
            spec.create(model, layer=other)


def test_layer_not_called_by_a_forward_function():
    model, unused = seeded(MLP()), nn.Linear(6, 6)
    method = attr_engine.LayerActivation(lambda x: model(x), unused)
    with pytest.raises(ValueError, match="was not called"):
        method.attribute(torch.randn(2, 6))


def test_neuron_selector_errors():
    model = seeded(MLP())
    method = attr_engine.NeuronGradient(model, model.lin2)
    x = torch.randn(2, 6)
    with pytest.raises(ValueError, match="out of range"):
        method.attribute(x, 8)
    with pytest.raises(ValueError, match="indices"):
        method.attribute(x, (1, 2))
    with pytest.raises(TypeError, match="neuron_selector"):
        method.attribute(x, 1.5)


def test_neuron_selector_must_pick_one_value_per_example():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 2))
    with pytest.raises(ValueError, match="one index per dimension"):
        attr_engine.NeuronGradient(model, model[0]).attribute(torch.randn(2, 1, 4, 4), 1)


def test_mask_of_the_wrong_shape():
    model = seeded(MLP())
    x = torch.randn(3, 6)
    with pytest.raises(ValueError, match="layer_mask"):
        attr_engine.LayerFeatureAblation(model, model.lin2).attribute(
            x, target=0, layer_mask=torch.zeros(3, 5, dtype=torch.long))
    with pytest.raises(ValueError, match="feature_mask"):
        attr_engine.NeuronFeatureAblation(model, model.lin2).attribute(
            x, 1, feature_mask=torch.zeros(2, 6, dtype=torch.long))
    with pytest.raises(TypeError, match="integer"):
        attr_engine.LayerFeatureAblation(model, model.lin2).attribute(x, target=0, layer_mask=torch.full((1, 8), 0.5))
    with pytest.raises(ValueError, match="perturbations_per_eval"):
        attr_engine.LayerFeatureAblation(model, model.lin2).attribute(x, target=0, perturbations_per_eval=0)


def test_other_argument_errors():
    model = seeded(MLP())
    x = torch.randn(3, 6)
    with pytest.raises(TypeError, match="one torch.nn.Module"):
        attr_engine.LayerConductance(model, [model.lin1, model.lin2])
    with pytest.raises(TypeError, match="layer"):
        attr_engine.LayerActivation(model, "lin2")
    with pytest.raises(ValueError, match="target"):
        attr_engine.LayerGradientXActivation(model, model.lin2).attribute(x)
    with pytest.raises(ValueError, match="internal_batch_size"):
        attr_engine.LayerConductance(model, model.lin2).attribute(x, target=0, internal_batch_size=0)
    with pytest.raises(ValueError, match="baselines"):
        attr_engine.LayerDeepLiftShap(model, model.lin2).attribute(x, torch.zeros(1, 6), target=0)
    with pytest.raises(ValueError, match="interpolate_mode"):
        attr_engine.GuidedGradCam(model, model.lin2).attribute(x, target=0, interpolate_mode="cubic")


def test_layers_by_dotted_name():
    model = nn.Sequential(nn.Linear(3, 4), nn.Sequential(nn.ReLU(), nn.Linear(4, 2)))
    assert list_layers(model) == ["0", "1", "1.0", "1.1"]
    assert list_layers(model, leaves_only=True) == ["0", "1.0", "1.1"]
    assert get_layer(model, "1.1") is model[1][1]
    with pytest.raises(ValueError, match="no layer '1.5'"):
        get_layer(model, "1.5")


def test_layer_activation_of_a_model_returning_an_object():
    class Wrapped(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = seeded(MLP())

        def forward(self, x):
            return {"logits": self.inner(x)}

    model = Wrapped()
    x = torch.randn(2, 6)
    activation = attr_engine.LayerActivation(model, model.inner.lin2).attribute(x)
    torch.testing.assert_close(activation, model.inner.lin2(model.inner.relu(model.inner.lin1(x))))
