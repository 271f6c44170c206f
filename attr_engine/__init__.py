"""attr_engine: attribution methods for PyTorch models with ``captum.attr``'s public API.

Switch from Captum by changing the import: ``from attr_engine import IntegratedGradients``.
Long-running methods report progress and can be cancelled through :class:`ProgressMonitor`;
every method is described in :data:`REGISTRY` for user interfaces.
"""

from .core.base import (
    Attribution,
    GradientAttribution,
    InternalAttribution,
    LayerAttribution,
    NeuronAttribution,
    PerturbationAttribution,
)
from .core.progress import Cancelled, ProgressMonitor, current_monitor
from .core.registry import REGISTRY, MethodSpec, Param, get_method
from .gradient import (
    Deconvolution,
    DeepLift,
    DeepLiftShap,
    GradientShap,
    GuidedBackprop,
    InputXGradient,
    IntegratedGradients,
    NoiseTunnel,
    Saliency,
)

from . import interpretable, layer, neuron, perturbation
from .interpretable import *  # noqa: F401,F403
from .layer import *  # noqa: F401,F403  (each family lists its public names in __all__)
from .neuron import *  # noqa: F401,F403
from .perturbation import *  # noqa: F401,F403

__version__ = "0.1.0"

__all__ = [
    "Attribution",
    "Cancelled",
    "Deconvolution",
    "DeepLift",
    "DeepLiftShap",
    "GradientAttribution",
    "GradientShap",
    "GuidedBackprop",
    "InputXGradient",
    "IntegratedGradients",
    "InternalAttribution",
    "LayerAttribution",
    "MethodSpec",
    "NeuronAttribution",
    "NoiseTunnel",
    "Param",
    "PerturbationAttribution",
    "ProgressMonitor",
    "current_monitor",
    "REGISTRY",
    "Saliency",
    "get_method",
    *interpretable.__all__,
    *perturbation.__all__,
    *layer.__all__,
    *neuron.__all__,
]


def __getattr__(name):
    """``attr_engine.visualization`` and ``attr_engine.metrics`` load on first use (matplotlib
    and plotly are heavy imports the rest of the engine does not need)."""
    if name in ("visualization", "metrics"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'attr_engine' has no attribute {name!r}")
