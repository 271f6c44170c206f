"""The metrics on a CUDA device give the CPU's numbers. Skipped where no GPU is present (CI);
run on a GPU machine with ``pytest tests/metrics/test_cuda.py``."""

import pytest
import torch

from attr_engine import IntegratedGradients, Saliency
from attr_engine.metrics import deletion_curve, infidelity, insertion_curve, model_randomization, sensitivity_max
from tests.models import make_case

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def on(device, model, inputs):
    return model.to(device), inputs.to(device)


def wiggle(inputs):
    """A deterministic perturbation, so both devices see the same one."""
    noise = 0.1 * torch.sin(7 * inputs)
    return noise, inputs - noise


@pytest.mark.parametrize("case", ["mlp", "cnn"])
def test_metrics_on_cuda_equal_cpu(case):
    model, inputs, _ = make_case(case)
    results = {}
    for device in ("cpu", "cuda"):
        model, inputs = on(device, model, inputs)
        attributions = IntegratedGradients(model).attribute(inputs, target=1, n_steps=16)
        torch.manual_seed(0)  # the default perturbation draws on the CPU generator on both devices
        results[device] = [
            infidelity(model, wiggle, inputs, attributions, target=1, max_examples_per_batch=8),
            sensitivity_max(Saliency(model).attribute, inputs, target=1, n_perturb_samples=6),
            deletion_curve(model, inputs, attributions, target=1, n_steps=10).scores,
            insertion_curve(model, inputs, attributions, target=1, n_steps=10).auc,
        ]
        assert all(r.device.type == (device if i < 2 else "cpu") for i, r in enumerate(results[device]))
    for ours, cpu in zip(results["cuda"], results["cpu"]):
        torch.testing.assert_close(ours.cpu(), cpu, rtol=1e-4, atol=1e-5)


def test_randomization_on_cuda_is_seeded_and_leaves_generators_alone():
    model, inputs, _ = make_case("cnn")
    model, inputs = on("cuda", model, inputs)
    states = torch.random.get_rng_state(), torch.cuda.get_rng_state()
    explain = lambda m, x: Saliency(m).attribute(x, target=0)  # noqa: E731
    first = model_randomization(model, explain, inputs, seed=2)
    second = model_randomization(model, explain, inputs, seed=2)
    torch.testing.assert_close(first.correlations, second.correlations)
    assert torch.equal(torch.random.get_rng_state(), states[0]) and torch.equal(torch.cuda.get_rng_state(), states[1])
