"""NeuronFeatureAblation: set input features to a baseline and watch one neuron."""

from __future__ import annotations

from typing import Optional

import torch

from ..core.base import PerturbationAttribution
from ..core.inputs import (
    as_tuple,
    broadcast_baselines,
    expand_additional_args,
    format_additional_args,
    format_baselines,
    format_output,
    is_tuple,
    run_forward,
)
from ..core.registry import Param, register
from ..perturbation._common import progress_label
from ..layer.ablation import ablate, check_perturbations_per_eval, format_masks
from .gradient import NEURON_INPUT
from .selector import NeuronMethod, resolve_selector


@register("neuron", params=(
    NEURON_INPUT,
    Param("perturbations_per_eval", "int", 1, minimum=1, maximum=10000,
          help="Ablations evaluated together in one forward pass."),
), baselines="optional", needs_layer=True, needs_neuron=True, progress=True)
class NeuronFeatureAblation(NeuronMethod, PerturbationAttribution):
    """Each input feature (or group in `feature_mask`) is replaced by its baseline; its
    attribution is the resulting change of the neuron's value."""

    def attribute(self, inputs, neuron_selector=None, baselines=None,
                  additional_forward_args: Optional[object] = None, feature_mask=None,
                  attribute_to_neuron_input: bool = False, perturbations_per_eval: int = 1,
                  *, neuron_index=None, show_progress: bool = False):
        selector = resolve_selector(neuron_selector, neuron_index)
        check_perturbations_per_eval(perturbations_per_eval)
        was_tuple = is_tuple(inputs)
        inputs_t = as_tuple(inputs)
        baselines_t = format_baselines(baselines, inputs_t)
        baselines_t = broadcast_baselines(inputs_t, baselines_t)
        n = inputs_t[0].shape[0]
        masks = format_masks(feature_mask, inputs_t, "feature_mask")
        args = format_additional_args(additional_forward_args)
        neuron = self.neuron_forward(selector, attribute_to_neuron_input)

        def evaluate(perturbed, copies):
            with torch.no_grad():
                return run_forward(neuron, perturbed, None, expand_additional_args(args, copies, batch_size=n))

        attributions = ablate(evaluate, inputs_t, baselines_t, masks, perturbations_per_eval,
                              desc=progress_label(self), show_progress=show_progress)
        return format_output(was_tuple, attributions)
