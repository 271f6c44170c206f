"""Neuron attribution methods."""

from .conductance import NeuronConductance
from .feature_ablation import NeuronFeatureAblation
from .gradient import (
    NeuronDeepLift,
    NeuronDeepLiftShap,
    NeuronGradient,
    NeuronGradientShap,
    NeuronIntegratedGradients,
)
from .guided_backprop import NeuronDeconvolution, NeuronGuidedBackprop

__all__ = [
    "NeuronConductance",
    "NeuronDeconvolution",
    "NeuronDeepLift",
    "NeuronDeepLiftShap",
    "NeuronFeatureAblation",
    "NeuronGradient",
    "NeuronGradientShap",
    "NeuronGuidedBackprop",
    "NeuronIntegratedGradients",
]
