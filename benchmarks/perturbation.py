"""Perturbation methods, attr_engine vs Captum, side by side in one process on the same inputs.

    python -m benchmarks.perturbation [--quick] [--repeats N] [--device cpu|cuda] [--only NAME]

For each (workload, method): median seconds for Captum at its default (one perturbation per
forward pass) and at its best ``perturbations_per_eval`` (the fastest of a few, picked by one
timed run each), ours at our default (automatic batching), and the floor: the same number of
forward rows as plain batched inference at the best batch size. Repeats alternate between
the contenders. Prints the ratios and writes JSON to benchmarks/results/perturbation.json.
"""

from __future__ import annotations

import argparse
import os
import statistics
import warnings

import torch
import torchvision
from torch import nn

import attr_engine
import captum.attr

from .common import compare, fmt, print_table, ratio, timed, write_json


class CifarCNN(nn.Module):
    """Two conv-BN-ReLU-pool blocks and a linear head, for 3×32×32 images."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2))
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 8 * 8, 10))

    def forward(self, x):
        return self.head(self.features(x))


def grid_mask(size: int, cells: int, device: str) -> torch.Tensor:
    """A (1, 1, size, size) mask of cells × cells square superpixels, shared by the channels."""
    side = torch.arange(size, device=device) * cells // size
    return (side.view(-1, 1) * cells + side.view(1, -1)).view(1, 1, size, size)


def workloads(quick: bool, device: str):
    """(name, model, inputs, [(label, forward rows per example, kwargs, captum ppe candidates)])."""
    torch.manual_seed(0)
    cnn = CifarCNN().eval().to(device)
    grid8 = grid_mask(32, 8, device)
    if quick:
        yield "cifar-cnn 1x3x32x32", cnn, torch.rand(1, 3, 32, 32, device=device), [
            ("Occlusion (3,8,8)/(3,8,8)", 16, ("Occlusion", {"sliding_window_shapes": (3, 8, 8),
                                                             "strides": (3, 8, 8)}), (16,)),
            ("FeatureAblation 8x8 grid", 64, ("FeatureAblation", {"feature_mask": grid8}), (64,)),
            ("KernelShap n_samples 20", 20, ("KernelShap", {"feature_mask": grid8, "n_samples": 20}),
             (20,)),
        ]
        return
    cifar_methods = [
        ("Occlusion (3,4,4)/(3,2,2)", 225, ("Occlusion", {"sliding_window_shapes": (3, 4, 4),
                                                          "strides": (3, 2, 2)}), (16, 64, 256)),
        ("FeatureAblation 8x8 grid", 64, ("FeatureAblation", {"feature_mask": grid8}), (16, 64)),
    ]
    yield "cifar-cnn 1x3x32x32", cnn, torch.rand(1, 3, 32, 32, device=device), cifar_methods
    yield "cifar-cnn 16x3x32x32", cnn, torch.rand(16, 3, 32, 32, device=device), [
        (label, rows, call, (4, 16)) for label, rows, call, _ in cifar_methods]
    resnet = torchvision.models.resnet18(weights=None).eval().to(device)
    grid7 = grid_mask(224, 7, device)
    yield "resnet18 1x3x224x224", resnet, torch.rand(1, 3, 224, 224, device=device), [
        ("Occlusion (3,16,16)/(3,8,8)", 729, ("Occlusion", {"sliding_window_shapes": (3, 16, 16),
                                                            "strides": (3, 8, 8)}), (8, 32)),
        ("FeatureAblation 7x7 grid", 49, ("FeatureAblation", {"feature_mask": grid7}), (7, 49)),
        ("Lime 7x7 n_samples 200", 200, ("Lime", {"feature_mask": grid7, "n_samples": 200}), (8, 32)),
        ("KernelShap 7x7 n_samples 200", 200, ("KernelShap", {"feature_mask": grid7, "n_samples": 200}),
         (8, 32)),
        ("ShapleyValueSampling 7x7 n_samples 10", 490,
         ("ShapleyValueSampling", {"feature_mask": grid7, "n_samples": 10}), (7, 49)),
    ]


def run(lib, method: str, model, x, kwargs, ppe=None):
    extra = {} if ppe is None else {"perturbations_per_eval": ppe}
    torch.manual_seed(0)
    return getattr(lib, method)(model).attribute(x, target=3, **kwargs, **extra)


def floor(model, x, rows_per_example: int, sizes, repeats: int) -> float:
    """Best time for the same forward rows as plain batched inference: the fastest batch
    size by its median over `repeats` runs."""
    total = x.shape[0] * rows_per_example
    best = None
    for chunk in sorted({min(total, s * x.shape[0]) for s in sizes} | {total}):
        batch = x[:1].expand(chunk, *x.shape[1:]).clone()

        def go():
            with torch.inference_mode():
                done = 0
                while done < total:
                    size = min(chunk, total - done)
                    model(batch[:size])
                    done += size

        go()
        t = statistics.median(timed(go) for _ in range(repeats))
        best = t if best is None else min(best, t)
    return best


def incremental_occlusion(repeats: int) -> dict:
    """Experiment (Krypton, Nakandala et al. 2019, first block only): the forward rows of
    Occlusion (3,4,4)/(3,2,2) on the CIFAR CNN, computing conv-BN-ReLU-pool 1 only on the
    10×10 input crop each window can change and splicing it into the unperturbed activation.
    Returns medians of the plain batched forward (the floor) and of the incremental one."""
    import torch.nn.functional as F

    torch.manual_seed(0)
    model = CifarCNN().eval()
    x = torch.rand(1, 3, 32, 32)
    block, rest = model.features[:4], lambda h: model.head(model.features[4:](h))
    conv = block[0]
    starts = torch.arange(0, 29, 2)
    r, c = (g.reshape(-1) for g in torch.meshgrid(starts, starts, indexing="ij"))
    n = r.numel()
    pos = torch.arange(32)
    covered = (((pos >= r[:, None]) & (pos < r[:, None] + 4))[:, :, None]
               & ((pos >= c[:, None]) & (pos < c[:, None] + 4))[:, None, :])
    occluded = torch.where(covered[:, None], torch.zeros(()), x)

    def plain():
        with torch.inference_mode():
            return rest(block(occluded))

    def incremental():
        with torch.inference_mode():
            base = block(x)
            padded = F.pad(occluded, (1, 1, 1, 1))
            a, b = (r // 2 - 1).clamp(0, 12), (c // 2 - 1).clamp(0, 12)  # pooled rows/cols changed
            i = (2 * a)[:, None] + torch.arange(10)
            j = (2 * b)[:, None] + torch.arange(10)
            rows = torch.arange(n)[:, None, None, None]
            crops = padded[rows, torch.arange(3)[None, :, None, None], i[:, None, :, None], j[:, None, None, :]]
            patch = block[1:](F.conv2d(crops, conv.weight, conv.bias))
            h = base.expand(n, -1, -1, -1).clone()
            h[rows, torch.arange(32)[None, :, None, None], (a[:, None] + torch.arange(4))[:, None, :, None],
              (b[:, None] + torch.arange(4))[:, None, None, :]] = patch
            return rest(h)

    torch.testing.assert_close(incremental(), plain(), rtol=1e-4, atol=1e-5)
    medians = compare({"plain": plain, "incremental": incremental}, repeats)
    return {"experiment": "incremental first block, Occlusion (3,4,4)/(3,2,2), cifar-cnn 1x3x32x32",
            "plain_s": fmt(medians["plain"]), "incremental_s": fmt(medians["incremental"]),
            "incremental/plain": fmt(ratio(medians["incremental"], medians["plain"]), 2)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a seconds-long smoke run")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--device", default="cpu", help="torch device, e.g. cuda")
    parser.add_argument("--only", default=None, help="run only workloads whose name contains this")
    parser.add_argument("--incremental", action="store_true",
                        help="also run the incremental-occlusion experiment")
    args = parser.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 3)
    warnings.simplefilter("ignore")
    rows = []
    for workload, model, x, methods in workloads(args.quick, args.device):
        if args.only and args.only not in workload:
            continue
        for label, per_example, (method, kwargs), candidates in methods:
            print(f"{workload}: {label}", flush=True)
            picks = {}
            for ppe in candidates:  # Captum's best setting, by one timed run each
                run(captum.attr, method, model, x, kwargs, ppe)
                picks[ppe] = timed(lambda: run(captum.attr, method, model, x, kwargs, ppe))
            best_ppe = min(picks, key=picks.get)
            medians = compare({
                "captum": lambda: run(captum.attr, method, model, x, kwargs),
                "captum_best": lambda: run(captum.attr, method, model, x, kwargs, best_ppe),
                "ours": lambda: run(attr_engine, method, model, x, kwargs),
            }, repeats)
            base = floor(model, x, per_example, (1, 4, 16, 64, 256), repeats)
            rows.append({
                "workload": workload, "method": label,
                "captum_s": fmt(medians["captum"]),
                "captum_best_s": fmt(medians["captum_best"]), "best_ppe": best_ppe,
                "ours_s": fmt(medians["ours"]), "floor_s": fmt(base),
                "ours/captum": fmt(ratio(medians["ours"], medians["captum"]), 2),
                "ours/captum_best": fmt(ratio(medians["ours"], medians["captum_best"]), 2),
                "ours/floor": fmt(ratio(medians["ours"], base), 2),
            })
    experiment = incremental_occlusion(repeats) if args.incremental else None
    print()
    columns = ["workload", "method", "captum_s", "captum_best_s", "best_ppe", "ours_s", "floor_s",
               "ours/captum", "ours/captum_best", "ours/floor"]
    print_table(rows, columns)
    name = "perturbation" + ("-quick" if args.quick else "") + (
        "" if args.device == "cpu" else f"-{args.device}") + (
        "" if not args.only else "-" + "".join(c if c.isalnum() else "_" for c in args.only))
    if experiment is not None:
        print("\n" + ", ".join(f"{k}: {v}" for k, v in experiment.items()))
    path = write_json(name, {"repeats": repeats, "device": args.device, "cpus": os.cpu_count(),
                             "rows": rows, "incremental_occlusion": experiment})
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
