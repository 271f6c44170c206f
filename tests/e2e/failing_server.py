"""A dashboard with a model that raises during attribution and one that is slow by construction,
for the end-to-end test's error banner and its Cancel checks.

Built with the public API only (no test switch in the product): ``python tests/e2e/failing_server.py
--port P`` serves a workspace "main" with three small image models on 8x8 random images (and a
workspace "other" with ``WorkingNet`` alone, to switch to). ``WorkingNet``
attributes normally; ``FailingNet`` predicts normally (under no_grad) but raises from ``forward``
whenever it is asked for gradients, i.e. in every gradient attribution such as IntegratedGradients;
``SlowNet`` takes ``SLOW_SECONDS_PER_ROW`` per example row of every batch, so any attribution of
a page lasts seconds whatever the machine (FeatureAblation of 4 examples: 4 x 65 rows, at least
13 s), and a test that presses Cancel always finds the job running.
"""

from __future__ import annotations

import argparse
import time
from typing import List, Optional

import torch
from torch import nn

from insights import AttributionVisualizer, Batch, ImageFeature
from insights.serving import Server

FAILURE = "FailingNet refuses to compute gradients (deliberate failure for the e2e test)"
SLOW_SECONDS_PER_ROW = 0.05


class WorkingNet(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4 * 8 * 8, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc(torch.relu(self.conv(x)).flatten(1))


class FailingNet(WorkingNet):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.is_grad_enabled() and x.requires_grad:
            raise RuntimeError(FAILURE)
        return super().forward(x)


class SlowNet(WorkingNet):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        time.sleep(SLOW_SECONDS_PER_ROW * x.shape[0])  # per row: bigger batches save nothing
        return super().forward(x)


def visualizer(models: Optional[List[nn.Module]] = None, names: Optional[List[str]] = None) -> AttributionVisualizer:
    torch.manual_seed(0)
    models = models or [WorkingNet().eval(), FailingNet().eval(), SlowNet().eval()]
    images = torch.rand(16, 1, 8, 8)
    labels = torch.randint(0, 2, (16,))
    batches = [Batch(images[i:i + 8], labels[i:i + 8]) for i in range(0, 16, 8)]
    return AttributionVisualizer(models, ["left", "right"], [ImageFeature("pixels", None, None)], batches,
                                 score_func=lambda logits: logits.softmax(-1),
                                 model_names=names or ["WorkingNet", "FailingNet", "SlowNet"], cache=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=None, help="loopback port (default: a free one)")
    other = visualizer([WorkingNet().eval()], ["WorkingNet"])
    Server({"main": visualizer().service, "other": other.service}, port=p.parse_args().port).start(blocking=True)


if __name__ == "__main__":
    main()
