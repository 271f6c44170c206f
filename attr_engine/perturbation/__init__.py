"""Perturbation attribution methods: ablation, occlusion, permutation, Shapley values,
LIME and Kernel SHAP, with their surrogate linear models.

Same names, arguments and numbers as ``captum.attr`` 0.9, with these differences:

- ``perturbations_per_eval`` defaults to ``"auto"`` (Captum: 1): perturbations run in chunks
  sized by measurement; any setting gives the same result, random draws included, and a model
  that returns one value per batch runs one perturbation per pass.
- Feature masks are checked: integer ids (floats holding whole numbers are accepted, as in
  Captum), shapes that broadcast to the input, no negative ids; methods that count features as
  ``max id + 1`` (Shapley values, LIME, Kernel SHAP) reject gaps in the ids. FeaturePermutation
  needs a batch of at least two examples.
- Baselines that broadcast to the input work in every method, and an integer input with a
  float baseline is perturbed in floating point (Captum's Shapley methods truncate the baseline).
- ``attribute_future`` (FeatureAblation, FeaturePermutation, the Shapley methods) waits for each
  model future in turn and returns a completed Future.
- ShapleyValues evaluates the 2^F coalitions instead of F·F! orderings (same values).
- KernelShap fits its regression in closed form in torch (:class:`TorchLinearRegression`);
  Lime's default ``SkLearnLasso(alpha=0.01)`` becomes :class:`TorchLasso` without scikit-learn.
- ``Lime.attribute(n_perturb_samples=...)`` is accepted as a deprecated alias of ``n_samples``.
- Progress and cancellation go through :class:`~attr_engine.ProgressMonitor`;
  ``ProgressMonitor(on_partial=fn)`` streams partial attributions after each chunk
  (FeatureAblation, FeaturePermutation, Occlusion).
"""

from .feature_ablation import FeatureAblation
from .feature_permutation import FeaturePermutation
from .kernel_shap import KernelShap
from .lime import Lime, LimeBase, get_exp_kernel_similarity_function
from .linear_models import (
    LinearModel,
    Model,
    SGDLasso,
    SGDLinearModel,
    SGDLinearRegression,
    SGDRidge,
    SkLearnLasso,
    SkLearnLinearModel,
    SkLearnLinearRegression,
    SkLearnRidge,
    TorchLasso,
    TorchLinearRegression,
    TorchRidge,
)
from .occlusion import Occlusion
from .shapley import ShapleyValues, ShapleyValueSampling

__all__ = [
    "FeatureAblation",
    "FeaturePermutation",
    "KernelShap",
    "Lime",
    "LimeBase",
    "LinearModel",
    "Model",
    "Occlusion",
    "SGDLasso",
    "SGDLinearModel",
    "SGDLinearRegression",
    "SGDRidge",
    "ShapleyValueSampling",
    "ShapleyValues",
    "SkLearnLasso",
    "SkLearnLinearModel",
    "SkLearnLinearRegression",
    "SkLearnRidge",
    "TorchLasso",
    "TorchLinearRegression",
    "TorchRidge",
    "get_exp_kernel_similarity_function",
]
