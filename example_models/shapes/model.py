"""A small CNN on generated colour shapes whose object masks are known.

Each 32x32 RGB image holds one circle, square or triangle of a random colour, size and place on
a noisy background; the class is the shape. The mask of the object comes with each image, so an
attribution's localisation can be scored (how much of it falls on the object).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

WEIGHTS = Path(__file__).with_name("weights.pt")
CLASSES = ["circle", "square", "triangle"]
SIZE = 32


class ShapesCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1)
        self.relu3 = nn.ReLU()
        self.pool3 = nn.AdaptiveMaxPool2d(1)
        self.fc = nn.Linear(32, len(CLASSES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        return self.fc(self.pool3(self.relu3(self.conv3(x))).flatten(1))


def make_shapes(n: int, seed: int = 0):
    """(images (n, 3, SIZE, SIZE) in [0, 1], labels (n,), masks (n, SIZE, SIZE) bool)."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, len(CLASSES), (n,), generator=g)
    radius = torch.randint(5, 10, (n, 1, 1), generator=g).float()
    cx = (radius + torch.rand(n, 1, 1, generator=g) * (SIZE - 2 * radius)).floor()
    cy = (radius + torch.rand(n, 1, 1, generator=g) * (SIZE - 2 * radius)).floor()
    y, x = torch.meshgrid(torch.arange(SIZE).float(), torch.arange(SIZE).float(), indexing="ij")
    dx, dy = x - cx, y - cy
    circle = dx ** 2 + dy ** 2 <= radius ** 2
    square = (dx.abs() <= radius * 0.8) & (dy.abs() <= radius * 0.8)
    triangle = (dy <= radius * 0.8) & (dy >= -radius) & (dx.abs() <= (dy + radius) * 0.55)
    masks = torch.stack([circle, square, triangle], 1)[torch.arange(n), labels]
    colour = 0.5 + 0.5 * torch.rand(n, 3, 1, 1, generator=g)
    background = 0.25 * torch.rand(n, 3, 1, 1, generator=g) + 0.08 * torch.randn(n, 3, SIZE, SIZE, generator=g)
    images = torch.where(masks.unsqueeze(1), colour.expand(n, 3, SIZE, SIZE), background).clamp(0, 1)
    return images, labels, masks


def load_data(n: int = 2000, seed: int = 0):
    """(train_x, train_y, test_x, test_y, test_masks)."""
    x, y, masks = make_shapes(n, seed)
    split = int(0.8 * n)
    return x[:split], y[:split], x[split:], y[split:], masks[split:]


def load_model() -> ShapesCNN:
    model = ShapesCNN()
    model.load_state_dict(torch.load(WEIGHTS, weights_only=True))
    return model.eval()
