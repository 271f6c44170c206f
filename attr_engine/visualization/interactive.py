"""Interactive Plotly figures for image, time-series and feature-importance attributions.

They take the matplotlib functions' arguments and draw from the same normalisation plans
(``_normalize``), so a Plotly heat map shows exactly the values the matplotlib one does. Each
returns a ``plotly.graph_objects.Figure``: it renders in Jupyter, ``fig.write_html(path)``
exports HTML and ``fig.write_image(path)`` PNG (through kaleido and a Chrome/Chromium).
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple, Union

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ._colors import as_colorscale, as_colormap, gray_to_rgb
from ._normalize import (SIGNS, check_choice, cmap_and_limits, normalize_attr, plan_image, plan_timeseries,
                         to_numpy)

PIXELS_PER_INCH = 100  # fig_size is in inches, as for matplotlib


def _size(fig_size: Tuple[float, float]) -> dict:
    width, height = fig_size
    return dict(width=int(width * PIXELS_PER_INCH), height=int(height * PIXELS_PER_INCH))


def _colorbar(show: bool) -> Optional[dict]:
    return dict(orientation="h", y=-0.05, yanchor="top", thickness=12) if show else None


def _rgb(image: np.ndarray) -> Tuple[np.ndarray, str]:
    """An image layer as go.Image data and its colour model (grey pictures become RGB)."""
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    return image.astype(np.uint8), ("rgba256" if image.shape[2] == 4 else "rgb")


def image_attr_figure(
    attr,
    original_image=None,
    method: str = "heat_map",
    sign: str = "absolute_value",
    outlier_perc: Union[int, float] = 2,
    cmap: Optional[Any] = None,
    alpha_overlay: float = 0.5,
    show_colorbar: bool = False,
    title: Optional[str] = None,
    fig_size: Tuple[float, float] = (6, 6),
) -> go.Figure:
    """:func:`visualize_image_attr` as an interactive figure (hover shows normalised values)."""
    plan = plan_image(attr, original_image, method, sign, outlier_perc, cmap, alpha_overlay)
    figure = go.Figure()
    for layer in plan.layers:
        if layer.kind == "heat":
            figure.add_trace(go.Heatmap(
                z=layer.data, zmin=plan.vmin, zmax=plan.vmax, colorscale=as_colorscale(plan.cmap),
                opacity=1.0 if layer.alpha is None else layer.alpha, showscale=show_colorbar,
                colorbar=_colorbar(show_colorbar), name="attribution"))
        else:
            data = gray_to_rgb(layer.data) if layer.kind == "gray" else layer.data
            pixels, model = _rgb(data)
            figure.add_trace(go.Image(z=pixels, colormodel=model, hoverinfo="skip", name="image"))
    figure.update_xaxes(visible=False, constrain="domain")
    figure.update_yaxes(visible=False, autorange="reversed", scaleanchor="x")
    figure.update_layout(title=title, plot_bgcolor="white", margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                         **_size(fig_size))
    return figure


def timeseries_attr_figure(
    attr,
    data,
    x_values=None,
    method: str = "overlay_individual",
    sign: str = "absolute_value",
    channel_labels: Optional[List[str]] = None,
    channels_last: bool = True,
    outlier_perc: Union[int, float] = 2,
    cmap: Optional[Any] = None,
    alpha_overlay: float = 0.7,
    show_colorbar: bool = False,
    title: Optional[str] = None,
    fig_size: Tuple[float, float] = (6, 6),
) -> go.Figure:
    """:func:`visualize_timeseries_attr` as an interactive figure: shaded bands behind each
    line (``overlay_*``) or lines whose points take the attribution's colour (``colored_graph``)."""
    plan = plan_timeseries(attr, data, x_values, method, sign, channels_last, outlier_perc, cmap)
    channels = plan.data.shape[0]
    if channel_labels is not None and len(channel_labels) < channels:
        raise ValueError(f"`channel_labels` has {len(channel_labels)} entries for {channels} channels")
    labels = list(channel_labels) if channel_labels is not None else [f"channel {c}" for c in range(channels)]
    colorscale, x = as_colorscale(plan.cmap), plan.x_values
    figure = make_subplots(rows=plan.num_panels, cols=1, shared_xaxes=True, vertical_spacing=0)
    for panel in range(plan.num_panels):
        row = dict(row=panel + 1, col=1)
        colors = dict(colorscale=colorscale, showscale=show_colorbar and panel == 0, colorbar=_colorbar(show_colorbar))
        if method == "colored_graph":
            values = plan.norm_attr[panel]
            figure.add_trace(go.Scatter(
                x=x, y=plan.data[panel], mode="lines+markers", name=labels[panel], customdata=values,
                line=dict(color="rgba(120,120,120,0.6)"), hovertemplate="%{y}<br>attribution %{customdata:.3f}",
                marker=dict(color=values, cmin=plan.vmin, cmax=plan.vmax, **colors)), **row)
        else:
            shown = list(range(channels)) if method == "overlay_combined" else [panel]
            values = plan.norm_attr if method == "overlay_combined" else plan.norm_attr[panel]
            lo, hi = float(plan.data[shown].min()), float(plan.data[shown].max())
            pad = 0.05 * (hi - lo) or 1.0  # y holds the band's edges: a little beyond the lines
            figure.add_trace(go.Heatmap(
                x=x, y=[lo - pad, hi + pad], z=[values], zmin=plan.vmin, zmax=plan.vmax,
                opacity=alpha_overlay, name="attribution", hovertemplate="attribution %{z:.3f}", **colors), **row)
            for chan in shown:
                figure.add_trace(go.Scatter(x=x, y=plan.data[chan], mode="lines", name=labels[chan]), **row)
        if channel_labels is not None and method != "overlay_combined":
            figure.update_yaxes(title_text=labels[panel], **row)
    figure.update_xaxes(range=[float(x[0]), float(x[-1])])
    figure.update_layout(title=title, plot_bgcolor="white", showlegend=method == "overlay_combined",
                         margin=dict(l=60, r=20, t=50 if title else 20, b=40), **_size(fig_size))
    return figure


def feature_importance_figure(
    attributions,
    feature_names: Optional[Sequence[str]] = None,
    sign: str = "all",
    outlier_perc: Union[int, float] = 0,
    cmap: Optional[Any] = None,
    top_k: Optional[int] = None,
    title: Optional[str] = None,
    fig_size: Tuple[float, float] = (6, 4),
) -> go.Figure:
    """Horizontal bars of one attribution per feature, largest magnitude on top.

    Bars show the raw values; their colours come from the same sign filtering, outlier scaling
    and colormaps as the heat maps (``sign="all"``: red negative, green positive)."""
    values = to_numpy(attributions, "attributions").astype(float)
    if values.ndim != 1:
        raise ValueError(f"`attributions` must be one value per feature (1-D), got shape {values.shape}")
    check_choice(sign, SIGNS, "sign")
    names = [f"feature {i}" for i in range(values.size)] if feature_names is None else list(map(str, feature_names))
    if len(names) != values.size:
        raise ValueError(f"`feature_names` has {len(names)} entries for {values.size} attributions")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"`top_k` must be a positive int, got {top_k!r}")
    norm = normalize_attr(values, sign, outlier_perc)
    spec, vmin, vmax = cmap_and_limits(sign, cmap)
    rgba = (as_colormap(spec)((norm - vmin) / (vmax - vmin)) * 255).round().astype(int)
    colors = [f"rgb({r},{g},{b})" for r, g, b, _ in rgba]
    order = np.argsort(-np.abs(values), kind="stable")[:top_k][::-1]
    figure = go.Figure(go.Bar(
        x=values[order], y=[names[i] for i in order], orientation="h",
        marker=dict(color=[colors[i] for i in order], line=dict(color="rgba(0,0,0,0.4)", width=1)),
        hovertemplate="%{y}: %{x:.4g}<extra></extra>"))
    figure.update_layout(title=title, plot_bgcolor="white", xaxis_title="attribution",
                         margin=dict(l=80, r=20, t=50 if title else 20, b=40), **_size(fig_size))
    figure.update_xaxes(zeroline=True, zerolinecolor="black")
    return figure

