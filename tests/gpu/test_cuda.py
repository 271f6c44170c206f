"""The gradient methods on a CUDA device: same numbers as on the CPU and as Captum there.

Skipped where no GPU is present (CI); run on a GPU machine with ``pytest tests/gpu``."""

import pytest
import torch

import attr_engine
from attr_engine import Cancelled, ProgressMonitor
from tests.conformance_helpers import hook_count
from tests.models import make_case
from tests.parity import assert_close, run_both

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

CALLS = {
    "IntegratedGradients": dict(n_steps=32, return_convergence_delta=True),
    "Saliency": {},
    "InputXGradient": {},
    "DeepLift": dict(return_convergence_delta=True),
    "GuidedBackprop": {},
    "Deconvolution": {},
}


def on_cpu(result):
    if isinstance(result, torch.Tensor):
        return result.cpu()
    return tuple(on_cpu(r) for r in result)


def to(device, model, inputs):
    model = model.to(device)
    inputs = inputs.to(device) if isinstance(inputs, torch.Tensor) else tuple(t.to(device) for t in inputs)
    return model, inputs


@pytest.mark.parametrize("case", ["mlp", "cnn_conv_pool", "two_input"])
@pytest.mark.parametrize("name", list(CALLS))
def test_cuda_matches_captum_and_cpu(case, name):
    model, inputs, _ = make_case(case)
    cpu = getattr(attr_engine, name)(model).attribute(inputs, target=[0, 1, 2, 1], **CALLS[name])
    model, inputs = to("cuda", model, inputs)
    ours, theirs = run_both(name, model, inputs, target=[0, 1, 2, 1], **CALLS[name])
    assert_close(ours, theirs)
    assert_close(on_cpu(ours), cpu, rtol=1e-3, atol=1e-5)


def test_cuda_stochastic_methods_match_captum():
    model, x, _ = make_case("cnn_conv_pool")
    model, x = to("cuda", model, x)
    baselines = torch.rand(5, 3, 8, 8, device="cuda")
    ours, theirs = run_both("GradientShap", model, x, baselines=baselines, n_samples=6, stdevs=0.1, target=1,
                            seed=3)
    assert_close(ours, theirs)
    ours, theirs = run_both("NoiseTunnel", model, x, wrap="IntegratedGradients", nt_samples=4, stdevs=0.1,
                            target=2, n_steps=10, seed=4)
    assert_close(ours, theirs)


def test_cuda_cancel_leaves_no_hooks():
    model, x, _ = make_case("cnn_conv_pool")
    model, x = to("cuda", model, x)
    monitor = ProgressMonitor(on_progress=lambda d, t: monitor.cancel())
    with monitor, pytest.raises(Cancelled):
        attr_engine.NoiseTunnel(attr_engine.DeepLift(model)).attribute(
            x, nt_samples=8, nt_samples_batch_size=1, stdevs=0.1, target=0)
    assert hook_count(model) == 0
