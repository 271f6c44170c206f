"""A Conv1d classifier of generated 3-channel signals.

Class 1: a bump on channel `b` between steps 16 and 32; class 2: a bump on channel `c` between
steps 40 and 56; class 0: neither. Distractor bumps appear on channel `a` anywhere, so a good
attribution lights the deciding channel and window only.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

WEIGHTS = Path(__file__).with_name("weights.pt")
CLASSES = ["none", "early bump on b", "late bump on c"]
CHANNELS = ["a", "b", "c"]
LENGTH = 64
WINDOWS = {1: (1, 16, 32), 2: (2, 40, 56)}  # class: (channel, start, stop)


class SignalsCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(3, 16, 5, padding=2)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv1d(16, 16, 5, padding=2)
        self.relu2 = nn.ReLU()
        self.pool = nn.AdaptiveMaxPool1d(8)
        self.fc = nn.Linear(16 * 8, len(CLASSES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu2(self.conv2(self.relu1(self.conv1(x))))
        return self.fc(self.pool(x).flatten(1))


def _bump(center: torch.Tensor) -> torch.Tensor:
    t = torch.arange(LENGTH, dtype=torch.float32)
    return torch.exp(-((t - center.unsqueeze(1)) ** 2) / 8.0)


def load_data(n: int = 3000, seed: int = 0):
    """(train_x, train_y, test_x, test_y): signals of shape (N, 3, LENGTH)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 3, (n,), generator=g)
    x = 0.2 * torch.randn(n, 3, LENGTH, generator=g)
    x[:, 0] += _bump(torch.randint(4, LENGTH - 4, (n,), generator=g).float())
    t = torch.arange(LENGTH, dtype=torch.float32)
    x += 0.3 * torch.sin(t / 5 + 2 * math.pi * torch.rand(n, 3, 1, generator=g))
    for label, (channel, start, stop) in WINDOWS.items():
        rows = (y == label).nonzero().squeeze(1)
        centers = torch.randint(start + 3, stop - 3, (len(rows),), generator=g).float()
        x[rows, channel] += 1.5 * _bump(centers)
    split = int(0.8 * n)
    return x[:split], y[:split], x[split:], y[split:]


def load_model() -> SignalsCNN:
    model = SignalsCNN()
    model.load_state_dict(torch.load(WEIGHTS, weights_only=True))
    return model.eval()
