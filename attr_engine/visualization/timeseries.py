"""Time-series attributions drawn with matplotlib, under Captum's name, arguments and defaults.

Unlike Captum 0.9 this runs on current matplotlib (no ``cm.get_cmap``) and draws only on the
figure it returns: limits and spacing go to that figure's axes, never to pyplot's current one.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple, Union

import numpy as np
from matplotlib import colormaps, pyplot as plt
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from mpl_toolkits.axes_grid1 import make_axes_locatable

from ._colors import as_colormap
from ._normalize import TimeseriesPlan, plan_timeseries
from .image import new_figure


def _shade(axis: Axes, x_values: np.ndarray, values: np.ndarray, cmap: Colormap, norm: Normalize,
           alpha: float) -> None:
    """A full-height band around each time point, coloured by its attribution (one artist)."""
    half = (x_values[1] - x_values[0]) / 2.0
    left, right = x_values - half, x_values + half
    boxes = np.stack([np.stack([left, left, right, right], 1), np.tile([0.0, 1.0, 1.0, 0.0], (len(x_values), 1))], 2)
    bands = PolyCollection(boxes, facecolors=cmap(norm(values)), edgecolors="none", alpha=alpha,
                           transform=axis.get_xaxis_transform())
    axis.add_collection(bands, autolim=False)


def _padded_limits(values: np.ndarray) -> Tuple[float, float]:
    """20 % of each extreme's magnitude beyond it (Captum's 1.2×, also right for positive data)."""
    lo, hi = float(np.min(values)), float(np.max(values))
    lo, hi = lo - 0.2 * abs(lo), hi + 0.2 * abs(hi)
    return (lo - 1.0, hi + 1.0) if lo == hi else (lo, hi)


def _draw(method: str, axes: List[Axes], plan: TimeseriesPlan, cmap: Colormap, norm: Normalize,
          channel_labels, alpha_overlay: float, pyplot_kwargs: dict) -> None:
    x, data = plan.x_values, plan.data
    if method == "overlay_combined":
        axes[0].set_prop_cycle(plt.cycler("color", colormaps["Dark2"].colors))
        for chan in range(data.shape[0]):
            label = channel_labels[chan] if channel_labels else None
            axes[0].plot(x, data[chan], label=label, **pyplot_kwargs)
        _shade(axes[0], x, plan.norm_attr, cmap, norm, alpha_overlay)
        if channel_labels:
            axes[0].legend(loc="best")
        return
    for chan, axis in enumerate(axes):
        if method == "overlay_individual":
            axis.plot(x, data[chan], **pyplot_kwargs)
            _shade(axis, x, plan.norm_attr[chan], cmap, norm, alpha_overlay)
        else:  # colored_graph: each segment coloured by the attribution at its start
            points = np.stack([x, data[chan]], 1).reshape(-1, 1, 2)
            lines = LineCollection(np.concatenate([points[:-1], points[1:]], 1), cmap=cmap, norm=norm,
                                   **pyplot_kwargs)
            lines.set_array(plan.norm_attr[chan])
            axis.add_collection(lines)
            axis.set_ylim(*_padded_limits(data[chan]))
        if channel_labels is not None:
            axis.set_ylabel(channel_labels[chan])


def visualize_timeseries_attr(
    attr,
    data,
    x_values=None,
    method: str = "overlay_individual",
    sign: str = "absolute_value",
    channel_labels: Optional[List[str]] = None,
    channels_last: bool = True,
    plt_fig_axis: Optional[Tuple[Figure, Union[Axes, List[Axes]]]] = None,
    outlier_perc: Union[int, float] = 2,
    cmap: Optional[Any] = None,
    alpha_overlay: float = 0.7,
    show_colorbar: bool = False,
    title: Optional[str] = None,
    fig_size: Tuple[int, int] = (6, 6),
    use_pyplot: bool = True,
    **pyplot_kwargs: Any,
) -> Tuple[Figure, Union[Axes, List[Axes]]]:
    """Draw an (N, C) attribution over its (N, C) series (``channels_last=False``: (C, N)).

    ``overlay_individual`` shades one panel per channel, ``overlay_combined`` draws all channels
    in one panel shaded by their summed attribution, ``colored_graph`` colours each channel's
    line. `pyplot_kwargs` go to the line drawing. Returns ``(figure, axis or axes)``."""
    plan = plan_timeseries(attr, data, x_values, method, sign, channels_last, outlier_perc, cmap)
    if channel_labels is not None and len(channel_labels) < plan.data.shape[0]:
        raise ValueError(f"`channel_labels` has {len(channel_labels)} entries for {plan.data.shape[0]} channels")
    colormap, norm = as_colormap(plan.cmap), Normalize(plan.vmin, plan.vmax)
    figure, axis = new_figure(plt_fig_axis, use_pyplot, fig_size, nrows=plan.num_panels, sharex=True)
    axes = list(np.ravel(np.asarray(axis, dtype=object))) if isinstance(axis, (np.ndarray, list, tuple)) else [axis]
    if len(axes) < plan.num_panels:
        raise ValueError(f"method {method!r} needs {plan.num_panels} axes in `plt_fig_axis`, got {len(axes)}")
    _draw(method, axes, plan, colormap, norm, channel_labels, alpha_overlay, pyplot_kwargs)
    if method != "overlay_combined":
        figure.subplots_adjust(hspace=0)
    for each in axes:
        each.set_xlim(plan.x_values[0], plan.x_values[-1])
    if show_colorbar:
        colorbar_axis = make_axes_locatable(axes[-1]).append_axes("bottom", size="5%", pad=0.4)
        figure.colorbar(ScalarMappable(norm, colormap), orientation="horizontal", cax=colorbar_axis,
                        alpha=1.0 if method == "colored_graph" else alpha_overlay)
    if title:
        axes[0].set_title(title)
    if use_pyplot:
        plt.show()
    return figure, axis
