"""Tensor-to-JSON encoding, in one place: arrays as base64 float32, images as PNG."""

from __future__ import annotations

import base64
import io
from typing import Any, Dict, List

import numpy as np
import torch


def encode_array(values: Any) -> Dict[str, Any]:
    """A numeric array as ``{shape, dtype: "float32", data: base64 little-endian}``.

    A browser decodes it with one ``new Float32Array(bytes.buffer)``; no per-number JSON.
    """
    array = _numpy(values).astype("<f4", copy=False)
    return {"shape": list(array.shape), "dtype": "float32",
            "data": base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")}


def decode_array(payload: Dict[str, Any]) -> np.ndarray:
    data = base64.b64decode(payload["data"])
    return np.frombuffer(data, dtype="<f4").reshape(payload["shape"])


def to_floats(values: Any) -> List[float]:
    """A small array as a flat list of Python floats (NaN/inf become None-free finite values)."""
    return [float(v) for v in np.nan_to_num(_numpy(values).ravel())]


def encode_png(image: Any) -> str:
    """An image (C,H,W) or (H,W,C) or (H,W) with values in [0, 1] as base64 PNG."""
    from PIL import Image

    array = _numpy(image)
    if array.ndim == 3 and array.shape[0] in (1, 3, 4) and array.shape[-1] not in (1, 3, 4):
        array = array.transpose(1, 2, 0)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    pixels = (np.clip(np.nan_to_num(array), 0.0, 1.0) * 255).round().astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _numpy(values: Any) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().to("cpu", torch.float32).numpy()
    return np.asarray(values, dtype=np.float32)
