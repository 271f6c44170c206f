"""Weighted linear least squares, ridge and lasso in torch: no scikit-learn needed.

Least squares and ridge are solved in closed form (in float64), giving scikit-learn's
``LinearRegression``/``Ridge`` answers with sample weights, much faster for LIME-sized
problems. Lasso minimises scikit-learn's objective
``(1 / 2n) * sum(w' * (y - Xb - c)^2) + alpha * |b|_1`` (weights rescaled to sum to n) by
accelerated proximal gradient (FISTA) — the same optimum, reached by another route."""

from __future__ import annotations

from typing import Any, Dict, Optional

import torch
from torch import Tensor
from torch.utils.data import DataLoader

from .model import LinearModel, collect


def _centered(x: Tensor, y: Tensor, w: Optional[Tensor], fit_intercept: bool):
    x, y = x.double(), y.double().reshape(x.shape[0], -1)
    w = torch.ones(x.shape[0], dtype=torch.float64) if w is None else w.double().reshape(-1).to(x.device)
    if not fit_intercept:
        return x, y, w, torch.zeros(x.shape[1], dtype=x.dtype), torch.zeros(y.shape[1], dtype=y.dtype)
    x_mean = (w[:, None] * x).sum(0) / w.sum()
    y_mean = (w[:, None] * y).sum(0) / w.sum()
    return x - x_mean, y - y_mean, w, x_mean, y_mean


def _store(model: LinearModel, coef: Tensor, x_mean: Tensor, y_mean: Tensor, fit_intercept: bool) -> None:
    """coef (in, out) → the model's weights (out, in) and bias, in float32."""
    bias = y_mean - x_mean @ coef if fit_intercept else torch.zeros(coef.shape[1], dtype=coef.dtype)
    model._construct_model_params(norm_type=None, weight_values=coef.T.float().contiguous(),
                                  bias_value=bias.float())


def train_least_squares(model: LinearModel, dataloader: DataLoader, construct_kwargs: Dict[str, Any],
                        **_: Any) -> Dict[str, float]:
    alpha = float(construct_kwargs.get("alpha", 0.0))
    fit_intercept = bool(construct_kwargs.get("fit_intercept", True))
    xc, yc, w, x_mean, y_mean = _centered(*collect(dataloader), fit_intercept)
    root = w.clamp(min=0).sqrt()[:, None]
    xs, ys = xc * root, yc * root
    if alpha > 0:
        gram = xs.T @ xs + alpha * torch.eye(xs.shape[1], dtype=xs.dtype)
        coef = torch.linalg.solve(gram, xs.T @ ys)
    else:  # minimum-norm solution when the samples do not determine every coefficient
        coef = torch.linalg.lstsq(xs, ys, driver="gelsd").solution
    _store(model, coef, x_mean, y_mean, fit_intercept)
    return {}


def train_lasso(model: LinearModel, dataloader: DataLoader, construct_kwargs: Dict[str, Any],
                max_iter: Optional[int] = None, tol: Optional[float] = None, **_: Any) -> Dict[str, float]:
    alpha = float(construct_kwargs.get("alpha", 1.0))
    fit_intercept = bool(construct_kwargs.get("fit_intercept", True))
    max_iter = int(max_iter or construct_kwargs.get("max_iter", 10000))
    tol = float(tol or construct_kwargs.get("tol", 1e-10))
    xc, yc, w, x_mean, y_mean = _centered(*collect(dataloader), fit_intercept)
    n = xc.shape[0]
    w = w * n / w.sum()
    xs, ys = xc * w.sqrt()[:, None], yc * w.sqrt()[:, None]
    gram, corr = xs.T @ xs / n, xs.T @ ys / n
    step = 1.0 / max(float(torch.linalg.eigvalsh(gram).max()), 1e-12)
    coef = torch.zeros(xs.shape[1], ys.shape[1], dtype=xs.dtype)
    momentum, t = coef.clone(), 1.0
    for iteration in range(max_iter):  # noqa: B007 (read after the loop: the iterations run)
        grad = gram @ momentum - corr
        z = momentum - step * grad
        new = torch.sign(z) * (z.abs() - step * alpha).clamp(min=0)
        t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2
        momentum = new + ((t - 1) / t_next) * (new - coef)
        change = float((new - coef).abs().max())
        coef, t = new, t_next
        if change <= tol * max(float(coef.abs().max()), 1e-12):
            break
    _store(model, coef, x_mean, y_mean, fit_intercept)
    return {"train_iter": iteration + 1}


class TorchLinearRegression(LinearModel):
    """Weighted least squares with intercept, solved in closed form (scikit-learn's
    ``LinearRegression`` answer, minimum-norm when under-determined)."""

    def __init__(self, fit_intercept: bool = True) -> None:
        super().__init__(train_fn=train_least_squares, fit_intercept=fit_intercept)


class TorchRidge(LinearModel):
    """Weighted ridge regression ``sum(w (y - Xb - c)^2) + alpha |b|^2`` in closed form
    (scikit-learn's ``Ridge`` answer)."""

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True) -> None:
        super().__init__(train_fn=train_least_squares, alpha=alpha, fit_intercept=fit_intercept)


class TorchLasso(LinearModel):
    """Weighted lasso with scikit-learn's ``Lasso`` objective, solved by FISTA in torch;
    LIME's surrogate when scikit-learn is not installed."""

    def __init__(self, alpha: float = 1.0, fit_intercept: bool = True, max_iter: int = 10000,
                 tol: float = 1e-10) -> None:
        super().__init__(train_fn=train_lasso, alpha=alpha, fit_intercept=fit_intercept,
                         max_iter=max_iter, tol=tol)
