"""Faithfulness metrics, attr_engine vs Captum, side by side in one process on the same inputs.

    python -m benchmarks.metrics [--quick] [--repeats N] [--threads N]

For infidelity and sensitivity_max: median seconds for Captum and for ours with the same
arguments (sensitivity_max explains with each library's own Saliency). For every metric,
including ours-only deletion/insertion curves and the model-randomisation check: its cost
relative to the attribution it judges (Integrated Gradients at the same sizes), since the
dashboard computes them beside each heat map. JSON to benchmarks/results/metrics.json.
"""

from __future__ import annotations

import argparse
import warnings

import torch
from torch import nn

import attr_engine
import captum.attr
import captum.metrics
from attr_engine import metrics

from .common import compare, fmt, print_table, ratio, write_json


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.features(x))


def noisy(inputs):
    noise = 0.05 * torch.randn_like(inputs)
    return noise, inputs - noise


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a seconds-long smoke run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    repeats = args.repeats or (1 if args.quick else 5)
    warnings.simplefilter("ignore")
    torch.manual_seed(0)
    model = SmallCNN().eval()
    batch, steps, samples = (2, 8, 4) if args.quick else (8, 50, 10)
    x = torch.rand(batch, 3, 32, 32)
    workload = f"small-cnn {batch}x3x32x32"
    attribution = attr_engine.IntegratedGradients(model).attribute(x, target=3, n_steps=steps)
    ig_s = compare({"ours": lambda: attr_engine.IntegratedGradients(model).attribute(x, target=3, n_steps=steps)},
                   repeats)["ours"]
    print(f"{workload}: IG (n_steps {steps}) takes {fmt(ig_s)} s", flush=True)

    def seeded(fn):
        def run():
            torch.manual_seed(1)
            return fn()
        return run

    both = {
        f"infidelity (n_perturb_samples {samples})": (
            seeded(lambda: captum.metrics.infidelity(model, noisy, x, attribution, target=3,
                                                     n_perturb_samples=samples)),
            seeded(lambda: metrics.infidelity(model, noisy, x, attribution, target=3, n_perturb_samples=samples))),
        f"sensitivity_max of Saliency (n_perturb_samples {samples})": (
            seeded(lambda: captum.metrics.sensitivity_max(captum.attr.Saliency(model).attribute, x, target=3,
                                                          n_perturb_samples=samples)),
            seeded(lambda: metrics.sensitivity_max(attr_engine.Saliency(model).attribute, x, target=3,
                                                   n_perturb_samples=samples))),
    }
    ours_only = {
        "deletion curve (50 points)": lambda: metrics.deletion_curve(model, x, attribution, target=3, n_steps=50),
        "insertion curve (50 points)": lambda: metrics.insertion_curve(model, x, attribution, target=3, n_steps=50),
        "model randomization of IG (all layers)": lambda: metrics.model_randomization(
            model, lambda m, inp: attr_engine.IntegratedGradients(m).attribute(inp, target=3, n_steps=steps), x,
            seed=0),
    }
    rows = []
    for label, (theirs, ours) in both.items():
        print(f"{workload}: {label}", flush=True)
        medians = compare({"captum": theirs, "ours": ours}, repeats)
        rows.append({"workload": workload, "metric": label, "captum_s": fmt(medians["captum"]),
                     "ours_s": fmt(medians["ours"]), "ours/captum": fmt(ratio(medians["ours"], medians["captum"]), 2),
                     "ours/IG": fmt(ratio(medians["ours"], ig_s), 2)})
    for label, ours in ours_only.items():
        print(f"{workload}: {label}", flush=True)
        seconds = compare({"ours": ours}, repeats)["ours"]
        rows.append({"workload": workload, "metric": label, "captum_s": "n/a", "ours_s": fmt(seconds),
                     "ours/captum": "n/a", "ours/IG": fmt(ratio(seconds, ig_s), 2)})
    print()
    print_table(rows, ["workload", "metric", "captum_s", "ours_s", "ours/captum", "ours/IG"])
    path = write_json("metrics-quick" if args.quick else "metrics",
                      {"repeats": repeats, "ig_seconds": ig_s, "ig_steps": steps, "rows": rows})
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
