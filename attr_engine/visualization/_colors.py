"""Colormap specs (a name, a Colormap, or the default colour list for sign "all") as
matplotlib Colormaps, and as Plotly colorscales sampled from the very same Colormaps."""

from __future__ import annotations

from typing import Any, List, Tuple

import matplotlib
import numpy as np
from matplotlib.colors import Colormap, LinearSegmentedColormap

from ._normalize import ALL_SIGN_CMAP_NAME, ALL_SIGN_COLORS


def as_colormap(cmap: Any) -> Colormap:
    if isinstance(cmap, Colormap):
        return cmap
    if isinstance(cmap, tuple) and cmap == ALL_SIGN_COLORS:
        return LinearSegmentedColormap.from_list(ALL_SIGN_CMAP_NAME, list(ALL_SIGN_COLORS))
    if isinstance(cmap, str):
        try:
            return matplotlib.colormaps[cmap]
        except KeyError:
            raise ValueError(f"`cmap` {cmap!r} is not a matplotlib colormap name") from None
    raise TypeError(f"`cmap` must be a colormap name or a matplotlib Colormap, got {type(cmap).__name__}")


def as_colorscale(cmap: Any, samples: int = 33) -> List[Tuple[float, str]]:
    """A Plotly colorscale that follows the matplotlib colormap."""
    colormap = as_colormap(cmap)
    stops = np.linspace(0.0, 1.0, samples)
    rgba = (colormap(stops) * 255).round().astype(int)
    return [(float(s), f"rgb({r},{g},{b})") for s, (r, g, b, _) in zip(stops, rgba)]


def gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    """A grey picture as uint8 RGB, scaled between its own minimum and maximum as
    matplotlib's ``imshow(..., cmap="gray")`` does."""
    lo, hi = float(np.min(gray)), float(np.max(gray))
    scaled = (gray - lo) / (hi - lo) if hi > lo else np.zeros_like(gray, dtype=float)
    return (matplotlib.colormaps["gray"](scaled)[..., :3] * 255).round().astype(np.uint8)
