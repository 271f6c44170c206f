"""Surrogates trained by scikit-learn (an optional dependency, imported only when fitting)."""

from __future__ import annotations

import warnings
from functools import reduce
from typing import Any, Dict

import torch
from torch.utils.data import DataLoader

from .model import LinearModel, collect


def _import_sklearn():
    try:
        import sklearn
        import sklearn.linear_model  # noqa: F401
        import sklearn.svm  # noqa: F401
    except ImportError:
        raise ImportError("scikit-learn is not installed: `pip install attr-insights[sklearn]`, "
                          "or use a pure-torch surrogate such as TorchLasso") from None
    return sklearn


def train_sklearn(model: LinearModel, dataloader: DataLoader, construct_kwargs: Dict[str, Any],
                  sklearn_trainer: str = "linear_model.Lasso", norm_input: bool = False,
                  **fit_kwargs: Any) -> Dict[str, float]:
    """Fit ``sklearn.<sklearn_trainer>(**construct_kwargs)`` and copy its coefficients."""
    sklearn = _import_sklearn()
    x, y, w = collect(dataloader)
    x, y = x.cpu().numpy(), y.cpu().numpy()
    w = None if w is None else w.cpu().numpy()
    mean = std = None
    if norm_input:
        mean, std = x.mean(0), x.std(0)
        x = (x - mean) / std
    cls = reduce(getattr, sklearn_trainer.split("."), sklearn)
    estimator = cls(**construct_kwargs)
    try:
        estimator.fit(x, y, sample_weight=w, **fit_kwargs)
    except TypeError:
        estimator.fit(x, y, **fit_kwargs)
        warnings.warn(f"{sklearn_trainer} does not take sample weights; trained without them",
                      stacklevel=2)
    coef = torch.as_tensor(estimator.coef_, dtype=torch.float32)
    outputs = coef.shape[0] if coef.dim() > 1 else 1
    intercept = torch.as_tensor(estimator.intercept_, dtype=torch.float32).reshape(-1)
    classes = torch.as_tensor(estimator.classes_).int() if hasattr(estimator, "classes_") else None
    model._construct_model_params(norm_type=None, weight_values=coef.reshape(outputs, -1),
                                  bias_value=intercept.expand(outputs).contiguous(), classes=classes)
    if norm_input:
        model.norm = _Standardize(torch.as_tensor(mean), torch.as_tensor(std))
    return {}


class _Standardize(torch.nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor, eps: float = 1e-8) -> None:
        super().__init__()
        self.mean, self.std, self.eps = mean, std, eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / (self.std + self.eps)


class SkLearnLinearModel(LinearModel):
    """A linear model trained by the scikit-learn estimator named by `sklearn_module`
    (e.g. ``"linear_model.Lasso"``); `kwargs` go to the estimator's constructor."""

    def __init__(self, sklearn_module: str, **kwargs: Any) -> None:
        super().__init__(train_fn=train_sklearn, **kwargs)
        self.sklearn_module = sklearn_module

    def fit(self, train_data: DataLoader, **kwargs: Any):
        return super().fit(train_data, sklearn_trainer=self.sklearn_module, **kwargs)


class SkLearnLinearRegression(SkLearnLinearModel):
    """``sklearn.linear_model.LinearRegression``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("linear_model.LinearRegression", **kwargs)


class SkLearnLasso(SkLearnLinearModel):
    """``sklearn.linear_model.Lasso`` (sample weights need scikit-learn >= 0.23)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("linear_model.Lasso", **kwargs)


class SkLearnRidge(SkLearnLinearModel):
    """``sklearn.linear_model.Ridge``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("linear_model.Ridge", **kwargs)
