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

__all__ = [
    "NeuronConductance",
    "NeuronDeepLift",
    "NeuronDeepLiftShap",
    "NeuronFeatureAblation",
    "NeuronGradient",
    "NeuronGradientShap",
    "NeuronIntegratedGradients",
]
