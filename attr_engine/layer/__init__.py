"""Layer attribution methods."""

from .activation import LayerActivation, LayerGradientXActivation
from .conductance import InternalInfluence, LayerConductance
from .deep_lift import LayerDeepLift, LayerDeepLiftShap
from .feature_ablation import LayerFeatureAblation
from .feature_permutation import LayerFeaturePermutation
from .grad_cam import GuidedGradCam, LayerGradCam
from .gradient_shap import LayerGradientShap
from .integrated_gradients import LayerIntegratedGradients
from .layers import get_layer, list_layers

__all__ = [
    "GuidedGradCam",
    "InternalInfluence",
    "LayerActivation",
    "LayerConductance",
    "LayerDeepLift",
    "LayerDeepLiftShap",
    "LayerFeatureAblation",
    "LayerFeaturePermutation",
    "LayerGradCam",
    "LayerGradientShap",
    "LayerGradientXActivation",
    "LayerIntegratedGradients",
    "get_layer",
    "list_layers",
]
