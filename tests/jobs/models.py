"""Tiny models and data sets for the data-set job tests (importable by subprocesses and Ray workers)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import torch
from torch import nn

from insights import Batch, GeneralFeature

CLASSES = ["low", "mid", "high"]
FEATURES = [GeneralFeature("x", list("abcdef"))]


class Tabular(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.fc1 = nn.Linear(6, 8)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.relu(self.fc1(x)))


class Slow(Tabular):
    """Sleeps in every forward call: a job long enough to kill or cancel mid-run."""

    def __init__(self, delay: float = 0.05) -> None:
        super().__init__()
        self.delay = delay

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(self.delay)
        return super().forward(x)


class Picky(Tabular):
    """Cannot attribute an example whose first value is above 50 (predicts it fine)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.requires_grad and bool((x[:, 0] > 50).any()):
            raise RuntimeError("poisoned example")
        return super().forward(x)


class DiesOnce(Tabular):
    """Kills its own process the first time it attributes (a worker that dies), then behaves."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.requires_grad and not Path(self.marker).exists():
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)
        return super().forward(x)


def data(n: int = 40, size: int = 7, poison=()):
    """A list of Batch: ``n`` examples in batches of ``size`` (not a multiple of the shard size)."""
    g = torch.Generator().manual_seed(1)
    x = torch.randn(n, 6, generator=g)
    y = torch.randint(0, 3, (n,), generator=g)
    for i in poison:
        x[i, 0] = 100.0
    return [Batch(x[i:i + size], y[i:i + size]) for i in range(0, n, size)]


def workspace():
    """A user's workspace factory, as ``python -m insights.jobs run --workspace`` takes it."""
    from insights import AttributionVisualizer

    return AttributionVisualizer([Tabular()], CLASSES, FEATURES, data(), lambda logits: logits.softmax(-1),
                                 cache=False)


if __name__ == "__main__":  # python -m tests.jobs.models STORE: a slow job, to be killed
    from insights.jobs import run_job

    run_job(Slow(0.05), FEATURES, data(), sys.argv[1], method="IntegratedGradients",
            args={"n_steps": 8, "internal_batch_size": 4}, classes=CLASSES, shard_size=4)
