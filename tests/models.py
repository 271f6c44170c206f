"""Small models shared by the test suite: several architectures and argument forms."""

from __future__ import annotations

import torch
from torch import nn


class MLP(nn.Module):
    """Dense layers with several nonlinearities DeepLift supports."""

    def __init__(self, n_in: int = 6, n_out: int = 3, softmax: bool = False) -> None:
        super().__init__()
        self.lin1 = nn.Linear(n_in, 8)
        self.relu = nn.ReLU()
        self.lin2 = nn.Linear(8, 8)
        self.elu = nn.ELU()
        self.lin3 = nn.Linear(8, 8)
        self.tanh = nn.Tanh()
        self.lin4 = nn.Linear(8, 8)
        self.sigmoid = nn.Sigmoid()
        self.lin5 = nn.Linear(8, 8)
        self.softplus = nn.Softplus()
        self.leaky = nn.LeakyReLU(0.1)
        self.out = nn.Linear(8, n_out)
        self.softmax = nn.Softmax(dim=1) if softmax else nn.Identity()

    def forward(self, x):
        x = self.relu(self.lin1(x))
        x = self.elu(self.lin2(x))
        x = self.tanh(self.lin3(x))
        x = self.sigmoid(self.lin4(x))
        x = self.leaky(self.softplus(self.lin5(x)))
        return self.softmax(self.out(x))


class CNN(nn.Module):
    """Convolutions with batch norm, max pooling and ReLU, for 3×8×8 images."""

    def __init__(self, n_out: int = 4) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(6)
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 8, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(8 * 2 * 2, 10)
        self.relu3 = nn.ReLU()
        self.fc2 = nn.Linear(10, n_out)

    def layers(self):
        """The modules in the order forward applies them (for slow reference computations)."""
        return [self.conv1, self.bn1, self.relu1, self.pool1, self.conv2, self.relu2, self.pool2,
                nn.Flatten(), self.fc1, self.relu3, self.fc2]

    def forward(self, x):
        for layer in self.layers():
            x = layer(x)
        return x


def conv_pool_cnn() -> nn.Sequential:
    """A CNN with batch norm and max pooling where no activation feeds the pool directly
    (the layout on which Captum 0.9's DeepLift is right, so it can serve as an oracle)."""
    return nn.Sequential(
        nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.Conv2d(6, 8, 3, padding=1),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(128, 10), nn.ReLU(), nn.Linear(10, 4))


class TwoInput(nn.Module):
    """Two input tensors of different shapes combined into one output."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Linear(4, 5)
        self.b = nn.Linear(3 * 2, 5)
        self.relu = nn.ReLU()
        self.out = nn.Linear(5, 3)

    def forward(self, x1, x2):
        return self.out(self.relu(self.a(x1) + self.b(x2.flatten(1))))


class WithArgs(nn.Module):
    """Takes additional forward args: a per-example tensor, a 0-d tensor and a flag."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(5, 6)
        self.relu = nn.ReLU()
        self.out = nn.Linear(6, 3)

    def forward(self, x, scale, shift, square: bool = False):
        h = self.relu(self.lin(x) * scale + shift)
        h = h * h if square else h
        return self.out(h)


def seeded(model: nn.Module, seed: int = 0) -> nn.Module:
    """Deterministic weights (and batch-norm statistics), eval mode."""
    torch.manual_seed(seed)
    for p in model.parameters():
        nn.init.normal_(p, std=0.5)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.normal_(0, 0.1)
            m.running_var.uniform_(0.5, 1.5)
    return model.eval()


def make_case(name: str, batch: int = 4, seed: int = 0):
    """(model, inputs, additional_forward_args) for one of the shared architectures."""
    g = torch.Generator().manual_seed(seed + 1)
    if name == "mlp":
        return seeded(MLP()), torch.randn(batch, 6, generator=g), None
    if name == "mlp_softmax":
        return seeded(MLP(softmax=True)), torch.randn(batch, 6, generator=g), None
    if name == "cnn":
        return seeded(CNN()), torch.rand(batch, 3, 8, 8, generator=g), None
    if name == "cnn_conv_pool":
        return seeded(conv_pool_cnn()), torch.rand(batch, 3, 8, 8, generator=g), None
    if name == "two_input":
        return seeded(TwoInput()), (torch.randn(batch, 4, generator=g), torch.randn(batch, 3, 2, generator=g)), None
    if name == "with_args":
        args = (torch.rand(batch, 6, generator=g) + 0.5, torch.tensor(0.3), True)
        return seeded(WithArgs()), torch.randn(batch, 5, generator=g), args
    raise ValueError(name)


CASES = ("mlp", "mlp_softmax", "cnn", "two_input", "with_args")
