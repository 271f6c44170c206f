"""Models, inputs and argument forms for the perturbation tests."""

from __future__ import annotations

import torch
from torch import nn

from tests.models import make_case, seeded


class CNN16(nn.Module):
    """Conv-BN-ReLU-pool blocks for 3×16×16 images."""

    def __init__(self, n_out: int = 4) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(8 * 4 * 4, 10), nn.ReLU(), nn.Linear(10, n_out))

    def forward(self, x):
        return self.head(self.features(x))


def case(name: str, batch: int = 0, seed: int = 0):
    """(model, inputs, additional_forward_args) for "cnn16", "mlp", "two_input", "with_args"
    (batch 0: 2 images or 3 rows).

    The additional args of "with_args" avoid 0-d tensors, which Captum's Lime cannot split."""
    batch = batch or (2 if name == "cnn16" else 3)
    if name == "cnn16":
        g = torch.Generator().manual_seed(seed + 1)
        return seeded(CNN16(), seed), torch.rand(batch, 3, 16, 16, generator=g), None
    model, inputs, args = make_case(name, batch=batch, seed=seed)
    if name == "with_args":
        args = (args[0], 0.3, True)
    return model, inputs, args


CASES = ("cnn16", "mlp", "two_input", "with_args")


def grouped_mask(name: str, per_example: int = 0, small: bool = False):
    """A feature mask grouping the case's input elements into 4-5 features (3 if `small`:
    Captum's exact Shapley values cost F·F! forward passes).

    With `per_example` > 0, the mask has one row per example (shifted per example)."""
    if name == "cnn16":
        cells = (torch.arange(16).view(16, 1) // 8) * 2 + torch.arange(16).view(1, 16) // 8
        mask = cells.expand(3, 16, 16).clone()
        mask[0][cells == 0] = 4  # channel 0 of the first quadrant is a feature of its own
        mask = mask.unsqueeze(0)
    elif name == "two_input":
        mask = (torch.tensor([[0, 1, 1, 2]]), torch.tensor([[[3, 3], [0, 4], [4, 2]]]))
    elif name == "mlp":
        mask = torch.tensor([[0, 1, 2, 3, 0, 1]])
    else:
        mask = torch.tensor([[0, 1, 2, 0, 3]])
    if small:
        mask = tuple(m.clamp(max=2) for m in mask) if isinstance(mask, tuple) else mask.clamp(max=2)
    if not per_example:
        return mask
    def rows(m):
        n_feat = int(m.max()) + 1
        return torch.cat([(m + i) % n_feat for i in range(per_example)])
    return tuple(rows(m) for m in mask) if isinstance(mask, tuple) else rows(mask)


def baseline_forms(inputs):
    """Baselines in every documented form for these inputs."""
    single = isinstance(inputs, torch.Tensor)
    tensors = (inputs,) if single else inputs
    g = torch.Generator().manual_seed(7)
    same = tuple(torch.rand(t.shape, generator=g) * 0.1 for t in tensors)
    batch1 = tuple(torch.rand(t[:1].shape, generator=g) * 0.1 for t in tensors)
    forms = {"none": None, "scalar": 0.25 if single else (0.25,) * len(tensors)}
    if single:
        forms.update(same_shape=same[0], batch_one=batch1[0])
    else:
        forms.update(same_shape=same, batch_one=batch1, mixed=(0.5,) + batch1[1:])
    return forms


def n_examples(inputs) -> int:
    return (inputs if isinstance(inputs, torch.Tensor) else inputs[0]).shape[0]
