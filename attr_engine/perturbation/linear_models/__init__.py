"""Interpretable surrogate models for LIME and Kernel SHAP (Captum's ``linear_model``)."""

from .closed_form import TorchLasso, TorchLinearRegression, TorchRidge
from .model import LinearModel, Model
from .sgd import SGDLasso, SGDLinearModel, SGDLinearRegression, SGDRidge, sgd_train_linear_model
from .sklearn import SkLearnLasso, SkLearnLinearModel, SkLearnLinearRegression, SkLearnRidge

__all__ = [
    "LinearModel",
    "Model",
    "SGDLasso",
    "SGDLinearModel",
    "SGDLinearRegression",
    "SGDRidge",
    "SkLearnLasso",
    "SkLearnLinearModel",
    "SkLearnLinearRegression",
    "SkLearnRidge",
    "TorchLasso",
    "TorchLinearRegression",
    "TorchRidge",
    "sgd_train_linear_model",
]
