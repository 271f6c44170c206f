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


def fit_hf(model: nn.Module, ids: torch.Tensor, mask: torch.Tensor, labels: torch.Tensor, *, epochs: int,
           lr: float, batch_size: int = 64) -> nn.Module:
    """A Hugging Face model's own loss (``labels=``) under AdamW with a one-cycle learning rate;
    each batch is cut to its longest text. ``labels``: one per text, or one per token (a LM)."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=lr, total_steps=epochs * -(-len(ids) // batch_size), pct_start=0.1)
    model.train()
    for _ in range(epochs):
        for rows in torch.randperm(len(ids)).split(batch_size):
            length = int(mask[rows].sum(1).max())
            optimizer.zero_grad()
            target = labels[rows, :length] if labels.dim() == 2 else labels[rows]
            model(input_ids=ids[rows, :length], attention_mask=mask[rows, :length], labels=target).loss.backward()
            optimizer.step()
            schedule.step()
    return model.eval()
