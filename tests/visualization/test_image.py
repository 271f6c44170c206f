"""Image visualizations against Captum 0.9: normalised values, colormaps, limits and pixels."""

import warnings

import numpy as np
import pytest
import torch
from captum.attr import visualization as captum_viz
from captum.attr._utils.visualization import _cumulative_sum_threshold, _normalize_attr
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from attr_engine import visualization as viz
from attr_engine.visualization._normalize import cumulative_sum_threshold

from .pixels import assert_same_pixels

METHODS = ["heat_map", "blended_heat_map", "original_image", "masked_image", "alpha_scaling"]
SIGNS = ["positive", "absolute_value", "negative", "all"]
VALID = [(m, s) for m in METHODS for s in SIGNS if not (s == "all" and m in ("masked_image", "alpha_scaling"))]


@pytest.fixture
def example():
    rng = np.random.default_rng(0)
    return rng.normal(size=(12, 10, 3)), rng.uniform(size=(12, 10, 3))


def _images(axis):
    return [(im.get_array(), im.get_cmap().name, im.get_clim(), im.get_alpha()) for im in axis.images]


def _assert_same_images(ours, theirs):
    assert len(ours) == len(theirs)
    for (a, cmap_a, clim_a, alpha_a), (b, cmap_b, clim_b, alpha_b) in zip(ours, theirs):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-12, atol=1e-12)
        assert cmap_a == cmap_b and alpha_a == alpha_b
        np.testing.assert_allclose(clim_a, clim_b)


@pytest.mark.parametrize("method,sign", VALID)
def test_matches_captum_for_every_method_and_sign(example, method, sign):
    attr, image = example
    kwargs = dict(method=method, sign=sign, use_pyplot=False, fig_size=(3, 3))
    ours = viz.visualize_image_attr(attr, image, **kwargs)
    theirs = captum_viz.visualize_image_attr(attr, image, **kwargs)
    assert isinstance(ours[0], Figure) and not plt.get_fignums()  # use_pyplot=False leaves pyplot alone
    _assert_same_images(_images(ours[1]), _images(theirs[1]))
    assert_same_pixels(ours[0], theirs[0])


@pytest.mark.parametrize("options", [
    dict(method="blended_heat_map", sign="all", show_colorbar=True, title="IG", alpha_overlay=0.3),
    dict(method="heat_map", sign="positive", cmap="viridis", outlier_perc=10, show_colorbar=True),
    dict(method="original_image", show_colorbar=True),
    dict(method="masked_image", sign="negative", outlier_perc=0),
])
def test_options_match_captum(example, options):
    attr, image = example
    image = (image * 255).astype(np.uint8)  # 0–255 integers are taken as they are
    ours = viz.visualize_image_attr(attr, image, use_pyplot=False, fig_size=(3, 3), **options)
    theirs = captum_viz.visualize_image_attr(attr, image, use_pyplot=False, fig_size=(3, 3), **options)
    assert len(ours[0].axes) == len(theirs[0].axes) and ours[1].get_title() == theirs[1].get_title()
    _assert_same_images(_images(ours[1]), _images(theirs[1]))
    assert_same_pixels(ours[0], theirs[0])


def test_draws_on_the_given_axis_and_accepts_tensors(example):
    attr, image = example
    figure, axis = plt.subplots()
    got = viz.visualize_image_attr(torch.tensor(attr), torch.tensor(image), "blended_heat_map",
                                   plt_fig_axis=(figure, axis), use_pyplot=False)
    assert got[0] is figure and got[1] is axis and len(axis.images) == 2


def test_heat_map_without_channels_and_without_image():
    attr = np.random.default_rng(1).normal(size=(6, 5))
    ours = viz.visualize_image_attr(attr, sign="all", use_pyplot=False)
    theirs = captum_viz.visualize_image_attr(attr, sign="all", use_pyplot=False)
    _assert_same_images(_images(ours[1]), _images(theirs[1]))


def test_use_pyplot_creates_a_pyplot_figure(example):
    attr, image = example
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Agg cannot show
        figure, _ = viz.visualize_image_attr(attr, image)
    assert plt.get_fignums() == [figure.number]


def test_multiple_matches_captum(example):
    attr, image = example
    args = (attr, image, ["original_image", "heat_map", "blended_heat_map"], ["all", "positive", "all"])
    kwargs = dict(titles=["a", "b", "c"], use_pyplot=False, show_colorbar=True, fig_size=(6, 3))
    ours_fig, ours_axes = viz.visualize_image_attr_multiple(*args, **kwargs)
    theirs_fig, theirs_axes = captum_viz.visualize_image_attr_multiple(*args, **kwargs)
    assert len(ours_axes) == 3 and all(a in ours_fig.axes for a in ours_axes)
    for a, b in zip(ours_axes, theirs_axes):
        _assert_same_images(_images(a), _images(b))
    assert_same_pixels(ours_fig, theirs_fig)
    _, single = viz.visualize_image_attr_multiple(attr, image, ["heat_map"], ["all"], use_pyplot=False)
    assert not isinstance(single, list)


@pytest.mark.parametrize("sign", SIGNS)
@pytest.mark.parametrize("outlier_perc", [0, 2, 37.5, 90])
def test_normalisation_equals_captum(sign, outlier_perc):
    attr = np.random.default_rng(2).normal(size=(9, 7)) ** 3
    np.testing.assert_allclose(viz.normalize_attr(attr, sign, outlier_perc),
                               _normalize_attr(attr, sign, outlier_perc), rtol=1e-12)


def test_threshold_against_a_slow_reference():
    values = np.abs(np.random.default_rng(3).normal(size=50))
    for percentile in (0, 12.5, 50, 98, 100):
        total, running = values.sum(), 0.0
        for v in np.sort(values):  # the first sorted value whose running sum reaches the share
            running += v
            if running >= total * percentile / 100:
                break
        assert cumulative_sum_threshold(values, percentile) == pytest.approx(v)
        assert cumulative_sum_threshold(values, percentile) == _cumulative_sum_threshold(values, percentile)


def test_all_zero_attribution_draws_blank_with_a_warning():
    with pytest.warns(UserWarning, match="zero"):
        norm = viz.normalize_attr(np.zeros((3, 3)), "positive")
    assert not norm.any()


@pytest.mark.parametrize("call,match", [
    (lambda a, i: viz.visualize_image_attr(a, i, "masked_image", "all"), "cannot show signed"),
    (lambda a, i: viz.visualize_image_attr(a, i, "alpha_scaling", "all"), "cannot show signed"),
    (lambda a, i: viz.visualize_image_attr(a, None, "blended_heat_map"), "original_image"),
    (lambda a, i: viz.visualize_image_attr(a, i, "contour"), "method"),
    (lambda a, i: viz.visualize_image_attr(a, i, sign="both"), "sign"),
    (lambda a, i: viz.visualize_image_attr(a, i, outlier_perc=101), "outlier_perc"),
    (lambda a, i: viz.visualize_image_attr(a, i, cmap="no-such-map"), "cmap"),
    (lambda a, i: viz.visualize_image_attr(a[:4], i, "blended_heat_map"), "height and width"),
    (lambda a, i: viz.visualize_image_attr(a.transpose(2, 0, 1), i, "blended_heat_map"), "channels must be the last"),
    (lambda a, i: viz.visualize_image_attr(a, i.transpose(2, 0, 1), "blended_heat_map"), "channels must be the last"),
    (lambda a, i: viz.visualize_image_attr(a[..., 0, None, None], i), r"\(H, W\)"),
    (lambda a, i: viz.visualize_image_attr(np.ones((3, 16, 16))), "channels-first"),
    (lambda a, i: viz.visualize_image_attr_multiple(a, i, ["heat_map"], ["all", "all"]), "same length"),
    (lambda a, i: viz.visualize_image_attr_multiple(a, i, ["heat_map"], ["all"], titles=[]), "titles"),
])
def test_bad_arguments_raise_clear_errors(call, match):
    attr = np.random.default_rng(4).normal(size=(6, 5, 3))
    image = np.random.default_rng(5).uniform(size=(6, 5, 3))
    with pytest.raises(ValueError, match=match):
        call(attr, image)
    assert not plt.get_fignums()  # nothing half-drawn is left behind


def test_wrong_types_raise_type_errors():
    with pytest.raises(TypeError, match="attr"):
        viz.visualize_image_attr([[1.0]], use_pyplot=False)
    with pytest.raises(TypeError, match="unexpected keyword"):
        viz.visualize_image_attr_multiple(np.ones((2, 2)), None, ["heat_map"], ["all"], colour="red")


def test_one_channel_image_is_drawn_in_grey(example):
    attr, image = example
    grey = image[:, :, :1]
    ours = viz.visualize_image_attr(attr, grey, "blended_heat_map", use_pyplot=False)
    theirs = captum_viz.visualize_image_attr(attr, grey, "blended_heat_map", use_pyplot=False)
    _assert_same_images(_images(ours[1]), _images(theirs[1]))
    for method in ("original_image", "masked_image"):
        _, axis = viz.visualize_image_attr(attr, grey, method, use_pyplot=False)
        (shown,) = axis.images
        assert shown.get_array().shape == (12, 10) and shown.get_cmap().name == "gray"
        assert shown.get_clim() == (0, 255)
