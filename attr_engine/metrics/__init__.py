"""How far to trust an attribution: Captum's ``infidelity`` and ``sensitivity_max`` under its
names and arguments, deletion/insertion curves with their areas, and the model-randomisation
sanity check. Every loop of model evaluations is chunked, reports progress and can be cancelled.
"""

from .curves import PerturbationCurve, deletion_curve, insertion_curve
from .infidelity import infidelity, infidelity_perturb_func_decorator
from .randomization import RandomizationResult, model_randomization, spearman
from .sensitivity import sensitivity_max

__all__ = [
    "PerturbationCurve",
    "RandomizationResult",
    "deletion_curve",
    "infidelity",
    "infidelity_perturb_func_decorator",
    "insertion_curve",
    "model_randomization",
    "sensitivity_max",
    "spearman",
]
