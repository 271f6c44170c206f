"""Write the colour-mapping fixture the front end's Vitest tests compare against.

The dashboard normalises and colours attribution maps in the browser; these must be the numbers
the Python side (``attr_engine.visualization``) gives for the same input. This script runs the
Python implementation on a few inputs (hand-made edge cases, seeded random maps, and a real
IntegratedGradients map of the example digits model) and writes them to
``frontend/src/heatmap/__fixtures__/normalization.json`` (git-ignored; CI regenerates it before
Vitest runs). The file's shape is described in ``frontend/src/heatmap/FIXTURE.md``.

Inputs are written, and normalised, as float64 (most are float32 values, what the server sends),
so the cumulative sums agree with JavaScript's doubles.

``python scripts/write_normalization_fixture.py [--out PATH]``
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import matplotlib
import numpy as np

from attr_engine.visualization._normalize import SIGNS, normalize_attr

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "frontend" / "src" / "heatmap" / "__fixtures__" / "normalization.json"
OUTLIER_PERCS = (0, 2, 10)
#: the colormaps the front end offers, sampled at these positions
CMAPS = ("RdBu_r", "PuOr_r", "viridis", "magma", "Blues", "Greens", "Reds", "gray")
POSITIONS = np.linspace(0.0, 1.0, 21)


def inputs() -> Iterator[Tuple[str, np.ndarray]]:
    """(name, float32 map) pairs: 1-D scores (text, general) and 2-D maps (images)."""
    yield "mixed-signs", np.array([0.5, -1.0, 0.25, 0.0, 2.0, -0.125, 0.5, -3.0], dtype=np.float32)
    yield "all-positive", np.array([0.1, 0.2, 0.3, 0.4, 5.0], dtype=np.float32)
    yield "integers", np.array([[3, -1, 0], [7, 2, -5]], dtype=np.int64)
    yield "all-zero", np.zeros(6, dtype=np.float32)
    yield "single", np.array([-0.75], dtype=np.float32)
    rng = np.random.default_rng(0)
    yield "normal-8x8", rng.standard_normal((8, 8)).astype(np.float32)
    heavy = rng.standard_normal((6, 10)).astype(np.float32) * 1e-3
    heavy[2, 3] = 4.0
    yield "one-outlier-6x10", heavy
    yield "normal-28x28", rng.standard_normal((28, 28))
    yield "integrated-gradients-digit-16x16", digit_attribution()


def digit_attribution() -> np.ndarray:
    """IntegratedGradients (n_steps 50) of the example digits model on its first test image,
    for its true class, summed over channels as the server sends it."""
    import torch

    from attr_engine import IntegratedGradients
    from example_models.digits import model as digits

    net = digits.load_model().eval()
    _, _, x, y = digits.load_data()
    attr = IntegratedGradients(net).attribute(x[:1], target=int(y[0]), n_steps=50)
    return attr[0].sum(0).detach().to(torch.float32).numpy()


def case(name: str, values: np.ndarray, sign: str, outlier_perc: float) -> Dict[str, Any]:
    as64 = np.asarray(values, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # all-zero inputs warn; the zeros are the expected answer
        expected = normalize_attr(as64, sign, outlier_perc)
    return {"name": f"{name}, sign {sign}, outlier {outlier_perc}", "shape": list(as64.shape),
            "input": floats(as64), "sign": sign, "outlier_perc": outlier_perc, "expected": floats(expected)}


def colormap(name: str) -> Dict[str, Any]:
    """matplotlib's colours of ``name`` at evenly spaced positions, 0-255 floats."""
    rgb = matplotlib.colormaps[name](POSITIONS)[:, :3] * 255
    return {"cmap": name, "positions": floats(POSITIONS), "rgb": rgb.tolist()}


def floats(array: np.ndarray) -> List[float]:
    return [float(v) for v in np.asarray(array).ravel()]


def fixture() -> Dict[str, Any]:
    return {
        "version": 1,
        "generated_by": "scripts/write_normalization_fixture.py",
        "normalize": [case(name, values, sign, perc)
                      for name, values in inputs() for sign in SIGNS for perc in OUTLIER_PERCS],
        "colormaps": [colormap(name) for name in CMAPS],
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT.relative_to(ROOT)})")
    out = p.parse_args().out
    out.parent.mkdir(parents=True, exist_ok=True)
    data = fixture()
    out.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {len(data['normalize'])} normalisation cases and {len(data['colormaps'])} colormaps to {out}")


if __name__ == "__main__":
    main()
