"""The training loop and accuracy check shared by the example models' scripts."""

from __future__ import annotations

import torch
from torch import nn


def fit(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float,
        batch_size: int = 64) -> nn.Module:
    """Adam on cross-entropy; deterministic under the caller's seed."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    for _ in range(epochs):
        for rows in torch.randperm(len(y)).split(batch_size):
            optimizer.zero_grad()
            loss_fn(model(x[rows]), y[rows]).backward()
            optimizer.step()
    return model.eval()


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return (model.eval()(x).argmax(1) == y).float().mean().item()
