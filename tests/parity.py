"""Run a method from attr_engine and from captum.attr on the same inputs and compare."""

from __future__ import annotations

import contextlib

import numpy as np
import torch

import attr_engine
import captum.attr


def _flatten(result):
    if isinstance(result, torch.Tensor):
        return [result]
    return [t for item in result for t in _flatten(item)]


def run_both(name, model, inputs, init=None, wrap=None, seed=0, **kwargs):
    """Results of `name` from both libraries, with identically seeded random generators.

    `wrap` names an inner method for NoiseTunnel."""
    results = []
    for lib in (attr_engine, captum.attr):
        cls = getattr(lib, name)
        if wrap is not None:
            method = cls(getattr(lib, wrap)(model))
        else:
            method = cls(model, **(init or {}))
        torch.manual_seed(seed)
        np.random.seed(seed)
        results.append(method.attribute(inputs, **kwargs))
    return results


def assert_close(ours, theirs, rtol=1e-4, atol=1e-6):
    assert type(ours) is type(theirs) or isinstance(ours, torch.Tensor) == isinstance(theirs, torch.Tensor)
    a, b = _flatten(ours), _flatten(theirs)
    assert len(a) == len(b), f"{len(a)} tensors vs {len(b)}"
    for x, y in zip(a, b):
        assert x.shape == y.shape, f"shape {tuple(x.shape)} vs {tuple(y.shape)}"
        torch.testing.assert_close(x.detach(), y.detach(), rtol=rtol, atol=atol)


def check_parity(name, model, inputs, rtol=1e-4, atol=1e-6, **kwargs):
    ours, theirs = run_both(name, model, inputs, **kwargs)
    assert_close(ours, theirs, rtol, atol)
    return ours


class _WholeGradient(torch.Tensor):
    """A tensor whose ``[0]`` is itself: feeds Captum's maxpool rule the whole gradient."""

    def __getitem__(self, index):
        plain = self.as_subclass(torch.Tensor)
        return plain if index == 0 else plain[index]


@contextlib.contextmanager
def captum_maxpool_rule_fixed():
    """Captum 0.9's DeepLift maxpool rule falls back to ``grad_input[0]`` (the first example's
    gradient, broadcast) where |Δin| < eps; within this context it uses the whole gradient, so
    the remaining comparison checks everything else."""
    import captum.attr._core.deep_lift as deep_lift

    original = deep_lift.maxpool

    def fixed(module, pool, unpool, inputs, outputs, grad_input, grad_output, eps=1e-10):
        return original(module, pool, unpool, inputs, outputs, grad_input.as_subclass(_WholeGradient),
                        grad_output, eps).as_subclass(torch.Tensor)

    deep_lift.maxpool = fixed
    try:
        yield
    finally:
        deep_lift.maxpool = original


def assert_same_llm_result(ours, theirs) -> None:
    """Two LLMAttributionResults agree: tokens exactly, sequence and token attributions closely."""
    assert ours.input_tokens == theirs.input_tokens and ours.output_tokens == theirs.output_tokens
    assert_close(ours.seq_attr, theirs.seq_attr, atol=1e-5)
    assert (ours.token_attr is None) == (theirs.token_attr is None)
    if ours.token_attr is not None:
        assert_close(ours.token_attr, theirs.token_attr, atol=1e-5)
