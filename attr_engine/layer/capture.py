"""Forward hooks that record or replace what a layer receives or returns.

Every layer method looks inside the model through these few functions; the hooks live in a
:func:`~attr_engine.core.hooks.hooks` context, so they come off after success, error or
cancellation. Under ``nn.DataParallel`` a hook fires once per device; records are kept per
device and put back in batch order using ``device_ids`` (given, or read from the model).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor
from torch.nn import Module

from ..core.hooks import HookSet, hooks
from ..core.inputs import TargetType, run_forward

LayerValues = Tuple[Tensor, ...]
Layers = Union[Module, Sequence[Module]]


def as_layer_list(layer: Layers, name: str = "layer") -> List[Module]:
    """One module or a list of modules, as a list (anything else is a TypeError)."""
    layers = [layer] if isinstance(layer, Module) else layer
    if not isinstance(layers, (list, tuple)) or not layers or \
            not all(isinstance(m, Module) for m in layers):
        raise TypeError(f"`{name}` must be a torch.nn.Module or a list of modules, "
                        f"got {type(layer).__name__}")
    return list(layers)


def check_layers(forward_func: Callable[..., Any], layers: Sequence[Module]) -> None:
    """When the forward function is a module, its layers must be among its submodules."""
    if isinstance(forward_func, Module):
        owned = set(map(id, forward_func.modules()))
        for layer in layers:
            if id(layer) not in owned:
                raise ValueError(f"`layer` {type(layer).__name__} is not a submodule of the model "
                                 f"{type(forward_func).__name__}")


def _values(obj: Any, layer: Module) -> Tuple[LayerValues, bool]:
    """The tensors a layer received or returned, and whether they came as a tuple/list."""
    if isinstance(obj, Tensor):
        return (obj,), False
    if isinstance(obj, (tuple, list)) and obj and all(isinstance(t, Tensor) for t in obj):
        return tuple(obj), True
    raise TypeError(f"layer {type(layer).__name__} passes {type(obj).__name__}; layer "
                    "attribution needs a tensor or a tuple of tensors")


def _repack(like: Any, values: LayerValues) -> Any:
    if isinstance(like, Tensor):
        return values[0]
    return list(values) if isinstance(like, list) else tuple(values)


def _device_order(forward_func: Any, device_ids: Optional[List[int]], keys: List[torch.device]):
    if len(keys) == 1:
        return keys
    ids = device_ids if device_ids is not None else getattr(forward_func, "device_ids", None)
    if not ids:
        raise ValueError("layer values were recorded on several devices; pass `device_ids` to "
                         "the constructor or use an nn.DataParallel model as forward_func")
    by_index = {key.index: key for key in keys}
    order = [by_index[i] for i in ids if i in by_index]
    if len(order) != len(keys):
        raise ValueError(f"`device_ids` {ids} do not match the devices {keys} that ran the layer")
    return order


class Recorder:
    """Hooks on layers that record their outputs (or inputs) during a forward pass.

    With ``for_gradients`` each recorded tensor is a node that the rest of the model uses
    through a clone, so gradients with respect to it are exact even when in-place
    operations follow the layer."""

    def __init__(self, layers: Sequence[Module], hook_set: HookSet, attribute_to_input: bool = False,
                 for_gradients: bool = False) -> None:
        self.layers = list(layers)
        self.records: List[Dict[torch.device, LayerValues]] = [{} for _ in self.layers]
        for i, layer in enumerate(self.layers):
            if attribute_to_input:
                hook_set.add(layer.register_forward_pre_hook(self._hook(i, for_gradients, True)))
            else:
                hook_set.add(layer.register_forward_hook(self._hook(i, for_gradients, False)))

    def _hook(self, i: int, for_gradients: bool, pre: bool):
        def hook(module: Module, args: Any, output: Any = None):
            seen = args if pre else output
            values, _ = _values(seen, module)
            if not for_gradients:
                self.records[i][values[0].device] = tuple(v.clone() for v in values)
                return None
            kept = tuple(v if v.requires_grad or not v.dtype.is_floating_point
                         else v.detach().requires_grad_() for v in values)
            self.records[i][values[0].device] = kept
            clones = tuple(v.clone() for v in kept)
            return clones if pre else _repack(seen, clones)

        return hook

    def per_device(self, i: int, forward_func: Any, device_ids: Optional[List[int]]):
        if not self.records[i]:
            raise ValueError(f"`layer` {type(self.layers[i]).__name__} was not called by the "
                             "forward pass, so there is nothing to attribute to")
        keys = _device_order(forward_func, device_ids, list(self.records[i]))
        return [self.records[i][k] for k in keys]

    def values(self, i: int, forward_func: Any, device_ids: Optional[List[int]]) -> LayerValues:
        parts = self.per_device(i, forward_func, device_ids)
        if len(parts) == 1:
            return parts[0]
        return tuple(torch.cat([p[j].to(parts[0][j].device) for p in parts]) for j in range(len(parts[0])))


def layer_eval(forward_func: Callable[..., Any], layers: Sequence[Module], inputs: Tuple[Tensor, ...],
               additional_args: Optional[Tuple[Any, ...]] = None, attribute_to_input: bool = False,
               device_ids: Optional[List[int]] = None, grad_enabled: bool = False) -> List[LayerValues]:
    """What each layer returns (or receives) when the model runs on `inputs` (the model's own
    output is not needed, so it may be of any type)."""
    with hooks() as hook_set, torch.set_grad_enabled(grad_enabled):
        recorder = Recorder(layers, hook_set, attribute_to_input)
        forward_func(*inputs, *(additional_args or ()))
    return [recorder.values(i, forward_func, device_ids) for i in range(len(layers))]


def layer_gradients(forward_func: Callable[..., Any], layers: Sequence[Module], inputs: Tuple[Tensor, ...],
                    target: TargetType = None, additional_args: Optional[Tuple[Any, ...]] = None,
                    attribute_to_input: bool = False, device_ids: Optional[List[int]] = None,
                    hook_set: Optional[HookSet] = None, retain_graph: bool = False,
                    grad_kwargs: Optional[Dict[str, Any]] = None):
    """(gradients, values) per layer: d(sum of target outputs)/d(layer values), and the values.

    The values keep their graph, so a caller may differentiate them further (neuron methods);
    `grad_kwargs` go to ``torch.autograd.grad`` (e.g. ``create_graph=True``)."""
    with hooks() as own, torch.enable_grad():
        recorder = Recorder(layers, hook_set or own, attribute_to_input, for_gradients=True)
        output = run_forward(forward_func, inputs, target, additional_args)
        if output.dim() > 1 and output[0].numel() != 1:
            raise ValueError(f"`target` must select one output per example; the selected output "
                             f"has shape {tuple(output.shape)} (pass target=<class index>)")
        parts = [recorder.per_device(i, forward_func, device_ids) for i in range(len(layers))]
        flat = [t for per_layer in parts for device in per_layer for t in device]
        options = {"allow_unused": True, "retain_graph": retain_graph, **(grad_kwargs or {})}
        grads = torch.autograd.grad(output, flat, torch.ones_like(output), **options)
    grads = [torch.zeros_like(t) if g is None else g for g, t in zip(grads, flat)]
    out_grads, out_values, offset = [], [], 0
    for per_layer in parts:
        count = len(per_layer[0])
        merged_g, merged_v = [], []
        for j in range(count):
            gs = [grads[offset + d * count + j] for d in range(len(per_layer))]
            vs = [per_layer[d][j] for d in range(len(per_layer))]
            merged_g.append(gs[0] if len(gs) == 1 else torch.cat([g.to(gs[0].device) for g in gs]))
            merged_v.append(vs[0] if len(vs) == 1 else torch.cat([v.to(vs[0].device) for v in vs]))
        offset += count * len(per_layer)
        out_grads.append(tuple(merged_g))
        out_values.append(tuple(merged_v))
    return out_grads, out_values


def _scatter(values: LayerValues, forward_func: Any, device_ids: Optional[List[int]]):
    """Replacement values per device, split as DataParallel splits the batch."""
    ids = device_ids if device_ids is not None else getattr(forward_func, "device_ids", None)
    if not ids or not torch.cuda.is_available():
        return None
    chunks = [v.chunk(len(ids)) for v in values]
    return {torch.device("cuda", d): tuple(c[k].to(torch.device("cuda", d)) for c in chunks)
            for k, d in enumerate(ids) if k < len(chunks[0])}


def replace_layers(hook_set: HookSet, layers: Sequence[Module], replacements: Sequence[LayerValues],
                   attribute_to_input: bool = False, forward_func: Any = None,
                   device_ids: Optional[List[int]] = None) -> None:
    """Make each layer return (or receive) the given values instead of its own."""
    for layer, values in zip(layers, replacements):
        per_device = _scatter(values, forward_func, device_ids)

        def pick(seen: Any, module: Module, values=values, per_device=per_device) -> LayerValues:
            found, _ = _values(seen, module)
            if per_device is None:
                return values
            if found[0].device not in per_device:
                raise ValueError(f"no replacement values for device {found[0].device}; check "
                                 "`device_ids`")
            return per_device[found[0].device]

        if attribute_to_input:
            def pre(module, args, pick=pick):
                new = pick(args, module)
                return tuple(new) + tuple(args[len(new):])
            hook_set.add(layer.register_forward_pre_hook(pre))
        else:
            def post(module, args, output, pick=pick):
                return _repack(output, pick(output, module))
            hook_set.add(layer.register_forward_hook(post))


def forward_with_layers(forward_func: Callable[..., Any], layers: Sequence[Module],
                        replacements: Sequence[LayerValues], inputs: Tuple[Tensor, ...],
                        target: TargetType = None, additional_args: Optional[Tuple[Any, ...]] = None,
                        attribute_to_input: bool = False, device_ids: Optional[List[int]] = None) -> Tensor:
    """The model's (target) output when the layers produce `replacements`."""
    with hooks() as hook_set:
        replace_layers(hook_set, layers, replacements, attribute_to_input, forward_func, device_ids)
        return run_forward(forward_func, inputs, target, additional_args)
