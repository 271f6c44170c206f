"""Sign handling, outlier scaling, colour choices and image checks: one implementation that
the matplotlib and the Plotly figures both draw from, so the two always show the same values.

Follows Captum's documented behaviour: attributions are filtered by sign, divided by the value
at which the sorted absolute attributions reach ``100 - outlier_perc`` percent of their total,
and clipped to [-1, 1]; images come channels last, as 0–1 floats or 0–255 integers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

SIGNS = ("positive", "absolute_value", "negative", "all")
IMAGE_METHODS = ("heat_map", "blended_heat_map", "original_image", "masked_image", "alpha_scaling")
TIMESERIES_METHODS = ("overlay_individual", "overlay_combined", "colored_graph")

#: default colormap per sign; "all" is a red–white–green spectrum built from these colours
DEFAULT_CMAPS = {"positive": "Greens", "negative": "Reds", "absolute_value": "Blues"}
ALL_SIGN_COLORS = ("red", "white", "green")
ALL_SIGN_CMAP_NAME = "RdWhGn"


def check_choice(value: Any, choices: Sequence[str], name: str) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def to_numpy(array: Any, name: str) -> np.ndarray:
    """A numpy array from an array or a (possibly grad-tracking, GPU) torch tensor."""
    if hasattr(array, "detach") and hasattr(array, "cpu"):
        array = array.detach().cpu().numpy()
    if not isinstance(array, np.ndarray):
        raise TypeError(f"`{name}` must be a numpy.ndarray or a torch.Tensor, got {type(array).__name__}")
    return array


def cumulative_sum_threshold(values: np.ndarray, percentile: float) -> float:
    """The smallest sorted value at which the running sum reaches `percentile` % of the total."""
    sorted_vals = np.sort(values.ravel())
    cum_sums = np.cumsum(sorted_vals)
    index = int(np.searchsorted(cum_sums, cum_sums[-1] * 0.01 * percentile, side="left"))
    return float(sorted_vals[min(index, sorted_vals.size - 1)])


def normalize_attr(attr: np.ndarray, sign: str, outlier_perc: Union[int, float] = 2) -> np.ndarray:
    """Attributions of the chosen sign scaled into [-1, 1] (negative: into [0, 1] by magnitude).

    The top `outlier_perc` percent of the total absolute attribution saturates at ±1."""
    check_choice(sign, SIGNS, "sign")
    if isinstance(outlier_perc, bool) or not isinstance(outlier_perc, (int, float, np.number)) \
            or not 0 <= outlier_perc <= 100:
        raise ValueError(f"`outlier_perc` must be a number between 0 and 100, got {outlier_perc!r}")
    attr = np.asarray(attr, dtype=np.float64) if attr.dtype.kind in "iub" else attr
    if attr.size == 0:
        raise ValueError("`attr` is empty")
    if sign == "positive":
        attr = np.maximum(attr, 0)
    elif sign == "negative":
        attr = np.minimum(attr, 0)
    elif sign == "absolute_value":
        attr = np.abs(attr)
    threshold = cumulative_sum_threshold(np.abs(attr), 100.0 - outlier_perc)
    if sign == "negative":
        threshold = -threshold
    if threshold == 0:
        warnings.warn(f"no attribution of sign {sign!r} to show: all values are zero", stacklevel=3)
        return np.zeros_like(attr)
    if abs(threshold) < 1e-5:
        warnings.warn(
            "normalising by a value close to 0: the attributions are all near zero, so the "
            "picture may be misleading", stacklevel=3)
    return np.clip(attr / threshold, -1, 1)


def cmap_and_limits(sign: str, cmap: Any = None) -> Tuple[Any, float, float]:
    """(colormap, vmin, vmax) for a sign; `cmap` overrides the default colormap only.

    The default for "all" is returned as the colour list ``ALL_SIGN_COLORS``, which the
    drawing back ends turn into their own colormap object."""
    check_choice(sign, SIGNS, "sign")
    if sign == "all":
        return (cmap if cmap is not None else ALL_SIGN_COLORS), -1.0, 1.0
    return (cmap if cmap is not None else DEFAULT_CMAPS[sign]), 0.0, 1.0


# --- images ----------------------------------------------------------------------------


def to_uint8_image(values: np.ndarray) -> np.ndarray:
    """Integers clipped into 0–255 (truncating, as Captum's drawing does)."""
    return np.clip(values.astype(int), 0, 255)


def check_image_shapes(attr: np.ndarray, original_image: Optional[np.ndarray]) -> None:
    """Both channels last, (H, W) or (H, W, C), with the same height and width."""
    if attr.ndim not in (2, 3):
        raise ValueError(f"`attr` must have shape (H, W) or (H, W, C), got {attr.shape}")
    if attr.ndim == 3 and attr.shape[0] in (1, 3, 4) and attr.shape[2] not in (1, 3, 4):
        raise ValueError(f"`attr` of shape {attr.shape} looks channels-first: channels must be the last "
                         "dimension, transpose (C, H, W) to (H, W, C)")
    if original_image is None:
        return
    if original_image.ndim not in (2, 3):
        raise ValueError(f"`original_image` must have shape (H, W) or (H, W, C), got {original_image.shape}")
    if attr.shape[:2] != original_image.shape[:2]:
        hint = ""
        channel_first = attr.ndim == 3 and attr.shape[0] in (1, 3, 4) and attr.shape[1:] == original_image.shape[:2]
        image_first = original_image.ndim == 3 and original_image.shape[0] in (1, 3, 4) \
            and original_image.shape[1:] == attr.shape[:2]
        if channel_first or image_first:
            hint = " (channels must be the last dimension: transpose (C, H, W) to (H, W, C))"
        raise ValueError(
            f"`attr` of shape {attr.shape} does not match `original_image` of shape "
            f"{original_image.shape}: their height and width must agree{hint}")


def prepare_image(original_image: np.ndarray) -> np.ndarray:
    """0–255 integers from 0–1 floats (images whose maximum exceeds 1 are taken as 0–255)."""
    if original_image.dtype.kind not in "biuf":
        raise TypeError(f"`original_image` must hold numbers, got dtype {original_image.dtype}")
    if np.max(original_image) <= 1.0:
        return to_uint8_image(original_image * 255)
    return original_image


@dataclass
class Layer:
    """One picture to draw: an RGB(A)/grey image, or a normalised heat map with a colormap."""

    kind: str  # "image" (0–255 RGB, RGBA or H×W grey), "gray" (autoscaled grey backdrop) or "heat"
    data: np.ndarray
    alpha: Optional[float] = None


@dataclass
class ImagePlan:
    """Everything a back end needs to draw one image visualisation."""

    layers: Tuple[Layer, ...]
    norm_attr: np.ndarray
    cmap: Any
    vmin: float
    vmax: float

    @property
    def heat(self) -> Optional[Layer]:
        return next((layer for layer in self.layers if layer.kind == "heat"), None)


def plan_image(attr: Any, original_image: Any, method: str, sign: str,
               outlier_perc: Union[int, float], cmap: Any, alpha_overlay: float) -> ImagePlan:
    """Validate the arguments and compute the layers of an image visualisation."""
    check_choice(method, IMAGE_METHODS, "method")
    check_choice(sign, SIGNS, "sign")
    attr = to_numpy(attr, "attr")
    image = None if original_image is None else to_numpy(original_image, "original_image")
    check_image_shapes(attr, image)
    if image is None and method != "heat_map":
        raise ValueError(f"`original_image` is required for method {method!r}; only 'heat_map' works without it")
    if sign == "all" and method in ("masked_image", "alpha_scaling"):
        raise ValueError(
            f"method {method!r} cannot show signed attributions: use sign 'positive', "
            "'negative' or 'absolute_value' instead of 'all'")
    if method == "alpha_scaling" and (image.ndim != 3 or image.shape[2] != 3):
        raise ValueError(f"method 'alpha_scaling' needs an RGB `original_image` of shape (H, W, 3), got {image.shape}")
    if image is not None:
        image = prepare_image(image)
        if image.ndim == 3 and image.shape[2] == 1:  # one channel: a grey picture
            image = image[:, :, 0]
    if attr.ndim == 3:
        attr = attr.sum(axis=2)
    norm_attr = normalize_attr(attr, sign, outlier_perc)
    cmap, vmin, vmax = cmap_and_limits(sign, cmap)
    if method == "heat_map":
        layers = (Layer("heat", norm_attr),)
    elif method == "blended_heat_map":
        gray = image.mean(axis=2) if image.ndim == 3 else image
        layers = (Layer("gray", gray), Layer("heat", norm_attr, alpha_overlay))
    elif method == "original_image":
        layers = (Layer("image", image),)
    elif method == "masked_image":
        mask = norm_attr if image.ndim == 2 else norm_attr[:, :, None]
        layers = (Layer("image", to_uint8_image(image * mask)),)
    else:  # alpha_scaling
        alpha = to_uint8_image(norm_attr[:, :, None] * 255)
        layers = (Layer("image", np.concatenate([image, alpha], axis=2)),)
    return ImagePlan(layers, norm_attr, cmap, vmin, vmax)


# --- time series -----------------------------------------------------------------------


@dataclass
class TimeseriesPlan:
    """Channels-first data, x positions and the normalised attributions to overlay."""

    data: np.ndarray  # (C, N)
    x_values: np.ndarray  # (N,)
    norm_attr: np.ndarray  # (C, N), or (N,) for overlay_combined
    cmap: Any
    vmin: float
    vmax: float
    num_panels: int


def plan_timeseries(attr: Any, data: Any, x_values: Any, method: str, sign: str,
                    channels_last: bool, outlier_perc: Union[int, float], cmap: Any) -> TimeseriesPlan:
    """Validate the arguments and compute what a time-series visualisation draws."""
    check_choice(method, TIMESERIES_METHODS, "method")
    check_choice(sign, SIGNS, "sign")
    attr, data = to_numpy(attr, "attr"), to_numpy(data, "data")
    layout = "(N, C)" if channels_last else "(C, N)"
    if attr.ndim != 2:
        raise ValueError(f"`attr` must have shape {layout}, got {attr.shape}")
    if data.shape != attr.shape:
        raise ValueError(f"`data` of shape {data.shape} must match `attr` of shape {attr.shape}")
    if channels_last:
        attr, data = attr.T, data.T
    num_channels, length = attr.shape
    if length < 2:
        raise ValueError("a time series needs at least 2 time points to be drawn")
    if num_channels > length:
        warnings.warn(
            f"Number of channels ({num_channels}) greater than time series length ({length}), "
            "please verify input format (see `channels_last`)", stacklevel=3)
    if x_values is None:
        x_values = np.arange(length)
    else:
        x_values = to_numpy(x_values, "x_values")
        if x_values.ndim != 1 or x_values.shape[0] != length:
            raise ValueError(f"`x_values` must have shape ({length},), got {x_values.shape}")
    if method == "overlay_combined":
        attr = attr.sum(axis=0)
    norm_attr = normalize_attr(attr, sign, outlier_perc)
    cmap, vmin, vmax = cmap_and_limits(sign, cmap)
    panels = 1 if method == "overlay_combined" else num_channels
    return TimeseriesPlan(data, x_values, norm_attr, cmap, vmin, vmax, panels)
