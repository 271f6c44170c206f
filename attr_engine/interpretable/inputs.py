"""Interpretable inputs: features a person understands (words, template slots), mapped to and
from what the model takes.

An :class:`InterpretableInput` shows its features as a binary tensor (1 = present);
perturbation methods switch features off in that tensor, :meth:`to_model_input` turns a
perturbed tensor back into a model input (with absent features replaced by baselines), and
:meth:`format_attr` spreads attributions of feature groups back over the features.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from torch import Tensor


class InterpretableInput(ABC):
    """The interface: ``n_itp_features``, ``values`` (their names) and the three conversions."""

    n_itp_features: int
    values: List[str]

    @abstractmethod
    def to_tensor(self) -> Tensor:
        """The interpretable features as a (1, n_itp_features) tensor of ones."""

    @abstractmethod
    def to_model_input(self, perturbed_tensor: Optional[Tensor] = None) -> Any:
        """The model input with the features that are 0 in `perturbed_tensor` replaced."""

    def format_attr(self, itp_attr: Tensor) -> Tensor:
        """Attributions of interpretable features as attributions of the input's features."""
        return itp_attr


def _by_key(value: Any, keys: List[str], name: str) -> List[Any]:
    if not isinstance(value, dict):
        raise TypeError(f"`values` is a dict, so `{name}` must be a dict too, got {type(value).__name__}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise ValueError(f"`{name}` has no entries for {missing}")
    return [value[k] for k in keys]


class TextTemplateInput(InterpretableInput):
    """Text built from a template whose slots are the features: ``"{} feels {} right now"``
    with values ``["It", "depressed"]``; absent slots take their baseline (default "")."""

    def __init__(self, template: Union[str, Callable[..., str]], values: Union[List[str], Dict[str, str]],
                 baselines: Union[List[str], Dict[str, str], Callable[[], Any], None] = None,
                 mask: Union[List[int], Dict[str, int], None] = None) -> None:
        if isinstance(values, dict):
            self.dict_keys = list(values)
            values = [values[k] for k in self.dict_keys]
        elif isinstance(values, list):
            self.dict_keys = []
        else:
            raise TypeError(f"`values` must be a list or a dict, got {type(values).__name__}")
        self.values = values
        self.n_features = len(values)
        if baselines is None:
            baselines = [""] * self.n_features
        elif not callable(baselines):
            baselines = self._as_list(baselines, "baselines")
        self.baselines = baselines
        self.mask = mask
        if mask is None:
            self.n_itp_features = self.n_features
        else:
            mask = self._as_list(mask, "mask")
            ids = sorted(set(mask))
            index = {m: i for i, m in enumerate(ids)}
            self.formatted_mask = [index[m] for m in mask]
            self.mask = mask
            self.n_itp_features = len(ids)
        if isinstance(template, str):
            self.format_fn = template.format
        elif callable(template):
            self.format_fn = template
        else:
            raise TypeError(f"`template` must be a string or a callable, got {type(template).__name__}")
        self.template = template

    def _as_list(self, value: Any, name: str) -> List[Any]:
        if self.dict_keys:
            return _by_key(value, self.dict_keys, name)
        if not isinstance(value, list):
            raise TypeError(f"`values` is a list, so `{name}` must be a list too, got {type(value).__name__}")
        if len(value) != self.n_features:
            raise ValueError(f"`{name}` has {len(value)} entries but there are {self.n_features} values")
        return value

    def to_tensor(self) -> Tensor:
        return torch.tensor([[1.0] * self.n_itp_features])

    def to_model_input(self, perturbed_tensor: Optional[Tensor] = None) -> str:
        values = list(self.values)
        if perturbed_tensor is not None:
            baselines = self._as_list(self.baselines(), "baselines") if callable(self.baselines) \
                else self.baselines
            for i in range(len(values)):
                itp = self.formatted_mask[i] if self.mask is not None else i
                if not perturbed_tensor[0][itp]:
                    values[i] = baselines[i]
        if self.dict_keys:
            return self.format_fn(**dict(zip(self.dict_keys, values)))
        return self.format_fn(*values)

    def format_attr(self, itp_attr: Tensor) -> Tensor:
        if self.mask is None:
            return itp_attr
        index = torch.tensor(self.formatted_mask, device=itp_attr.device)
        return itp_attr.index_select(-1, index)


class TextTokenInput(InterpretableInput):
    """Text as tokens: each token (except `skip_tokens`) is a feature; absent tokens become
    the baseline token (an id, or a token string converted by the tokenizer)."""

    def __init__(self, text: str, tokenizer: Any, baselines: Union[int, str] = 0,
                 skip_tokens: Union[List[int], List[str], None] = None) -> None:
        self.inp_tensor = tokenizer.encode(text, return_tensors="pt")
        self.itp_tensor = self.inp_tensor
        self.itp_mask: Optional[Tensor] = None
        if skip_tokens:
            if isinstance(skip_tokens[0], str):
                skip_tokens = tokenizer.convert_tokens_to_ids(list(skip_tokens))
            skip = torch.tensor(list(skip_tokens), dtype=self.inp_tensor.dtype)
            self.itp_mask = ~torch.isin(self.inp_tensor, skip)
            self.itp_tensor = self.inp_tensor[self.itp_mask].unsqueeze(0)
        self.skip_tokens = skip_tokens
        self.values = tokenizer.convert_ids_to_tokens(self.itp_tensor[0].tolist())
        self.tokenizer = tokenizer
        self.n_itp_features = len(self.values)
        if isinstance(baselines, bool) or not isinstance(baselines, (int, str)):
            raise TypeError(f"`baselines` must be a token id or a token string, got {baselines!r}")
        self.baselines = baselines if isinstance(baselines, int) else \
            tokenizer.convert_tokens_to_ids([baselines])[0]

    def to_tensor(self) -> Tensor:
        return torch.ones_like(self.itp_tensor)

    def to_model_input(self, perturbed_tensor: Optional[Tensor] = None) -> Tensor:
        if perturbed_tensor is None:
            return self.inp_tensor
        device = perturbed_tensor.device
        rows = perturbed_tensor.size(0)
        tokens = self.itp_tensor.expand(rows, -1).clone().to(device)
        tokens[perturbed_tensor != 1] = self.baselines
        if self.itp_mask is None:
            return tokens
        full = self.inp_tensor.expand(rows, -1).clone().to(device)
        full[self.itp_mask.expand(rows, -1).to(device)] = tokens.view(-1)
        return full


class ImageMaskInput(InterpretableInput):
    """An image whose features are segments: pixels sharing an id in `mask` (height, width),
    or one binary mask per feature in `mask_list` (features may overlap). Absent segments are
    painted with the `baseline` colour; `processor_fn` turns the (perturbed) PIL image into
    the model input (e.g. a multimodal LLM's processor). No mask: the image is one feature."""

    def __init__(self, image: Any, mask: Optional[Tensor] = None,
                 mask_list: Optional[List[Tensor]] = None,
                 baseline: Tuple[int, int, int] = (255, 255, 255),
                 processor_fn: Callable[[Any], Any] = lambda image: image) -> None:
        if not hasattr(image, "size") or not callable(getattr(image, "convert", None)):
            raise TypeError(f"`image` must be a PIL image, got {type(image).__name__}")
        self.image, self.baseline, self.processor_fn = image, baseline, processor_fn
        shape = (image.size[1], image.size[0])  # (height, width)
        if mask_list is not None:
            for i, m in enumerate(mask_list):
                if tuple(m.shape) != shape:
                    raise ValueError(f"`mask_list[{i}]` has shape {tuple(m.shape)}; the image is {shape}")
            ids: List[int] = list(range(len(mask_list)))
            mask = torch.empty(0)
        else:
            if mask is None:
                mask = torch.zeros(shape, dtype=torch.int32)
            elif tuple(mask.shape) != shape:
                raise ValueError(f"`mask` has shape {tuple(mask.shape)}; the image is {shape} (height, width)")
            ids = [int(i) for i in torch.unique(mask).tolist()]
            mask_list = []
        self.mask, self.mask_list = mask, mask_list
        self.mask_id_to_idx: Dict[int, int] = {mid: i for i, mid in enumerate(ids)}
        self.n_itp_features = len(ids)
        self.values = [f"image_feature_{mid}" for mid in ids]
        self.original_model_inputs = processor_fn(image)

    def to_tensor(self) -> Tensor:
        return torch.ones(1, self.n_itp_features)

    def get_mask_list(self) -> List[Tensor]:
        """One boolean (height, width) mask per interpretable feature."""
        return self.mask_list or [self.mask == mid for mid in self.mask_id_to_idx]

    def to_model_input(self, perturbed_tensor: Optional[Tensor] = None) -> Any:
        if perturbed_tensor is None:
            return self.original_model_inputs
        from PIL import Image

        pixels = torch.from_numpy(np.array(self.image)).clone()
        colour = torch.tensor(self.baseline, dtype=pixels.dtype)
        for idx, segment in enumerate(self.get_mask_list()):
            if perturbed_tensor[0][idx] == 0:
                pixels[segment.bool()] = colour
        return self.processor_fn(Image.fromarray(pixels.numpy().astype("uint8")))

    def format_attr(self, itp_attr: Tensor) -> Tensor:
        return itp_attr

    def format_pixel_attr(self, itp_attr: Tensor) -> Tensor:
        """Attributions (..., n_itp_features) spread over the pixels: (..., height, width);
        pixels in several features of `mask_list` get the sum."""
        masks = torch.stack([m.bool() for m in self.get_mask_list()]).to(itp_attr.device)
        return torch.einsum("...f,fhw->...hw", itp_attr, masks.to(itp_attr.dtype))

    def plot_mask_overlay(self, show: bool = False, border_width: int = 0, show_legends: bool = True):
        """The image with each segment tinted in its own colour (an edge `border_width` pixels
        wide drawn inside it when positive) and, with `show_legends`, its mask id at its
        centroid. Returns ``(figure, axes)``, or shows the plot and returns None."""
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        fig.set_facecolor("white")
        ax.imshow(self.image)
        palette = plt.get_cmap("tab20")
        for k, (segment, mid) in enumerate(zip(self.get_mask_list(), self.mask_id_to_idx)):
            inside = segment.bool()
            colour = torch.tensor(palette(k % 20))
            tint = torch.cat([colour[:3], torch.tensor([0.6])])  # see-through over the image
            ax.imshow((inside.unsqueeze(-1) * tint).numpy())
            if border_width > 0:
                ax.imshow((_inner_edge(inside, border_width).unsqueeze(-1) * colour).numpy())
            if show_legends and inside.any():
                rows, cols = torch.nonzero(inside, as_tuple=True)
                ax.text(cols.float().mean().item(), rows.float().mean().item(), str(mid),
                        ha="center", va="center", fontsize=9,
                        bbox={"facecolor": "white", "alpha": 0.7, "linewidth": 0})
        ax.axis("off")
        if show:
            plt.show()
            return None
        return fig, ax


def _inner_edge(inside: Tensor, width: int) -> Tensor:
    """The pixels of a (height, width) boolean mask within `width` pixels of its outside."""
    outside = (~inside).float()[None, None]
    near = torch.nn.functional.max_pool2d(outside, 2 * width + 1, stride=1, padding=width)[0, 0] > 0
    return inside & near
