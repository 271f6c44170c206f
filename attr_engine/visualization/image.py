"""Image attributions drawn with matplotlib, under Captum's names, arguments and defaults."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from mpl_toolkits.axes_grid1 import make_axes_locatable

from ._colors import as_colormap
from ._normalize import ImagePlan, plan_image


def new_figure(plt_fig_axis, use_pyplot: bool, fig_size, **subplot_kwargs):
    """The caller's (figure, axis), or a new one: through pyplot or object-oriented only."""
    if plt_fig_axis is not None:
        if not (isinstance(plt_fig_axis, (tuple, list)) and len(plt_fig_axis) == 2):
            raise TypeError("`plt_fig_axis` must be a (figure, axis) tuple")
        return plt_fig_axis
    if use_pyplot:
        return plt.subplots(figsize=fig_size, **subplot_kwargs)
    figure = Figure(figsize=fig_size)
    return figure, figure.subplots(**subplot_kwargs)


def draw_image_plan(axis: Axes, plan: ImagePlan):
    """Draw the plan's layers; return the heat map's AxesImage, if there is one."""
    heat_map = None
    for layer in plan.layers:
        if layer.kind == "gray":
            axis.imshow(layer.data, cmap="gray")
        elif layer.kind == "image" and layer.data.ndim == 2:  # grey, on the 0–255 scale
            axis.imshow(layer.data, cmap="gray", vmin=0, vmax=255)
        elif layer.kind == "image":
            axis.imshow(layer.data)
        else:
            heat_map = axis.imshow(layer.data, cmap=as_colormap(plan.cmap), vmin=plan.vmin,
                                   vmax=plan.vmax, alpha=layer.alpha)
    return heat_map


def draw_on(figure: Figure, axis: Axes, plan: ImagePlan, show_colorbar: bool, title: Optional[str]) -> None:
    """Draw a plan on an axis without ticks, with an optional colorbar below and a title."""
    axis.xaxis.set_ticks_position("none")
    axis.yaxis.set_ticks_position("none")
    axis.set_xticklabels([])
    axis.set_yticklabels([])
    axis.grid(visible=False)
    heat_map = draw_image_plan(axis, plan)
    if show_colorbar:  # an empty colorbar axis keeps side-by-side plots aligned
        colorbar_axis = make_axes_locatable(axis).append_axes("bottom", size="5%", pad=0.1)
        if heat_map is not None:
            figure.colorbar(heat_map, orientation="horizontal", cax=colorbar_axis)
        else:
            colorbar_axis.axis("off")
    if title:
        axis.set_title(title)


def visualize_image_attr(
    attr,
    original_image=None,
    method: str = "heat_map",
    sign: str = "absolute_value",
    plt_fig_axis: Optional[Tuple[Figure, Axes]] = None,
    outlier_perc: Union[int, float] = 2,
    cmap: Optional[Any] = None,
    alpha_overlay: float = 0.5,
    show_colorbar: bool = False,
    title: Optional[str] = None,
    fig_size: Tuple[int, int] = (6, 6),
    use_pyplot: bool = True,
) -> Tuple[Figure, Axes]:
    """Draw an (H, W[, C]) attribution, normalised for `sign`, in one of five `method` modes.

    `original_image` is (H, W[, C]), channels last, 0–1 floats or 0–255 integers; every method
    but ``heat_map`` needs it; a one-channel image is drawn in grey. Returns ``(figure, axis)``:
    the ones given in `plt_fig_axis` if any. ``use_pyplot=False`` never touches pyplot's state."""
    plan = plan_image(attr, original_image, method, sign, outlier_perc, cmap, alpha_overlay)
    as_colormap(plan.cmap)  # a bad colormap fails before a figure exists
    figure, axis = new_figure(plt_fig_axis, use_pyplot, fig_size)
    if isinstance(axis, (list, tuple)):
        axis = axis[0]
    draw_on(figure, axis, plan, show_colorbar, title)
    if use_pyplot:
        plt.show()
    return figure, axis


def visualize_image_attr_multiple(
    attr,
    original_image,
    methods: Sequence[str],
    signs: Sequence[str],
    titles: Optional[Sequence[str]] = None,
    fig_size: Tuple[int, int] = (8, 6),
    use_pyplot: bool = True,
    **kwargs: Any,
) -> Tuple[Figure, Union[Axes, List[Axes]]]:
    """Several visualisations of one attribution side by side in a 1 × k grid.

    `kwargs` go to every :func:`visualize_image_attr` call (e.g. ``show_colorbar``, ``cmap``)."""
    if len(methods) != len(signs):
        raise ValueError(f"`methods` ({len(methods)}) and `signs` ({len(signs)}) must have the same length")
    if titles is not None and len(titles) != len(methods):
        raise ValueError(f"`titles` ({len(titles)}) must have one entry per method ({len(methods)})")
    if not methods:
        raise ValueError("`methods` must name at least one visualization")
    options = dict(outlier_perc=2, cmap=None, alpha_overlay=0.5, show_colorbar=False)
    unknown = sorted(set(kwargs) - set(options))
    if unknown:
        raise TypeError(f"visualize_image_attr_multiple() got unexpected keyword arguments {unknown}; "
                        f"it passes on only {sorted(options)}")
    options.update(kwargs)
    plans = [plan_image(attr, original_image, method, sign, options["outlier_perc"], options["cmap"],
                        options["alpha_overlay"]) for method, sign in zip(methods, signs)]
    if options["cmap"] is not None:
        as_colormap(options["cmap"])
    figure = plt.figure(figsize=fig_size) if use_pyplot else Figure(figsize=fig_size)
    axes = figure.subplots(1, len(methods), squeeze=True)
    axes_list = [axes] if len(methods) == 1 else axes.tolist()
    for i, plan in enumerate(plans):
        draw_on(figure, axes_list[i], plan, options["show_colorbar"], titles[i] if titles else None)
    figure.tight_layout()
    if use_pyplot:
        plt.show()
    return figure, axes if len(methods) == 1 else axes_list
