"""Time-series visualizations against Captum 0.9 drawing through pyplot.

Captum 0.9 calls ``matplotlib.cm.get_cmap``, removed in matplotlib 3.9, so the test lends it
``matplotlib.colormaps.get_cmap`` for the comparison only; and since its ``use_pyplot=False``
path sets limits on pyplot's current figure, Captum draws through pyplot here."""

import warnings

import matplotlib
import numpy as np
import pytest
from captum.attr import visualization as captum_viz
from matplotlib import pyplot as plt

from attr_engine import visualization as viz

from .pixels import assert_same_pixels

METHODS = ["overlay_individual", "overlay_combined", "colored_graph"]
SIGNS = ["positive", "absolute_value", "negative", "all"]


@pytest.fixture
def series():
    rng = np.random.default_rng(0)
    return rng.normal(size=(40, 3)), np.cumsum(rng.normal(size=(40, 3)), axis=0)


@pytest.fixture
def captum_drawing(monkeypatch):
    monkeypatch.setattr(matplotlib.cm, "get_cmap", matplotlib.colormaps.get_cmap, raising=False)

    def draw(*args, **kwargs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Agg cannot show
            return captum_viz.visualize_timeseries_attr(*args, use_pyplot=True, **kwargs)
    return draw


def _colors(axes):
    """Face colours of the shaded bands, or the colours of the line segments."""
    out = []
    for axis in np.ravel(axes):
        bands = [p.get_facecolor() for p in axis.patches]
        for collection in axis.collections:
            colors = collection.get_facecolor() if collection.get_array() is None else \
                collection.cmap(collection.norm(collection.get_array()))
            bands.extend(map(tuple, colors))
        out.append(np.array(bands))
    return out


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("sign", SIGNS)
def test_matches_captum(series, captum_drawing, method, sign):
    attr, data = series
    labels = ["a", "b", "c"]
    theirs = captum_drawing(attr, data, method=method, sign=sign, channel_labels=labels, fig_size=(4, 4))
    ours = viz.visualize_timeseries_attr(attr, data, method=method, sign=sign, channel_labels=labels,
                                         fig_size=(4, 4), use_pyplot=False)
    assert plt.get_fignums() == [theirs[0].number]  # ours stayed off pyplot
    assert np.shape(ours[1]) == np.shape(theirs[1])
    for a, b in zip(_colors(ours[1]), _colors(theirs[1])):
        np.testing.assert_allclose(a[:, :3], b[:, :3], atol=1e-12)
    for a, b in zip(np.ravel(ours[1]), np.ravel(theirs[1])):
        np.testing.assert_allclose(a.get_xlim(), b.get_xlim())
        np.testing.assert_allclose(a.get_ylim(), b.get_ylim())
    assert_same_pixels(ours[0], theirs[0], max_fraction=0.01)


def test_options_match_captum(series, captum_drawing):
    attr, data = series
    kwargs = dict(x_values=np.linspace(0, 2, 40), method="overlay_individual", sign="all", channels_last=False,
                  outlier_perc=10, cmap="coolwarm", alpha_overlay=0.4, show_colorbar=True, title="DeepLift",
                  fig_size=(4, 4), linewidth=3, color="black")
    theirs = captum_drawing(attr.T, data.T, **kwargs)
    ours = viz.visualize_timeseries_attr(attr.T, data.T, use_pyplot=False, **kwargs)
    assert ours[1][0].get_title() == "DeepLift" and len(ours[0].axes) == len(theirs[0].axes)
    assert ours[1][0].lines[0].get_linewidth() == 3
    assert_same_pixels(ours[0], theirs[0], max_fraction=0.01)


def test_draws_only_on_its_own_figure(series):
    attr, data = series
    other = plt.figure()
    other.add_subplot().set_xlim(-5, 5)
    figure, axes = viz.visualize_timeseries_attr(attr, data, use_pyplot=False)
    assert other.axes[0].get_xlim() == (-5, 5) and other.subplotpars.hspace != 0
    assert figure.subplotpars.hspace == 0 and axes[0].get_xlim() == (0, 39)


def test_draws_on_given_axes(series):
    attr, data = series
    figure, axes = plt.subplots(3, sharex=True)
    got = viz.visualize_timeseries_attr(attr, data, plt_fig_axis=(figure, axes), use_pyplot=False)
    assert got[0] is figure and got[1] is axes and all(len(a.lines) == 1 for a in axes)


def test_positive_data_stays_in_view_for_colored_graph(series):
    attr, _ = series
    data = np.full((40, 3), 5.0) + np.linspace(0, 1, 40)[:, None]
    _, axes = viz.visualize_timeseries_attr(attr, data, method="colored_graph", use_pyplot=False)
    lo, hi = axes[0].get_ylim()
    assert lo < 5.0 and hi > 6.0


@pytest.mark.parametrize("call,match", [
    (lambda a, d: viz.visualize_timeseries_attr(a[:, :2], d), "must match"),
    (lambda a, d: viz.visualize_timeseries_attr(a[None], d[None]), r"\(N, C\)"),
    (lambda a, d: viz.visualize_timeseries_attr(a, d, method="bars"), "method"),
    (lambda a, d: viz.visualize_timeseries_attr(a, d, x_values=np.arange(3)), "x_values"),
    (lambda a, d: viz.visualize_timeseries_attr(a, d, channel_labels=["x"]), "channel_labels"),
    (lambda a, d: viz.visualize_timeseries_attr(a[:1], d[:1]), "at least 2"),
])
def test_bad_arguments_raise_clear_errors(series, call, match):
    attr, data = series
    with pytest.raises(ValueError, match=match):
        call(attr, data)
    assert not plt.get_fignums()


def test_channel_layout_warning(series):
    attr, data = series
    with pytest.warns(UserWarning, match="channels_last"):
        viz.visualize_timeseries_attr(attr, data, channels_last=False, use_pyplot=False)
