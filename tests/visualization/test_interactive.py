"""Plotly figures show exactly what the matplotlib ones (and Captum's) show, and export."""

import shutil
import struct

import matplotlib
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from captum.attr import visualization as captum_viz
from captum.attr._utils.visualization import _normalize_attr

from attr_engine import visualization as viz
from attr_engine.visualization._colors import as_colormap, as_colorscale

from .test_image import VALID


@pytest.fixture
def example():
    rng = np.random.default_rng(0)
    return rng.normal(size=(12, 10, 3)), rng.uniform(size=(12, 10, 3))


def _plotly_layers(figure):
    return [(trace.type, np.asarray(trace.z)) for trace in figure.data]


@pytest.mark.parametrize("method,sign", VALID)
def test_image_layers_equal_captums(example, method, sign):
    attr, image = example
    figure = viz.image_attr_figure(attr, image, method=method, sign=sign)
    _, axis = captum_viz.visualize_image_attr(attr, image, method=method, sign=sign, use_pyplot=False)
    ours, theirs = _plotly_layers(figure), [im for im in axis.images]
    assert len(ours) == len(theirs)
    for (kind, z), im in zip(ours, theirs):
        drawn = np.asarray(im.get_array(), dtype=float)
        if kind == "heatmap":
            np.testing.assert_allclose(z, drawn, rtol=1e-12)
            trace = figure.data[-1]
            assert (trace.zmin, trace.zmax) == im.get_clim()
            assert trace.colorscale == tuple(tuple(stop) for stop in as_colorscale(im.get_cmap()))
            assert trace.opacity == (im.get_alpha() or 1.0)
        elif im.get_cmap().name == "gray" and drawn.ndim == 2:  # the grey backdrop, scaled as imshow does
            expected = matplotlib.colormaps["gray"](im.norm(drawn))[..., :3] * 255
            np.testing.assert_allclose(z, expected, atol=0.5)
        else:
            np.testing.assert_array_equal(z, drawn)


def test_timeseries_overlays_equal_captums_normalisation():
    rng = np.random.default_rng(1)
    attr, data = rng.normal(size=(30, 2)), rng.normal(size=(30, 2))
    for method in ("overlay_individual", "colored_graph"):
        figure = viz.timeseries_attr_figure(attr, data, method=method, sign="all", channel_labels=["u", "v"])
        expected = _normalize_attr(attr.T, "all", 2)
        if method == "colored_graph":
            shown = [np.asarray(t.marker.color) for t in figure.data]
        else:
            shown = [np.asarray(t.z)[0] for t in figure.data if t.type == "heatmap"]
            lines = [np.asarray(t.y) for t in figure.data if t.type == "scatter"]
            np.testing.assert_array_equal(np.stack(lines), data.T)
        np.testing.assert_allclose(np.stack(shown), expected, rtol=1e-12)
    combined = viz.timeseries_attr_figure(attr, data, method="overlay_combined", sign="positive")
    np.testing.assert_allclose(np.asarray(combined.data[0].z)[0], _normalize_attr(attr.sum(1), "positive", 2))
    assert sum(t.type == "scatter" for t in combined.data) == 2


def test_feature_importance_bars_are_sorted_and_coloured_by_sign():
    values = np.array([0.5, -2.0, 0.1, 1.0])
    figure = viz.feature_importance_figure(values, ["a", "b", "c", "d"], top_k=3)
    bars = figure.data[0]
    assert list(bars.y) == ["a", "d", "b"] and list(bars.x) == [0.5, 1.0, -2.0]  # largest magnitude on top
    spectrum = as_colormap(("red", "white", "green"))  # sign "all": scaled by the largest magnitude, 2
    expected = [spectrum((v / 2.0 + 1) / 2) for v in (0.5, 1.0, -2.0)]
    rgb = (np.array(expected) * 255).round().astype(int)
    assert list(bars.marker.color) == [f"rgb({r},{g},{b})" for r, g, b, _ in rgb]
    assert bars.marker.color[2] == "rgb(255,0,0)"
    with pytest.raises(ValueError, match="feature_names"):
        viz.feature_importance_figure(values, ["a"])
    with pytest.raises(ValueError, match="1-D"):
        viz.feature_importance_figure(values[None])


def test_bad_arguments_raise_the_same_errors_as_matplotlib(example):
    attr, image = example
    with pytest.raises(ValueError, match="cannot show signed"):
        viz.image_attr_figure(attr, image, "masked_image", "all")
    with pytest.raises(ValueError, match="channels must be the last"):
        viz.image_attr_figure(attr, image.transpose(2, 0, 1), "blended_heat_map")
    with pytest.raises(ValueError, match="must match"):
        viz.timeseries_attr_figure(attr[:, :, 0], image[:, :2, 0])


def _chrome_available():
    try:
        import kaleido  # noqa: F401
    except ImportError:
        return False
    return any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome", "chrome"))


def test_each_kind_exports_to_html_and_png(example, tmp_path):
    attr, image = example
    figures = {
        "image": viz.image_attr_figure(attr, image, "blended_heat_map", "all", show_colorbar=True, fig_size=(3, 3)),
        "timeseries": viz.timeseries_attr_figure(attr[:, :, 0], image[:, :, 0], fig_size=(4, 3)),
        "bars": viz.feature_importance_figure(attr[0, :, 0], fig_size=(4, 3)),
    }
    for name, figure in figures.items():
        assert isinstance(figure, go.Figure)
        figure.write_html(tmp_path / f"{name}.html", include_plotlyjs=False)
        assert "Plotly.newPlot" in (tmp_path / f"{name}.html").read_text()
    if not _chrome_available():
        pytest.skip("PNG export needs kaleido and a Chrome/Chromium")
    paths = [tmp_path / f"{name}.png" for name in figures]
    sizes = [(f.layout.width, f.layout.height) for f in figures.values()]
    pio.write_images(list(figures.values()), paths, width=[w for w, _ in sizes], height=[h for _, h in sizes])
    for path, size in zip(paths, sizes):
        head = path.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", head[16:24]) == size
