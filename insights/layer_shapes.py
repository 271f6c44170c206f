"""Each layer's output shape per example, so the dashboard offers only neurons that exist.

Measured once per model and input shape by one forward pass of the workspace's first example,
with a hook on every named module; layers whose output is not one tensor are left out.
"""

from __future__ import annotations

import weakref
from typing import Any, Dict, List

import torch
from torch import nn

_measured: "weakref.WeakKeyDictionary[nn.Module, Dict[Any, Dict[str, List[int]]]]" = weakref.WeakKeyDictionary()


def layer_shapes(service: Any, entry: Any) -> Dict[str, List[int]]:
    """``{layer name: its output's shape without the batch}`` for ``entry``'s model (empty when the
    data set or the model cannot give one)."""
    try:
        example = service.store.template()
    except Exception:  # an empty or failing data set: no shapes, the picker takes free text
        return {}
    known = _measured.setdefault(entry.module, {})
    key = example.shape_key()
    if key not in known:
        seen: Dict[str, List[int]] = {}

        def record(name: str) -> Any:
            def hook(_module: nn.Module, _inputs: Any, out: Any) -> None:  # None: the output is kept
                if isinstance(out, torch.Tensor) and out.dim() >= 1:
                    seen.setdefault(name, list(out.shape[1:]))
            return hook

        handles = [module.register_forward_hook(record(name)) for name, module in entry.module.named_modules() if name]
        try:
            with entry.lock, torch.no_grad():
                service._forward(entry, [example])
        except Exception:  # the model fails on the example: it will say so when run
            seen = {}
        finally:
            for handle in handles:
                handle.remove()
        known[key] = seen
    return known[key]
