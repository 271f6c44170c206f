"""Comparing rendered figures pixel by pixel."""

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg


def render(figure) -> np.ndarray:
    """The figure's pixels (RGBA, uint8) as drawn by Agg."""
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def assert_same_pixels(ours, theirs, tolerance: int = 2, max_fraction: float = 0.002) -> None:
    a, b = render(ours), render(theirs)
    assert a.shape == b.shape
    differing = np.abs(a.astype(int) - b.astype(int)).max(axis=2) > tolerance
    assert differing.mean() <= max_fraction, f"{differing.sum()} of {differing.size} pixels differ"
