"""Choosing one neuron of a layer, and a forward function that returns its value."""

from __future__ import annotations

import warnings
from typing import Any, Callable, List, Optional, Tuple, Union

import torch
from torch import Tensor
from torch.nn import Module

from ..core.base import NeuronAttribution
from ..layer.capture import as_layer_list, check_layers, layer_eval

NeuronSelector = Union[int, Tuple[Union[int, slice], ...], Callable[..., Tensor]]


def resolve_selector(neuron_selector: Any, neuron_index: Any) -> NeuronSelector:
    """`neuron_selector`, or the older name `neuron_index` (deprecated, warns)."""
    if neuron_index is not None:
        if neuron_selector is not None:
            raise TypeError("pass `neuron_selector` only (`neuron_index` is its deprecated name)")
        warnings.warn("`neuron_index` is deprecated; use `neuron_selector`", DeprecationWarning, stacklevel=3)
        neuron_selector = neuron_index
    if neuron_selector is None:
        raise TypeError("`neuron_selector` is required: an int, a tuple of ints/slices, or a callable")
    if callable(neuron_selector):
        return neuron_selector
    index = (neuron_selector,) if isinstance(neuron_selector, int) else neuron_selector
    if isinstance(neuron_selector, bool) or not isinstance(index, tuple) or not index or \
            not all(isinstance(i, (int, slice)) and not isinstance(i, bool) for i in index):
        raise TypeError("`neuron_selector` must be an int, a tuple of ints and slices, or a callable; "
                        f"got {neuron_selector!r}")
    return neuron_selector


def select_neuron(values: Tuple[Tensor, ...], selector: NeuronSelector) -> Tensor:
    """The selected neuron per example (slices are summed, as in Captum)."""
    if callable(selector):
        return selector(values if len(values) > 1 else values[0])
    if len(values) != 1:
        raise ValueError(f"the layer has {len(values)} tensors; pass a callable `neuron_selector` "
                         "to choose a neuron among them")
    out = values[0]
    index = (selector,) if isinstance(selector, int) else selector
    if len(index) > out.dim() - 1:
        raise ValueError(f"`neuron_selector` {selector} has {len(index)} indices but the layer's "
                         f"values have shape {tuple(out.shape)} ({out.dim() - 1} per example)")
    for dim, idx in enumerate(index, start=1):
        if isinstance(idx, int) and not -out.shape[dim] <= idx < out.shape[dim]:
            raise ValueError(f"`neuron_selector` index {idx} is out of range for dimension {dim} of "
                             f"the layer's values, which has size {out.shape[dim]}")
    selected = out[(slice(None), *index)]
    if any(isinstance(i, slice) for i in index):
        return selected.reshape(selected.shape[0], -1).sum(1)
    if selected.dim() > 1 and selected[0].numel() != 1:
        raise ValueError(f"`neuron_selector` {selector} picks {selected[0].numel()} values per example "
                         f"from values of shape {tuple(out.shape)}; give one index per dimension")
    return selected


class NeuronMethod(NeuronAttribution):
    """A neuron attribution method: one layer, and the neuron chosen at `attribute` time."""

    def __init__(self, forward_func: Callable[..., Any], layer: Module,
                 device_ids: Optional[List[int]] = None) -> None:
        if not isinstance(layer, Module):
            raise TypeError(f"`layer` must be a torch.nn.Module, got {type(layer).__name__}")
        super().__init__(forward_func, layer, device_ids)
        check_layers(forward_func, as_layer_list(layer))

    def neuron_forward(self, selector: NeuronSelector,
                       attribute_to_neuron_input: bool = False) -> Callable[..., Tensor]:
        """A forward function returning the selected neuron's value for each example."""

        def forward(*inputs_and_args):
            (values,) = layer_eval(self.forward_func, [self.layer], inputs_and_args, None,
                                   attribute_to_neuron_input, self.device_ids,
                                   grad_enabled=torch.is_grad_enabled())
            return select_neuron(values, selector)

        return forward
