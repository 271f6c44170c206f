"""Gradient attribution methods."""

from .deep_lift import DeepLift, DeepLiftShap
from .gradient_shap import GradientShap, InputBaselineXGradient
from .guided_backprop import Deconvolution, GuidedBackprop
from .integrated_gradients import IntegratedGradients
from .noise_tunnel import NoiseTunnel
from .saliency import InputXGradient, Saliency

__all__ = [
    "Deconvolution",
    "DeepLift",
    "DeepLiftShap",
    "GradientShap",
    "GuidedBackprop",
    "InputBaselineXGradient",
    "InputXGradient",
    "IntegratedGradients",
    "NoiseTunnel",
    "Saliency",
]
