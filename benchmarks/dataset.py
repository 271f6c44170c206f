"""Data-set jobs: examples per second on the example digits model, local threads vs Ray.

FeatureAblation and IntegratedGradients over ``--examples`` digits (default 1,000), with the
local executor at 1 and 2 workers and with Ray on 2 CPUs (each worker, thread or Ray task, runs
torch on one thread, so N workers use N cores). Ray's start and its workers' first import are
timed apart (a warm-up job), since a long job pays them once. Prints the scaling, Ray's overhead
against the local executor at the same core count, the store's size per 1,000 examples, and a
projection for 50,000 examples on 64 cores from Ray's throughput per CPU.

    python -m benchmarks.dataset [--examples 1000] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import torch

from benchmarks.common import RESULTS, print_table
from insights import Batch, ImageFeature
from insights.jobs import run_job

METHODS = {"FeatureAblation": {}, "IntegratedGradients": {"n_steps": 50}}


def digits(n: int) -> List[Batch]:
    from example_models.digits import model as m

    train_x, train_y, test_x, test_y = m.load_data()
    x, y = torch.cat([train_x, test_x])[:n], torch.cat([train_y, test_y])[:n]
    return [Batch(x[i:i + 32], y[i:i + 32]) for i in range(0, len(y), 32)]


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="64 examples: a smoke run")
    args = parser.parse_args()
    n = 64 if args.quick else args.examples
    torch.set_num_threads(1)
    os.environ["OMP_NUM_THREADS"] = "1"
    from example_models.digits import model as m

    model, data = m.load_model(), digits(n)
    features = [ImageFeature("digit", baseline_transforms=None, input_transforms=None)]
    root = Path(tempfile.mkdtemp(prefix="dataset-bench-"))
    rows: List[Dict[str, Any]] = []
    import ray

    began = time.perf_counter()
    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray_start = time.perf_counter() - began
    try:
        began = time.perf_counter()
        run_job(model, features, data, root / "warm-up", method="Saliency", limit=64, shard_size=32, executor="ray")
        warm_up = time.perf_counter() - began
        for method, method_args in METHODS.items():
            seconds = {}
            for name, options in (("local, 1 worker", dict(executor="local", workers=1)),
                                  ("local, 2 workers", dict(executor="local", workers=2)),
                                  ("ray, 2 CPUs", dict(executor="ray"))):
                store = root / f"{method}-{name.split(',')[0]}-{options.get('workers', 2)}"
                began = time.perf_counter()
                run_job(model, features, data, store, method=method, args=method_args, shard_size=50, **options)
                seconds[name] = time.perf_counter() - began
                rows.append({"method": method, "executor": name, "examples": n, "seconds": round(seconds[name], 2),
                             "examples_per_s": round(n / seconds[name], 1),
                             "store_mb_per_1000": round(size_mb(store) * 1000 / n, 3)})
                shutil.rmtree(store)
            local1, local2, on_ray = (seconds[k] for k in ("local, 1 worker", "local, 2 workers", "ray, 2 CPUs"))
            per_cpu = n / on_ray / 2
            rows[-1].update(scaling_local=round(local1 / local2, 2), ray_overhead=round(on_ray / local2 - 1, 3),
                            projected_50k_on_64_cores_s=round(50_000 / (per_cpu * 64), 1))
    finally:
        ray.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    print(f"Ray start {ray_start:.1f} s, first job (workers import torch) {warm_up:.1f} s: "
          "paid once per Ray session, not per job")
    print_table(rows, ["method", "executor", "examples", "seconds", "examples_per_s", "store_mb_per_1000"])
    for row in rows:
        if "ray_overhead" in row:
            print(f"{row['method']}: local 2 workers vs 1: x{row['scaling_local']}; Ray vs local at 2 cores: "
                  f"{row['ray_overhead']:+.1%}; 50,000 examples on 64 cores (Ray, linear): "
                  f"~{row['projected_50k_on_64_cores_s']:.0f} s")
    out = RESULTS / ("dataset-quick.json" if args.quick else "dataset.json")
    out.write_text(json.dumps({"ray_start_s": round(ray_start, 2), "warm_up_s": round(warm_up, 2), "rows": rows},
                              indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
