"""Gradient methods, attr_engine vs Captum, side by side in one process on the same inputs.

    python -m benchmarks.gradient [--quick] [--repeats N]

For each (model, method): median seconds for Captum and for ours at Captum's defaults, and the
"floor": the same forward+backward passes done as plain batched calls at the best batch size
(measured over several sizes). Prints ratios ours/Captum and ours/floor; writes JSON to
benchmarks/results/gradient.json.
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch
import torchvision
from torch import nn

import attr_engine
import captum.attr

from .common import compare, fmt, print_table, ratio, timed, write_json


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.features(x))


def workloads(quick: bool, device: str):
    torch.manual_seed(0)
    small = SmallCNN().eval().to(device)
    if quick:
        yield "small-cnn 4x3x32x32", small, torch.rand(4, 3, 32, 32, device=device)
        return
    yield "small-cnn 16x3x32x32", small, torch.rand(16, 3, 32, 32, device=device)
    resnet = torchvision.models.resnet18(weights=None).eval().to(device)
    yield "resnet18 1x3x224x224", resnet, torch.rand(1, 3, 224, 224, device=device)


def methods(quick: bool):
    """(label, rows of forward+backward work per example, call(lib, model, x))."""
    steps = 8 if quick else 50
    samples = 4 if quick else 20

    def ig(lib, model, x):
        return lib.IntegratedGradients(model).attribute(x, target=3, n_steps=steps)

    def saliency(lib, model, x):
        return lib.Saliency(model).attribute(x, target=3)

    def deeplift(lib, model, x):
        return lib.DeepLift(model).attribute(x, target=3)

    def gradient_shap(lib, model, x):
        np.random.seed(0)
        baselines = torch.zeros(4, *x.shape[1:], device=x.device)
        return lib.GradientShap(model).attribute(x, baselines, n_samples=samples, target=3)

    def nt_ig(lib, model, x):
        return lib.NoiseTunnel(lib.IntegratedGradients(model)).attribute(
            x, nt_samples=5, stdevs=0.1, target=3, n_steps=steps)

    return [
        (f"IG (n_steps {steps})", steps, ig),
        ("Saliency", 1, saliency),
        ("DeepLift", 2, deeplift),
        (f"GradientShap (n_samples {samples})", samples, gradient_shap),
        (f"NoiseTunnel(IG) (5 x {steps})", 5 * steps, nt_ig),
    ]


def row_rates(model, x, quick):
    """Best seconds per forward+backward row at each plain batch size (a power-law sweep).

    Measured once per workload; every method's floor is its row count times the best rate
    among the batch sizes it could use, so heavy rows (NoiseTunnel) need no sweep of their own."""
    n = x.shape[0]
    sizes = (n, 4 * n) if quick else (n, 2 * n, 5 * n, 10 * n, 20 * n, 50 * n)
    rates = {}
    for size in sorted(set(sizes)):
        batch = x[:1].expand(size, *x.shape[1:]).clone()

        def run():
            inp = batch.detach().requires_grad_()
            torch.autograd.grad(model(inp)[:, 3].sum(), inp)

        run()
        rates[size] = min(timed(run) for _ in range(1 if quick else 3)) / size
    return rates


def floor(rates, total_rows):
    """Best time for ``total_rows`` forward+backward rows done as plain batched calls."""
    return min(rate for size, rate in rates.items() if size <= total_rows) * total_rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a seconds-long smoke run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--device", default="cpu", help="torch device to run on, e.g. cuda")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    warnings.simplefilter("ignore")
    rows = []
    for workload, model, x in workloads(args.quick, args.device):
        rates = row_rates(model, x, args.quick)
        for label, per_example, call in methods(args.quick):
            print(f"{workload}: {label}", flush=True)
            heavy = per_example >= 100
            medians = compare({"captum": lambda: call(captum.attr, model, x),
                               "ours": lambda: call(attr_engine, model, x)},
                              max(1, repeats // 2) if heavy else repeats)
            base = floor(rates, x.shape[0] * per_example)
            rows.append({
                "workload": workload, "method": label,
                "captum_s": fmt(medians["captum"]), "ours_s": fmt(medians["ours"]), "floor_s": fmt(base),
                "ours/captum": fmt(ratio(medians["ours"], medians["captum"]), 2),
                "ours/floor": fmt(ratio(medians["ours"], base), 2),
            })
    print()
    print_table(rows, ["workload", "method", "captum_s", "ours_s", "floor_s", "ours/captum", "ours/floor"])
    name = "gradient" + ("-quick" if args.quick else "") + ("" if args.device == "cpu" else f"-{args.device}")
    path = write_json(name, {"repeats": repeats, "device": args.device, "rows": rows})
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
