"""Every registered method, run through the same checks: shapes, hook cleanup, determinism
under a seed, independence from batch composition. New methods are covered when registered."""

import inspect

import numpy as np
import pytest
import torch

import attr_engine
from attr_engine import REGISTRY, Attribution
from tests.conformance_helpers import hook_count
from tests.models import MLP, seeded

# arguments a method cannot run without and that the registry's defaults do not supply
REQUIRED_ARGS = {
    "Occlusion": {"sliding_window_shapes": (2,)},
}
# building blocks that need user-written functions to run; they are covered by their own tests
NOT_STANDALONE = {"LimeBase"}
BASE_CLASSES = {"Attribution", "GradientAttribution", "PerturbationAttribution", "InternalAttribution",
                "LayerAttribution", "NeuronAttribution"}


def setup(spec):
    model = seeded(MLP())
    x = torch.randn(4, 6, generator=torch.Generator().manual_seed(7))
    method = spec.create(model, layer=model.lin2 if spec.needs_layer else None)
    kwargs = dict(REQUIRED_ARGS.get(spec.name, {}))
    params = inspect.signature(method.attribute).parameters
    if "target" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
        kwargs["target"] = 1
    if spec.baselines == "distribution":
        kwargs["baselines"] = torch.randn(5, 6, generator=torch.Generator().manual_seed(8)) * 0.1
    if spec.needs_neuron:
        kwargs["neuron_selector"] = 2
    return model, x, method, kwargs


def run(method, x, seed=0, **kwargs):
    torch.manual_seed(seed)
    np.random.seed(seed)
    return method.attribute(x, **kwargs)


def as_list(result):
    return list(result) if isinstance(result, tuple) else [result]


SPECS = [s for name, s in sorted(REGISTRY.items()) if name not in NOT_STANDALONE]


def test_every_public_method_is_registered():
    public = {name for name in attr_engine.__all__
              if inspect.isclass(getattr(attr_engine, name))
              and issubclass(getattr(attr_engine, name), Attribution)}
    missing = public - set(REGISTRY) - BASE_CLASSES
    assert not missing, f"public methods missing from the registry: {sorted(missing)}"


def test_registry_describes_parameters_that_exist():
    for spec in REGISTRY.values():
        init = inspect.signature(spec.cls.__init__).parameters
        call = inspect.signature(spec.cls.attribute).parameters
        for p in spec.params:
            where = init if p.stage == "init" else call
            if spec.factory is None or p.stage == "attribute":
                assert p.name in where, f"{spec.name}: registry parameter {p.name!r} is not an argument"
        assert spec.to_json()["name"] == spec.name


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_shapes_and_hooks(spec):
    model, x, method, kwargs = setup(spec)
    before = hook_count(model)
    result = as_list(run(method, x, **kwargs))
    assert hook_count(model) == before
    for tensor in result:
        assert isinstance(tensor, torch.Tensor) and tensor.shape[0] == x.shape[0]
        assert torch.isfinite(tensor).all()
    if spec.family in ("gradient", "perturbation"):
        assert result[0].shape == x.shape


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_same_seed_same_result(spec):
    _, x, method, kwargs = setup(spec)
    first, second = as_list(run(method, x, seed=3, **kwargs)), as_list(run(method, x, seed=3, **kwargs))
    for a, b in zip(first, second):
        torch.testing.assert_close(a, b)


@pytest.mark.parametrize("spec", [s for s in SPECS if not s.stochastic], ids=lambda s: s.name)
def test_examples_are_independent_of_the_batch(spec):
    _, x, method, kwargs = setup(spec)
    whole = as_list(run(method, x, **kwargs))
    parts = [as_list(run(method, x[i:i + 2], **kwargs)) for i in (0, 2)]
    for k, tensor in enumerate(whole):
        torch.testing.assert_close(tensor, torch.cat([p[k] for p in parts]), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.progress], ids=lambda s: s.name)
def test_progress_reaches_total(spec):
    _, x, method, kwargs = setup(spec)
    seen = []
    with attr_engine.ProgressMonitor(on_progress=lambda done, total: seen.append((done, total))):
        run(method, x, **kwargs)
    assert seen, "no progress reported"
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and dones[-1] == seen[-1][1]
