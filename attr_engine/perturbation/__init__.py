"""Perturbation attribution methods: ablation, occlusion, permutation, Shapley values,
LIME and Kernel SHAP, with their surrogate linear models."""

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
