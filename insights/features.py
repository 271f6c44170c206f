"""Features: how one input of a model is transformed, given baselines, and displayed.

As in Captum Insights, each model input is described by a feature. A feature turns one
example and its attribution into a display payload (images as PNG plus the raw attribution
map, text as tokens with scores, time series as per-channel arrays, general features as named
scalars), offers named baselines, and parses a user's own input (an upload, typed text, a
pasted series).
"""

from __future__ import annotations

import base64
import binascii
import io
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import Tensor

from .errors import InsightsError
from .serialization import encode_array, encode_png, to_floats

Transform = Callable[[Tensor], Tensor]
Transforms = Union[None, Transform, Sequence[Transform]]


def _as_list(transforms: Transforms) -> List[Transform]:
    if transforms is None:
        return []
    if callable(transforms):
        return [transforms]
    return list(transforms)


def _named(transforms: Union[Transforms, Mapping[str, Transform]]) -> Dict[str, Transform]:
    if isinstance(transforms, Mapping):
        return dict(transforms)
    return {getattr(t, "__name__", f"baseline_{i}"): t for i, t in enumerate(_as_list(transforms))}


class BaseFeature(ABC):
    """One model input. ``input_transforms`` map a raw example to the model's input;
    ``baseline_transforms`` (callables or ``{name: callable}``) map a model input to a baseline."""

    kind = "general"

    def __init__(self, name: str, baseline_transforms: Any = None, input_transforms: Transforms = None,
                 visualization_transform: Optional[Callable[[Tensor], Any]] = None) -> None:
        if not isinstance(name, str) or not name:
            raise TypeError("`name` must be a non-empty string")
        self.name = name
        self.user_baselines = _named(baseline_transforms)
        self.input_transforms = _as_list(input_transforms)
        self.visualization_transform = visualization_transform

    # --- model input -------------------------------------------------------------------------
    def transform(self, raw: Tensor) -> Tensor:
        for t in self.input_transforms:
            raw = t(raw)
        return raw

    # --- baselines ---------------------------------------------------------------------------
    def builtin_baselines(self) -> List[str]:
        return ["zeros", "dataset_mean"]

    def baseline_options(self) -> List[str]:
        return [*self.user_baselines, *[b for b in self.builtin_baselines() if b not in self.user_baselines]]

    def baseline(self, option: str, inputs: Tensor, mean: Optional[Tensor]) -> Tensor:
        """A baseline for the batch of model inputs ``inputs``; ``mean`` is the data-set mean."""
        if option in self.user_baselines:
            return torch.stack([self.user_baselines[option](row) for row in inputs]).to(inputs)
        if option == "zeros":
            return torch.zeros_like(inputs)
        if option == "dataset_mean" and mean is not None:
            return mean.to(inputs).expand_as(inputs).clone()
        return self._builtin_baseline(option, inputs)

    def _builtin_baseline(self, option: str, inputs: Tensor) -> Tensor:
        raise InsightsError(f"feature {self.name!r} has no baseline {option!r}; "
                            f"choose from {self.baseline_options()}", field="baselines")

    # --- display -----------------------------------------------------------------------------
    def describe(self) -> Dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "baselines": self.baseline_options(),
                "accepts_upload": self.accepts_upload}

    accepts_upload = False

    @abstractmethod
    def display(self, raw: Tensor, attribution: Optional[Tensor] = None) -> Dict[str, Any]:
        """The display payload of one raw example, with its attribution when given."""

    def parse_upload(self, value: Any, template: Tensor, limits: Any) -> Tensor:
        raise InsightsError(f"feature {self.name!r} does not accept inputs of your own", field="feature")


class ImageFeature(BaseFeature):
    """An image input (C, H, W). Displayed as a PNG of ``visualization_transform(raw)`` plus the
    attribution summed over channels, raw, so the client colours it without asking again (and,
    for several channels, the attribution per channel, for exports)."""

    kind = "image"
    accepts_upload = True

    def builtin_baselines(self) -> List[str]:
        return ["zeros", "blur", "uniform_noise", "dataset_mean"]

    def _builtin_baseline(self, option: str, inputs: Tensor) -> Tensor:
        if option == "blur":
            return _gaussian_blur(inputs, sigma=max(inputs.shape[-1] / 16.0, 1.0))
        if option == "uniform_noise":
            g = torch.Generator().manual_seed(0)  # the same noise for the same request: cacheable
            low, high = inputs.min().item(), inputs.max().item()
            return (low + (high - low) * torch.rand(inputs.shape, generator=g)).to(inputs)
        return super()._builtin_baseline(option, inputs)

    def display(self, raw: Tensor, attribution: Optional[Tensor] = None) -> Dict[str, Any]:
        shown = self.visualization_transform(raw) if self.visualization_transform else raw
        payload: Dict[str, Any] = {"kind": "image", "png": encode_png(shown),
                                   "height": int(raw.shape[-2]), "width": int(raw.shape[-1])}
        if attribution is not None:
            per_channel = attribution.reshape(-1, *attribution.shape[-2:])
            payload["attribution"] = encode_array(per_channel.sum(0))
            if per_channel.shape[0] > 1:  # exports keep the channels the drawing sums
                payload["channels"] = encode_array(per_channel)
        return payload

    def parse_upload(self, value: Any, template: Tensor, limits: Any) -> Tensor:
        from PIL import Image, UnidentifiedImageError

        if not isinstance(value, str):
            raise InsightsError("an image upload must be a base64 string", field="image")
        if len(value) > limits.max_upload_bytes * 4 // 3 + 4:
            raise InsightsError(f"the image is larger than {limits.max_upload_bytes} bytes", field="image")
        unreadable = InsightsError("the image is not a readable PNG, JPEG, GIF or BMP file: it may be cut short "
                                   "or damaged; try saving it again", field="image")
        try:
            data = base64.b64decode(value.split(",", 1)[-1], validate=True)
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise InsightsError(f"the image has too many pixels; at most {limits.max_upload_pixels} are "
                                "accepted", field="image") from None
        except (binascii.Error, ValueError, UnidentifiedImageError, OSError, SyntaxError, EOFError):
            raise unreadable from None
        if image.width * image.height > limits.max_upload_pixels:
            raise InsightsError(f"the image has {image.width * image.height} pixels; at most "
                                f"{limits.max_upload_pixels} are accepted", field="image")
        channels, height, width = template.shape[-3:]
        try:  # decoding happens here: a truncated or corrupt file fails now, as a bad upload
            image = image.convert("L" if channels == 1 else "RGB").resize((width, height))
        except (ValueError, OSError, SyntaxError, EOFError, Image.DecompressionBombError):
            raise unreadable from None
        pixels = torch.tensor(bytearray(image.tobytes()), dtype=torch.uint8).float() / 255.0
        return pixels.reshape(height, width, -1).permute(2, 0, 1).to(template.dtype)


class TextFeature(BaseFeature):
    """A sequence of token ids (L,). ``visualization_transform(ids)`` gives the token strings shown.

    Attribution runs through the model's embedding layer (``embedding_layer``, a dotted module
    name; the model's first ``nn.Embedding`` when omitted) so that scores are per token.
    ``tokenizer(text) -> ids`` lets a user type a text of their own.
    """

    kind = "text"

    def __init__(self, name: str, baseline_transforms: Any = None, input_transforms: Transforms = None,
                 visualization_transform: Optional[Callable[[Tensor], List[str]]] = None, *,
                 tokenizer: Optional[Callable[[str], Tensor]] = None, pad_token_id: int = 0,
                 unk_token_id: Optional[int] = None, embedding_layer: Optional[str] = None) -> None:
        super().__init__(name, baseline_transforms, input_transforms, visualization_transform)
        self.tokenizer = tokenizer
        self.pad_token_id = pad_token_id
        self.unk_token_id = unk_token_id
        self.embedding_layer = embedding_layer

    @property
    def accepts_upload(self) -> bool:  # type: ignore[override]
        return self.tokenizer is not None

    def builtin_baselines(self) -> List[str]:
        return ["pad"] + (["unk"] if self.unk_token_id is not None else [])

    def _builtin_baseline(self, option: str, inputs: Tensor) -> Tensor:
        if option in ("pad", "zeros"):
            return torch.full_like(inputs, self.pad_token_id)
        if option == "unk" and self.unk_token_id is not None:
            return torch.full_like(inputs, self.unk_token_id)
        return super()._builtin_baseline(option, inputs)

    def baseline(self, option: str, inputs: Tensor, mean: Optional[Tensor]) -> Tensor:
        if option == "dataset_mean":
            return self._builtin_baseline(option, inputs)
        return super().baseline(option, inputs, mean)

    def tokens(self, raw: Tensor) -> List[str]:
        if self.visualization_transform is None:
            return [str(t) for t in raw.tolist()]
        return [str(t) for t in self.visualization_transform(raw)]

    def display(self, raw: Tensor, attribution: Optional[Tensor] = None) -> Dict[str, Any]:
        tokens = self.tokens(raw)
        payload: Dict[str, Any] = {"kind": "text", "tokens": tokens}
        if attribution is not None:
            scores = attribution.reshape(attribution.shape[0], -1).sum(1) if attribution.dim() > 1 else attribution
            payload["scores"] = to_floats(scores[: len(tokens)])
        return payload

    def parse_upload(self, value: Any, template: Tensor, limits: Any) -> Tensor:
        if self.tokenizer is None:
            return super().parse_upload(value, template, limits)
        if not isinstance(value, str) or not value.strip():
            raise InsightsError("text must be a non-empty string", field="text")
        if len(value) > limits.max_text_chars:
            raise InsightsError(f"text is longer than {limits.max_text_chars} characters", field="text")
        return torch.as_tensor(self.tokenizer(value))


class TimeseriesFeature(BaseFeature):
    """A multichannel series (C, T), displayed per channel against ``x_values``."""

    kind = "timeseries"
    accepts_upload = True

    def __init__(self, name: str, channel_labels: Optional[Sequence[str]] = None,
                 x_values: Optional[Iterable[float]] = None, baseline_transforms: Any = None,
                 input_transforms: Transforms = None,
                 visualization_transform: Optional[Callable[[Tensor], Tensor]] = None) -> None:
        super().__init__(name, baseline_transforms, input_transforms, visualization_transform)
        self.channel_labels = list(channel_labels) if channel_labels is not None else None
        self.x_values = [float(x) for x in x_values] if x_values is not None else None

    def builtin_baselines(self) -> List[str]:
        return ["zeros", "channel_mean", "dataset_mean"]

    def _builtin_baseline(self, option: str, inputs: Tensor) -> Tensor:
        if option == "channel_mean":
            return inputs.mean(-1, keepdim=True).expand_as(inputs).clone()
        return super()._builtin_baseline(option, inputs)

    def display(self, raw: Tensor, attribution: Optional[Tensor] = None) -> Dict[str, Any]:
        shown = self.visualization_transform(raw) if self.visualization_transform else raw
        shown = shown.reshape(-1, shown.shape[-1])
        labels = self.channel_labels or [f"channel {i}" for i in range(shown.shape[0])]
        x = self.x_values or list(range(shown.shape[-1]))
        payload: Dict[str, Any] = {"kind": "timeseries", "channels": labels,
                                   "x": to_floats(x), "values": encode_array(shown)}
        if attribution is not None:
            payload["attribution"] = encode_array(attribution.reshape(shown.shape[0], -1))
        return payload

    def parse_upload(self, value: Any, template: Tensor, limits: Any) -> Tensor:
        try:
            series = torch.tensor(value, dtype=template.dtype)
        except (TypeError, ValueError):
            raise InsightsError("a series must be a list of channels, each a list of numbers",
                                field="series") from None
        if series.shape != template.shape:
            raise InsightsError(f"the series must have shape {list(template.shape)} "
                                f"(channels x steps), got {list(series.shape)}", field="series")
        if not torch.isfinite(series).all():
            raise InsightsError("the series contains NaN or infinite values", field="series")
        return series


class GeneralFeature(BaseFeature):
    """A vector of named scalars (K,), e.g. tabular columns named by ``categories``."""

    kind = "general"

    def __init__(self, name: str, categories: Sequence[str]) -> None:
        super().__init__(name)
        self.categories = list(categories)

    def display(self, raw: Tensor, attribution: Optional[Tensor] = None) -> Dict[str, Any]:
        payload: Dict[str, Any] = {"kind": "general", "names": self.categories,
                                   "values": to_floats(raw.reshape(-1))}
        if attribution is not None:
            payload["scores"] = to_floats(attribution.reshape(-1))
        return payload


def _gaussian_blur(images: Tensor, sigma: float) -> Tensor:
    radius = int(2 * sigma)
    t = torch.arange(-radius, radius + 1, dtype=images.dtype, device=images.device)
    kernel = torch.exp(-(t ** 2) / (2 * sigma ** 2))
    kernel = kernel / kernel.sum()
    shape = images.shape
    x = images.reshape(-1, 1, *shape[-2:])
    x = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"), kernel.view(1, 1, 1, -1))
    x = F.conv2d(F.pad(x, (0, 0, radius, radius), mode="replicate"), kernel.view(1, 1, -1, 1))
    return x.reshape(shape)
