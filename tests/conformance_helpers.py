"""Helpers shared by the conformance and progress tests."""

from torch import nn


def hook_count(model: nn.Module) -> int:
    """All forward, pre-forward and backward hooks on the model's modules."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               + len(getattr(m, "_backward_pre_hooks", {})) for m in model.modules())
