"""Quadrature rules for path integrals: where along the path to evaluate and with what weight."""

from __future__ import annotations

from typing import List, Tuple

import numpy as np
import torch

SUPPORTED_METHODS = (
    "riemann_left",
    "riemann_right",
    "riemann_middle",
    "riemann_trapezoid",
    "gausslegendre",
)


def validate_n_steps(n_steps: int, name: str = "n_steps") -> None:
    if isinstance(n_steps, bool) or not isinstance(n_steps, int):
        raise TypeError(f"`{name}` must be an int, got {type(n_steps).__name__}")
    if n_steps < 1:
        raise ValueError(f"`{name}` must be at least 1, got {n_steps}")


def approximation_parameters(method: str, n_steps: int) -> Tuple[List[float], List[float]]:
    """(step_sizes, alphas) for `n_steps` points of `method` on [0, 1].

    The Riemann rules use equal steps (trapezoid halves the end points); Gauss-Legendre
    uses numpy's nodes and weights rescaled from [-1, 1] to [0, 1]."""
    validate_n_steps(n_steps)
    if method not in SUPPORTED_METHODS:
        raise ValueError(
            f"`method` must be one of {', '.join(SUPPORTED_METHODS)}; got {method!r}"
        )
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n_steps)
        return (0.5 * weights).tolist(), (0.5 * (1 + nodes)).tolist()
    if n_steps < 2:
        raise ValueError(f"`n_steps` must be at least 2 for {method}, got {n_steps}")
    n = n_steps
    step_sizes = [1 / n] * n
    if method == "riemann_trapezoid":
        step_sizes[0] /= 2
        step_sizes[-1] /= 2
        alphas = torch.linspace(0, 1, n)
    elif method == "riemann_left":
        alphas = torch.linspace(0, 1 - 1 / n, n)
    elif method == "riemann_middle":
        alphas = torch.linspace(1 / (2 * n), 1 - 1 / (2 * n), n)
    else:
        alphas = torch.linspace(1 / n, 1, n)
    return step_sizes, alphas.tolist()
