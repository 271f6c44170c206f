"""Each layer's output shape per example, for the dashboard's description of a model, so its
neuron picker offers only neurons that exist.

The shapes are the ones the service's neuron checks measure (one forward pass of the workspace's
first example per model and input shape, kept); layers whose output is not one tensor are left out.
"""

from __future__ import annotations

from typing import Any, Dict, List

from .attribution import layer_names


def layer_shapes(service: Any, entry: Any) -> Dict[str, List[int]]:
    """``{layer name: its output's shape without the batch}`` for ``entry``'s model (empty when the
    data set or the model cannot give one: the picker then takes the neuron as text)."""
    try:
        example = service.store.template()
        shapes = {name: service._layer_shape(entry, name, False, example) for name in layer_names(entry.module)}
    except Exception:  # an empty or failing data set or model: it says so when it is run
        return {}
    return {name: list(shape) for name, shape in shapes.items() if shape}
