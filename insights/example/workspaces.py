"""The example workspaces: models from ``example_models/`` (small weights) with their features;
each data set is generated on its first page request."""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterator, List, Optional

import torch

from ..cache import ResultCache
from ..dataset import Batch
from ..features import ImageFeature, TextFeature, TimeseriesFeature
from ..limits import Limits
from ..service import Service


def _batches(x: torch.Tensor, y: torch.Tensor, size: int = 16) -> Callable[[], Iterator[Batch]]:
    return lambda: (Batch(x[i:i + size], y[i:i + size]) for i in range(0, len(y), size))


def _lazy(load: Callable[[], Any], size: int = 16) -> Callable[[], Iterator[Batch]]:
    """A data set generated on first use, then kept."""
    held: List[Any] = []

    def iterate() -> Iterator[Batch]:
        if not held:
            held.append(load())
        x, y = held[0]
        return _batches(x, y, size)()

    return iterate


def digits() -> Dict[str, Any]:
    from example_models.digits import model as m

    def data():
        _, _, x, y = m.load_data()
        return x, y

    return dict(models=[m.load_model()], classes=m.CLASSES, dataset=_lazy(data), model_names=["DigitsCNN"],
                features=[ImageFeature("digit", baseline_transforms=None, input_transforms=None)])


def shapes() -> Dict[str, Any]:
    from example_models.shapes import model as m

    def data():
        _, _, x, y, _ = m.load_data()
        return x, y

    return dict(models=[m.load_model()], classes=m.CLASSES, dataset=_lazy(data), model_names=["ShapesCNN"],
                features=[ImageFeature("image", baseline_transforms=None, input_transforms=None)])


def sentiment() -> Dict[str, Any]:
    from example_models.sentiment import model as m

    def data():
        _, _, x, y, _ = m.load_data()
        return x, y

    feature = TextFeature("review", None, None, m.decode, tokenizer=m.encode, pad_token_id=m.INDEX[m.PAD],
                          unk_token_id=m.INDEX[m.UNK], embedding_layer="embedding")
    return dict(models=[m.load_model()], classes=m.CLASSES, dataset=_lazy(data), features=[feature],
                model_names=["SentimentModel"])


def signals() -> Dict[str, Any]:
    from example_models.signals import model as m

    def data():
        _, _, x, y = m.load_data()
        return x, y

    feature = TimeseriesFeature("signal", channel_labels=m.CHANNELS, x_values=range(m.LENGTH))
    return dict(models=[m.load_model()], classes=m.CLASSES, dataset=_lazy(data), features=[feature],
                model_names=["SignalsCNN"])


BUILDERS = {"digits": digits, "shapes": shapes, "sentiment": sentiment, "signals": signals}


def service(name: str, cache: Optional[ResultCache] = None, limits: Optional[Limits] = None) -> Service:
    """The example ``name``'s service."""
    spec = BUILDERS[name]()
    return Service(spec["models"], spec["classes"], spec["features"], spec["dataset"], _softmax, True,
                   model_names=spec["model_names"], limits=limits, cache=cache)


def _softmax(logits: torch.Tensor) -> torch.Tensor:
    return torch.softmax(logits, dim=-1)
