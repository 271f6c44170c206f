"""Layer and neuron methods, attr_engine vs Captum, side by side in one process.

    python -m benchmarks.layer [--quick] [--repeats N] [--device cuda]

For each (model, method): median seconds for Captum and for ours at the same arguments, and
the ratio ours/Captum. Writes JSON to benchmarks/results/layer.json (layer-quick.json with
--quick).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import torch
from torch import nn

import attr_engine
import captum.attr

from .common import compare, fmt, print_table, ratio, write_json
from .gradient import SmallCNN


class TextCNN(nn.Module):
    def __init__(self, vocab: int = 5000, dim: int = 64):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.conv = nn.Conv1d(dim, 64, 5, padding=2)
        self.head = nn.Linear(64, 2)

    def forward(self, tokens):
        x = torch.relu(self.conv(self.embedding(tokens).transpose(1, 2)))
        return self.head(x.max(dim=2).values)


def workloads(quick: bool, device: str):
    torch.manual_seed(0)
    cnn = SmallCNN().eval().to(device)
    n = 4 if quick else 16
    yield f"small-cnn {n}x3x32x32", cnn, cnn.features[4], torch.rand(n, 3, 32, 32, device=device)
    text = TextCNN().eval().to(device)
    yield f"text-cnn {n}x64 tokens", text, text.embedding, torch.randint(1, 5000, (n, 64), device=device)


def methods(quick: bool, is_text: bool):
    """(label, call(lib, model, layer, x)); gradient-through-input methods skip token inputs."""
    steps = 8 if quick else 50

    def baselines(x):
        return torch.zeros_like(x)

    calls = [
        (f"LayerIntegratedGradients (n_steps {steps})",
         lambda lib, m, layer, x: lib.LayerIntegratedGradients(m, layer).attribute(
             x, baselines(x), target=1, n_steps=steps)),
        ("LayerGradientXActivation",
         lambda lib, m, layer, x: lib.LayerGradientXActivation(m, layer).attribute(x, target=1)),
        ("LayerDeepLift", lambda lib, m, layer, x: lib.LayerDeepLift(m, layer).attribute(x, baselines(x), target=1)),
    ]
    if is_text:
        return calls
    def ablation(lib, m, layer, x):
        channels = torch.arange(32, device=x.device).view(1, 32, 1, 1).expand(1, 32, 16, 16)
        return lib.LayerFeatureAblation(m, layer).attribute(x, target=1, layer_mask=channels,
                                                             perturbations_per_eval=8)

    return calls + [
        (f"LayerConductance (n_steps {steps})",
         lambda lib, m, layer, x: lib.LayerConductance(m, layer).attribute(x, target=1, n_steps=steps)),
        (f"InternalInfluence (n_steps {steps})",
         lambda lib, m, layer, x: lib.InternalInfluence(m, layer).attribute(x, target=1, n_steps=steps)),
        ("LayerGradCam", lambda lib, m, layer, x: lib.LayerGradCam(m, layer).attribute(x, target=1)),
        ("LayerFeatureAblation (32 channel groups)", ablation),
        (f"NeuronConductance (n_steps {steps})",
         lambda lib, m, layer, x: lib.NeuronConductance(m, layer).attribute(x, (3, 4, 4), target=1, n_steps=steps)),
        (f"NeuronIntegratedGradients (n_steps {steps})",
         lambda lib, m, layer, x: lib.NeuronIntegratedGradients(m, layer).attribute(x, (3, 4, 4), n_steps=steps)),
        ("GuidedGradCam", lambda lib, m, layer, x: lib.GuidedGradCam(m, layer).attribute(x, target=1)),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a seconds-long smoke run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--device", default="cpu", help="torch device to run on, e.g. cuda")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    warnings.simplefilter("ignore")
    np.random.seed(0)
    rows = []
    for workload, model, layer, x in workloads(args.quick, args.device):
        for label, call in methods(args.quick, x.dtype == torch.long):
            print(f"{workload}: {label}", flush=True)
            medians = compare({"captum": lambda: call(captum.attr, model, layer, x),
                               "ours": lambda: call(attr_engine, model, layer, x)}, repeats)
            rows.append({"workload": workload, "method": label,
                         "captum_s": fmt(medians["captum"]), "ours_s": fmt(medians["ours"]),
                         "ours/captum": fmt(ratio(medians["ours"], medians["captum"]), 2)})
    print()
    print_table(rows, ["workload", "method", "captum_s", "ours_s", "ours/captum"])
    name = "layer" + ("-quick" if args.quick else "") + ("" if args.device == "cpu" else f"-{args.device}")
    path = write_json(name, {"repeats": repeats, "device": args.device, "rows": rows})
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
