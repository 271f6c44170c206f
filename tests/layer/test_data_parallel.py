"""`device_ids` and nn.DataParallel forward functions (on CPU DataParallel runs the module
directly; the per-device bookkeeping is exercised with one device)."""

import pytest
import torch
from torch import nn

import attr_engine
import captum.attr
from tests.layer.models import layer_case
from tests.parity import assert_close

CALLS = [
    ("LayerActivation", {}),
    ("LayerGradientXActivation", {"target": 1}),
    ("LayerConductance", {"target": 1, "n_steps": 6}),
    ("InternalInfluence", {"target": 1, "n_steps": 6}),
    ("LayerGradCam", {"target": 1}),
    ("LayerIntegratedGradients", {"target": 1, "n_steps": 6}),
    ("LayerFeatureAblation", {"target": 1}),
    ("NeuronGradient", {"neuron_selector": 3}),
    ("NeuronConductance", {"neuron_selector": 3, "target": 1, "n_steps": 6}),
    ("NeuronIntegratedGradients", {"neuron_selector": 3, "n_steps": 6}),
    ("NeuronFeatureAblation", {"neuron_selector": 3}),
]


@pytest.mark.parametrize("name,kwargs", CALLS, ids=[c[0] for c in CALLS])
def test_data_parallel_forward_and_device_ids(name, kwargs):
    model, inputs, _, layer = layer_case("mlp")
    parallel = nn.DataParallel(model)
    plain = getattr(attr_engine, name)(model, layer).attribute(inputs, **kwargs)
    wrapped = getattr(attr_engine, name)(parallel, layer).attribute(inputs, **kwargs)
    given = getattr(attr_engine, name)(parallel, layer, device_ids=[0]).attribute(inputs, **kwargs)
    assert_close(wrapped, plain)
    assert_close(given, plain)
    if name != "LayerFeatureAblation":  # Captum 0.9 scatters to the empty device list on CPU
        theirs = getattr(captum.attr, name)(parallel, layer).attribute(inputs, **kwargs)
        assert_close(wrapped, theirs, atol=1e-5)


def test_records_from_several_devices_need_device_ids():
    from attr_engine.layer.capture import _device_order

    keys = [torch.device("cuda", 1), torch.device("cuda", 0)]
    assert _device_order(None, [0, 1], keys) == keys[::-1]
    assert _device_order(nn.DataParallel(nn.Linear(1, 1)), None, [keys[0]]) == [keys[0]]
    with pytest.raises(ValueError, match="device_ids"):
        _device_order(lambda x: x, None, keys)
    with pytest.raises(ValueError, match="do not match"):
        _device_order(None, [0, 2], keys)
