"""Linear surrogates trained by stochastic gradient descent in torch."""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Callable, Deque, Dict, Optional

import torch
from torch import Tensor
from torch.utils.data import DataLoader

from .model import LinearModel


def l2_loss(y: Tensor, prediction: Tensor, weights: Optional[Tensor] = None) -> Tensor:
    """Half the (weighted) mean squared error."""
    squared = (y - prediction) ** 2
    if weights is None:
        return squared.mean() / 2
    return (weights / weights.abs().sum() * squared).sum() / 2


def sgd_train_linear_model(
    model: LinearModel,
    dataloader: DataLoader,
    construct_kwargs: Dict[str, Any],
    max_epoch: int = 100,
    reduce_lr: bool = True,
    initial_lr: float = 0.01,
    alpha: float = 1.0,
    loss_fn: Callable[[Tensor, Tensor, Optional[Tensor]], Tensor] = l2_loss,
    reg_term: Optional[int] = 1,
    patience: int = 10,
    threshold: float = 1e-4,
    running_loss_window: Optional[int] = None,
    device: Optional[str] = None,
    init_scheme: str = "zeros",
    debug: bool = False,
) -> Dict[str, float]:
    """Minimise ``loss_fn + alpha * |weight|_reg_term`` by SGD, one step per batch.

    Convergence follows Captum's documented rule: the loss averaged over the last
    `running_loss_window` steps (default: the examples in one epoch) has not fallen below its
    lowest value by more than `threshold` for `patience` steps in a row; that average also
    drives the learning-rate schedule and is the reported ``train_loss``."""
    if init_scheme not in ("zeros", "xavier"):
        raise ValueError(f"`init_scheme` must be 'zeros' or 'xavier', got {init_scheme!r}")
    first = next(iter(dataloader), None)
    if first is None:
        raise ValueError("`dataloader` is empty")
    outputs = first[1].shape[1] if first[1].dim() == 2 else 1
    model._construct_model_params(in_features=first[0].shape[1], out_features=outputs,
                                  **construct_kwargs)
    if device is not None:
        model.to(device)
    with torch.no_grad():
        if init_scheme == "zeros":
            model.linear.weight.zero_()
        else:
            torch.nn.init.xavier_uniform_(model.linear.weight)
        if model.linear.bias is not None:
            model.linear.bias.zero_()
    if running_loss_window is None:
        running_loss_window = first[0].shape[0] * len(dataloader)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=initial_lr)
    scheduler = (torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=patience,
                                                            threshold=threshold)
                 if reduce_lr else None)
    # Captum 0.9 trims its window to `running_loss_window` before appending, so a full
    # window averages the last running_loss_window + 1 losses; the same here, for its numbers.
    window: Deque[Tensor] = deque(maxlen=running_loss_window + 1)
    lowest: Optional[Tensor] = None
    stale, steps, epoch, converged, began = 0, 0, 0, False, time.time()
    with torch.enable_grad():
        while epoch < max_epoch and not converged:
            for batch in dataloader:
                x, y = batch[0], batch[1]
                w = batch[2] if len(batch) == 3 else None
                if device is not None:
                    x, y, w = x.to(device), y.to(device), None if w is None else w.to(device)
                y = y.reshape(x.shape[0], -1)
                w = None if w is None else w.reshape(x.shape[0], -1)
                steps += 1
                loss = loss_fn(y, model(x), w)
                if reg_term is not None:
                    loss = loss + alpha * torch.norm(model.linear.weight, p=reg_term)
                window.append(loss.detach().clone())
                average = torch.stack(tuple(window)).mean()
                if lowest is not None:
                    if average > lowest or torch.isclose(lowest, average, atol=threshold):
                        stale += 1
                        if stale >= patience:
                            converged = True
                            break
                    else:
                        stale = 0
                if lowest is None or lowest >= average:
                    lowest = average
                if debug:
                    print(f"lr={optimizer.param_groups[0]['lr']}, loss={float(loss)}, "
                          f"average={float(average)}, lowest={float(lowest)}")
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if scheduler is not None:
                    scheduler.step(average)
            else:
                epoch += 1
    model.eval()
    return {"train_time": time.time() - began,
            "train_loss": float(torch.stack(tuple(window)).mean()), "train_iter": steps,
            "train_epoch": epoch}


class SGDLinearModel(LinearModel):
    """A linear model trained by :func:`sgd_train_linear_model`; `kwargs` go to
    ``_construct_model_params`` (e.g. ``norm_type``, ``bias``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(train_fn=sgd_train_linear_model, **kwargs)


class SGDLasso(SGDLinearModel):
    """Squared loss + alpha * L1 norm of the weights, by SGD (weights need not reach 0)."""

    def fit(self, train_data: DataLoader, **kwargs: Any):
        return super().fit(train_data, loss_fn=l2_loss, reg_term=1, **kwargs)


class SGDRidge(SGDLinearModel):
    """Squared loss + alpha * L2 norm of the weights, by SGD."""

    def fit(self, train_data: DataLoader, **kwargs: Any):
        return super().fit(train_data, loss_fn=l2_loss, reg_term=2, **kwargs)


class SGDLinearRegression(SGDLinearModel):
    """Squared loss, no penalty, by SGD."""

    def fit(self, train_data: DataLoader, **kwargs: Any):
        return super().fit(train_data, loss_fn=l2_loss, reg_term=None, **kwargs)
