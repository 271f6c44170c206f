"""Finding a model's layers by dotted name (``"encoder.layers.0.attn"``), for user interfaces."""

from __future__ import annotations

from typing import List

from torch.nn import Module


def list_layers(model: Module, leaves_only: bool = False) -> List[str]:
    """Dotted names of the model's submodules, in definition order (the model itself excluded)."""
    if not isinstance(model, Module):
        raise TypeError(f"`model` must be a torch.nn.Module, got {type(model).__name__}")
    return [name for name, module in model.named_modules()
            if name and (not leaves_only or not any(True for _ in module.children()))]


def get_layer(model: Module, name: str) -> Module:
    """The submodule called `name` (dotted path); ValueError naming the missing part."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"the layer name must be a non-empty string, got {name!r}")
    try:
        return model.get_submodule(name)
    except AttributeError:
        raise ValueError(f"{type(model).__name__} has no layer {name!r}; its layers are "
                         f"{list_layers(model)[:20]}") from None
